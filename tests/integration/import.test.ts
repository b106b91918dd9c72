import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../src/content/import.ts';
import { summariesForWeek } from '../../src/db/summaries.ts';
import { isoWeek } from '../../src/digest/week.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

const SEED = path.resolve('../shared/seeds/signal-summary.txt');

describe.sequential(`import on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(path.join(tmpdir(), 'tagcast-import-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the seed summary with every field, as written', async () => {
    mkdirSync(path.join(dir, '2026-W48'));
    cpSync(SEED, path.join(dir, '2026-W48', 'seed.txt'));
    const r = await importPaths(t.db, [path.join(dir, '2026-W48', 'seed.txt')]);
    expect(r).toMatchObject({ files: 1, created: 1, errors: [] });
    const [s] = await summariesForWeek(t.db, '2026-W48');
    expect(s!.title).toBe('Kubernetes and retiring at the top with Kelsey Hightower');
    expect(s!.tags).toEqual(['Kubernetes']);
    expect(s!.signal).toMatch(/^Kelsey Hightower, a former distinguished engineer/);
    expect(s!.signal).toContain('Kubernetes’s dominance'); // non-ASCII kept
    expect(s!.casePoints).toHaveLength(7);
    expect(s!.casePoints[2]).toContain('treatng'); // the author's typo, kept
    expect(s!.take).toMatch(/^Hightower is a rare industry voice/);
    expect(s!.timeSavedMinutes).toBeNull(); // "Time saved:" is empty
  });

  it('reads CRLF, several Tag lines, stray HTML and a duration', async () => {
    const text = readFileSync(SEED, 'utf8')
      .replace('Time saved:', 'Time saved: 1h 05m')
      .replace('Tag: Kubernetes\n', 'Tag: Kubernetes\n')
      .replace(/Tags\nTag: Kubernetes\n?$/, 'Tags\nTag: Kubernetes\nTag: Careers\nTag:  careers \nTag: <b>AI</b>\n')
      .replace(/\n/g, '\r\n');
    writeFileSync(path.join(dir, '2026-W48', 'crlf.txt'), text);
    const r = await importPaths(t.db, [path.join(dir, '2026-W48', 'crlf.txt')]);
    expect(r.errors).toEqual([]);
    const s = (await summariesForWeek(t.db, '2026-W48')).find((x) => x.timeSavedMinutes === 65)!;
    expect(s.tags).toEqual(['Kubernetes', 'Careers', '<b>AI</b>']);
    expect(s.title).toBe('Kubernetes and retiring at the top with Kelsey Hightower');
    expect(s.casePoints).toHaveLength(7);
  });

  it('reports a malformed file as FILE:LINE: problem and still imports the others', async () => {
    const d = path.join(dir, 'mixed');
    mkdirSync(d);
    writeFileSync(path.join(d, 'a-good.md'), '---\ntitle: Good one\ntags: [Rust]\ndate: 2026-11-18\n---\n## The Signal\nS.\n## The Case\n- c\n## The 1 Minute Signal Take\nT.\n');
    writeFileSync(path.join(d, 'b-bad-time.txt'), 'Tag: Rust\nTitle\nThe Signal\nS\nThe Case\n- c\nThe 1 Minute Signal Take\nT\nTime saved: soon\nTags\nTag: Rust\n');
    writeFileSync(path.join(d, 'c-bad-date.md'), '---\ntitle: Bad date\ntags: [Rust]\ndate: 2026-13-45\n---\n## The Signal\nS.\n');
    writeFileSync(path.join(d, 'd-good.txt'), 'Tag: AI\nAnother good one\nThe Signal\nS\nThe Case\n- c\nThe 1 Minute Signal Take\nT\nTime saved: 12 min\nTags\nTag: AI\n');
    writeFileSync(path.join(d, 'notes.json'), '{}'); // not a summary file, and inside a folder: ignored
    const r = await importPaths(t.db, [d]);
    expect(r.created).toBe(2);
    expect(r.errors.map((e) => e.message)).toEqual([
      `${path.relative(process.cwd(), path.join(d, 'b-bad-time.txt'))}:9: cannot read the time saved "soon" (expected e.g. "38 min" or "1h 05m")`,
      `${path.relative(process.cwd(), path.join(d, 'c-bad-date.md'))}:4: "date" must be a date like 2026-11-23, got "2026-13-45"`,
    ]);
    const w47 = await summariesForWeek(t.db, '2026-W47');
    expect(w47.map((s) => s.title)).toEqual(['Good one']);
    // No week in the file or its folder: the import date decides.
    expect((await summariesForWeek(t.db, isoWeek(new Date()))).map((s) => s.title)).toContain('Another good one');
  });

  it('is idempotent on re-import and updates a changed file in place', async () => {
    const file = path.join(dir, 'mixed', 'a-good.md');
    const again = await importPaths(t.db, [file]);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    const [before] = await summariesForWeek(t.db, '2026-W47');
    writeFileSync(file, readFileSync(file, 'utf8').replace('title: Good one', 'title: Good one, revised').replace('[Rust]', '[Rust, Security]'));
    const changed = await importPaths(t.db, [file]);
    expect(changed).toMatchObject({ created: 0, updated: 1 });
    const [after] = await summariesForWeek(t.db, '2026-W47');
    expect(after!.id).toBe(before!.id);
    expect(after!.title).toBe('Good one, revised');
    expect(after!.tags).toEqual(['Rust', 'Security']);
    const n = await t.db.query<{ n: number }>(`select count(*)::int as n from summaries`);
    expect(n[0]!.n).toBe(4);
  });

  it('imports the project sample corpus: at least 24 summaries over 8 tags across 2 weeks, both formats', async () => {
    const r = await importPaths(t.db, [path.resolve('content')]);
    expect(r.errors).toEqual([]);
    const files = r.files;
    expect(files).toBeGreaterThanOrEqual(24);
    const rows = await t.db.query<{ week: string; n: number; tags: number }>(
      `select s.week, count(distinct s.id)::int as n, count(distinct st.tag_id)::int as tags
       from summaries s join summary_tags st on st.summary_id = s.id where s.source_key like '2026-W4%' group by s.week order by s.week`,
    );
    expect(rows.map((x) => x.week)).toEqual(['2026-W47', '2026-W48']);
    expect(rows.reduce((n, x) => n + x.n, 0)).toBeGreaterThanOrEqual(24);
    expect(Math.min(...rows.map((x) => x.tags))).toBeGreaterThanOrEqual(8);
    const formats = await t.db.query<{ ext: string }>(
      `select distinct substring(source_file from '\\.([a-z]+)$') as ext from summaries where source_key like '2026-W4%' order by 1`,
    );
    expect(formats.map((f) => f.ext)).toEqual(['md', 'txt']);
  });

  it('reports a path that does not exist', async () => {
    const r = await importPaths(t.db, [path.join(dir, 'nope')]);
    expect(r.errors[0]!.message).toMatch(/nope: no such file or folder$/);
  });
});
