// Every relative link in README.md and docs/ leads somewhere: the file exists, and a `#fragment` names a
// heading of that page (GitHub's anchors). The README is a short page that sends readers to docs/ for
// depth, so a page moved or a heading renamed must not leave a link that goes nowhere. A page linked
// before it is written fails here until it exists: nothing is exempt.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');

/** The Markdown files a reader of the repository sees: README.md and every page under docs/. */
function markdownFiles(root: string): string[] {
  const out = [path.join(root, 'README.md')];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) out.push(p);
    }
  };
  if (existsSync(path.join(root, 'docs'))) walk(path.join(root, 'docs'));
  return out;
}

/** The file's lines outside fenced code blocks: a link or heading inside a code sample is text. */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split(/\r?\n/)) {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      const mark = m[1]!.charAt(0);
      if (fence === null) fence = mark;
      else if (mark === fence) fence = null;
      continue;
    }
    if (fence === null) lines.push(line);
  }
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown)) {
    for (const m of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Link targets in the prose: inline links and images, and reference definitions. */
function targets(markdown: string): string[] {
  const out: string[] = [];
  for (const raw of prose(markdown)) {
    const line = raw.replace(/`[^`]*`/g, '');
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]!);
    const ref = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
    if (ref) out.push(ref[1]!);
  }
  return out;
}

/** Every relative link in README.md and docs/ that leads nowhere, as `FILE: target (why)`. */
function brokenLinks(root: string): string[] {
  const broken: string[] = [];
  for (const file of markdownFiles(root)) {
    const rel = path.relative(root, file);
    for (const target of targets(readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: … — not a file here
      if (target === '') {
        broken.push(`${rel}: empty link`);
        continue;
      }
      if (target.startsWith('/')) {
        broken.push(`${rel}: ${target} (a path from the site's root: link relative to the file)`);
        continue;
      }
      const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
      const dest = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
      if (!existsSync(dest)) {
        broken.push(`${rel}: ${target} (no file ${path.relative(root, dest)})`);
        continue;
      }
      if (fragment === undefined || !dest.endsWith('.md') || statSync(dest).isDirectory()) continue;
      if (!anchors(readFileSync(dest, 'utf8')).has(decodeURIComponent(fragment))) {
        broken.push(`${rel}: ${target} (no heading #${fragment} in ${path.relative(root, dest)})`);
      }
    }
  }
  return broken;
}

/** The Markdown pages a reader reaches from README.md by following relative links, as paths from the root. */
function reachable(root: string): Set<string> {
  const seen = new Set<string>();
  const queue = [path.join(root, 'README.md')];
  while (queue.length > 0) {
    const file = queue.pop()!;
    const rel = path.relative(root, file);
    if (seen.has(rel) || !existsSync(file)) continue;
    seen.add(rel);
    for (const target of targets(readFileSync(file, 'utf8'))) {
      const pathPart = target.split('#')[0]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || !pathPart.endsWith('.md')) continue;
      queue.push(path.resolve(path.dirname(file), decodeURIComponent(pathPart)));
    }
  }
  return seen;
}

describe('links in README.md and docs/', () => {
  it('lead to a file that exists and, with a #fragment, to a heading of that page', () => {
    const files = markdownFiles(REPO);
    expect(files.length).toBeGreaterThan(5); // README.md and the docs pages were found
    expect(brokenLinks(REPO)).toEqual([]);
  });

  it('reach every page under docs/ from README.md: no page a newcomer cannot find', () => {
    const found = reachable(REPO);
    const orphans = markdownFiles(REPO).map((f) => path.relative(REPO, f)).filter((f) => !found.has(f));
    expect(orphans).toEqual([]);
  });

  it('name only npm scripts that package.json has', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const named = new Set<string>();
    for (const file of markdownFiles(REPO)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bnpm (?:run(?:-script)? ([\w:.-]+)|(start|test)\b)/g)) named.add(m[1] ?? m[2]!);
    }
    expect([...named].filter((s) => !scripts.includes(s))).toEqual([]);
    // The quick start's commands, exactly as a newcomer types them.
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    for (const command of ['npm ci && npm run digest', 'npm test', 'npm start']) expect(readme).toContain(command);
  });

  describe('the checker', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tagcast-links-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('reports a missing page, a missing heading and a root path; passes the rest', () => {
      mkdirSync(path.join(root, 'docs', 'screenshots'), { recursive: true });
      writeFileSync(path.join(root, 'docs', 'screenshots', 'a.png'), '');
      writeFileSync(
        path.join(root, 'docs', 'a.md'),
        [
          '# Page A',
          '## How `tagcast start` runs, briefly',
          '## Notes',
          '## Notes',
          '```sh',
          '## Not a heading',
          '[in code](gone.md)',
          '```',
          '[back](../README.md#top-of-readme) ![shot](screenshots/a.png) `[code span](gone.md)`',
        ].join('\n'),
      );
      writeFileSync(
        path.join(root, 'README.md'),
        [
          '# Top of README',
          '[ok](docs/a.md) [ok](docs/a.md#how-tagcast-start-runs-briefly) [ok](docs/a.md#notes-1) [ok](#top-of-readme)',
          '[ok](https://example.com/x.md) [ok](mailto:a@example.com) [ok](docs/)',
          '[missing page](docs/b.md) [missing heading](docs/a.md#not-a-heading) [root](/docs/a.md)',
          '[ref]: docs/c.md',
        ].join('\n'),
      );
      expect(brokenLinks(root)).toEqual([
        'README.md: docs/b.md (no file docs/b.md)',
        'README.md: docs/a.md#not-a-heading (no heading #not-a-heading in docs/a.md)',
        "README.md: /docs/a.md (a path from the site's root: link relative to the file)",
        'README.md: docs/c.md (no file docs/c.md)',
      ]);
    });
  });
});
