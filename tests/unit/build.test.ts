// `npm run build`: dist/ runs only while it is newer than every source, and the JavaScript it holds (the
// React engine bundled with the part of React Email it uses) renders the same emails as the sources.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { distIsFresh } from '../../bin/freshness.js';
import { assembleDigest, indexIssue } from '../../src/digest/assemble.ts';
import { createDigestRenderer } from '../../src/render/index.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { corpusWeek, tagSets } from '../support/corpus.ts';

describe('dist/ freshness', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tagcast-fresh-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const at = (f: string, seconds: number) => utimesSync(path.join(root, f), seconds, seconds);

  it('is fresh only when dist/.built is newer than every source file and folder', () => {
    for (const d of ['src/db', 'jobs', 'emails', 'dist']) mkdirSync(path.join(root, d), { recursive: true });
    for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src/db/a.ts', 'jobs/b.ts', 'emails/c.mjml']) writeFileSync(path.join(root, f), '');
    expect(distIsFresh(root)).toBe(false); // never built
    writeFileSync(path.join(root, 'dist', '.built'), '');
    for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'src/db', 'src/db/a.ts', 'jobs', 'jobs/b.ts', 'emails', 'emails/c.mjml']) at(f, 1000);
    at('dist/.built', 2000);
    expect(distIsFresh(root)).toBe(true);
    at('src/db/a.ts', 3000); // an edited source
    expect(distIsFresh(root)).toBe(false);
    at('src/db/a.ts', 1000);
    at('emails', 3000); // a template added or removed
    expect(distIsFresh(root)).toBe(false);
    at('emails', 1000);
    at('package.json', 3000); // dependencies changed
    expect(distIsFresh(root)).toBe(false);
  });
});

describe('the built JavaScript', () => {
  // The project's dist/ when it is current (npm ci builds it); otherwise a build of its own, inside the
  // project so that packages resolve, removed afterwards.
  const own = path.resolve('test-artifacts', `dist-${process.pid}`);
  let built = path.resolve('dist');
  afterAll(() => rmSync(own, { recursive: true, force: true }));

  it('renders every engine byte for byte as the sources do', { timeout: 180_000 }, async () => {
    if (!distIsFresh(path.resolve('.'))) {
      execFileSync(process.execPath, ['bin/build.js', '--out', own], { stdio: 'ignore' });
      built = own;
    }
    const dist: typeof import('../../src/render/index.ts') = await import(pathToFileURL(path.join(built, 'src/render/index.js')).href);
    const digest = assembleDigest(indexIssue('2026-W48', corpusWeek('2026-W48')), tagSets(1)[0]!)!;
    const links = readerLinks({ secret: 's'.repeat(32), publicUrl: 'https://news.example.com', mailDomain: 'example.com', subscriberId: 7, issueId: 3 });
    for (const engine of ['react', 'mjml'] as const) {
      const fromSources = await createDigestRenderer(engine).render(digest, links);
      const fromDist = await dist.createDigestRenderer(engine).render(digest, links);
      expect(fromDist.html.length).toBeGreaterThan(1000);
      expect(fromDist.html).toBe(fromSources.html);
      expect(fromDist.text).toBe(fromSources.text);
    }
  });
});
