// The fragment cache's keys and eviction (src/render/cache.ts): one entry per issue, engine and identity, the
// eight most recently used kept, a failed load not kept. On an embedded PGlite database, migrated
// here, so the unit project still needs no services; the issues need no rows: the cache takes the
// issue as the caller read it, and an issue without frozen summaries has no tags.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { writeSettings } from '../../src/db/settings.ts';
import { issueRendering } from '../../src/render/cache.ts';

let db: Db;
const deps = { get db() { return db; }, config: { mailFrom: 'tagcast <digest@tagcast.localhost>' } };
let dir: string;
// The cache is the module's, shared by every test here: each test uses ids of its own.
let nextId = 1000;
const issue = (over: Partial<{ id: number; engine: 'react' | 'mjml'; subject: string | null }> = {}) => ({
  id: over.id ?? nextId++,
  week: '2026-W48',
  engine: over.engine ?? ('react' as const),
  subject: over.subject === undefined ? null : over.subject,
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tagcast-cache-'));
  db = await openDb({ dataDir: dir });
  await migrate(db);
}, 120_000);

afterAll(async () => {
  await db.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('issueRendering', () => {
  it('indexes the issue as given and renders with its engine', async () => {
    const r = await issueRendering(deps, issue({ engine: 'mjml', subject: 'Hand-picked' }));
    expect(r.content).toEqual({ week: '2026-W48', issueName: 'Week 48 · 23–29 Nov 2026', subject: 'Hand-picked', tags: [] });
    expect(r.renderer.engine.name).toBe('mjml');
  });

  it('keeps one entry per issue, engine and identity', async () => {
    const a = issue();
    const first = await issueRendering(deps, a);
    expect(await issueRendering(deps, a)).toBe(first);
    expect(await issueRendering(deps, { ...a, engine: 'mjml' })).not.toBe(first);
    expect(await issueRendering(deps, { ...a, id: a.id + 5000 })).not.toBe(first);
  });

  it('renders anew when the publication settings change, with the new identity', async () => {
    const a = issue();
    const before = await issueRendering(deps, a);
    expect(before.renderer.publication.name).toBe('tagcast weekly');
    await writeSettings(db, { name: 'Renamed weekly' }, 'test');
    try {
      const after = await issueRendering(deps, a);
      expect(after).not.toBe(before);
      expect(after.renderer.publication.name).toBe('Renamed weekly');
    } finally {
      await writeSettings(db, { name: null }, 'test');
    }
    expect(await issueRendering(deps, a)).toBe(before);
  });

  it('lets the least recently used go when a ninth issue comes, not one just used', async () => {
    const issues = Array.from({ length: 8 }, () => issue());
    const kept = [];
    for (const i of issues) kept.push(await issueRendering(deps, i));
    // The first is used again, so the second is now the oldest.
    expect(await issueRendering(deps, issues[0]!)).toBe(kept[0]);
    await issueRendering(deps, issue());
    expect(await issueRendering(deps, issues[0]!)).toBe(kept[0]);
    for (let n = 2; n < 8; n++) expect(await issueRendering(deps, issues[n]!)).toBe(kept[n]);
    expect(await issueRendering(deps, issues[1]!)).not.toBe(kept[1]);
  });

  it('keeps eight issues', async () => {
    const issues = Array.from({ length: 8 }, () => issue());
    const kept = [];
    for (const i of issues) kept.push(await issueRendering(deps, i));
    for (const [n, i] of issues.entries()) expect(await issueRendering(deps, i)).toBe(kept[n]);
  });

  it('does not keep a load that failed: the next call tries again', async () => {
    // An id the database refuses ("invalid input syntax for type integer"): the query fails.
    const i = { ...issue(), id: 'not-a-number' as unknown as number };
    const failed = issueRendering(deps, i);
    await expect(failed).rejects.toThrow();
    const again = issueRendering(deps, i);
    expect(again).not.toBe(failed);
    await expect(again).rejects.toThrow();
  });
});
