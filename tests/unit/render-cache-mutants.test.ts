// The fragment cache's keys and eviction (src/render/cache.ts): one entry per issue and engine, the
// eight most recently used kept, a failed load not kept. On an embedded PGlite database, migrated
// here, so the unit project still needs no services; the issues need no rows: the cache takes the
// issue as the caller read it, and an issue without frozen summaries has no tags.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { issueRendering } from '../../src/render/cache.ts';

let db: Db;
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
    const r = await issueRendering(db, issue({ engine: 'mjml', subject: 'Hand-picked' }));
    expect(r.content).toEqual({ week: '2026-W48', weekLabel: '23 Nov – 29 Nov 2026', subject: 'Hand-picked', tags: [] });
    expect(r.renderer.engine.name).toBe('mjml');
  });

  it('keeps one entry per issue and engine', () => {
    const a = issue();
    const first = issueRendering(db, a);
    expect(issueRendering(db, a)).toBe(first);
    expect(issueRendering(db, { ...a, engine: 'mjml' })).not.toBe(first);
    expect(issueRendering(db, { ...a, id: a.id + 5000 })).not.toBe(first);
  });

  it('lets the least recently used go when a ninth issue comes, not one just used', () => {
    const issues = Array.from({ length: 8 }, () => issue());
    const promises = issues.map((i) => issueRendering(db, i));
    // The first is used again, so the second is now the oldest.
    expect(issueRendering(db, issues[0]!)).toBe(promises[0]);
    issueRendering(db, issue());
    expect(issueRendering(db, issues[0]!)).toBe(promises[0]);
    for (let n = 2; n < 8; n++) expect(issueRendering(db, issues[n]!)).toBe(promises[n]);
    expect(issueRendering(db, issues[1]!)).not.toBe(promises[1]);
  });

  it('keeps eight issues', () => {
    const issues = Array.from({ length: 8 }, () => issue());
    const promises = issues.map((i) => issueRendering(db, i));
    issues.forEach((i, n) => expect(issueRendering(db, i)).toBe(promises[n]));
  });

  it('does not keep a load that failed: the next call tries again', async () => {
    // An id the database refuses ("invalid input syntax for type integer"): the query fails.
    const i = { ...issue(), id: 'not-a-number' as unknown as number };
    const failed = issueRendering(db, i);
    await expect(failed).rejects.toThrow();
    const again = issueRendering(db, i);
    expect(again).not.toBe(failed);
    await expect(again).rejects.toThrow();
  });
});
