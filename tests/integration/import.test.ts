import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, symlinkSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths, ImportStoppedError } from '../../src/content/import.ts';
import type { Db } from '../../src/db/connection.ts';
import { summariesForWeek } from '../../src/db/summaries.ts';
import { isoWeek } from '../../src/digest/week.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { tagcast } from '../support/process.ts';

const SEED = fileURLToPath(new URL('../fixtures/signal-summary.txt', import.meta.url));

/** A valid Signal file; its "Time saved:" is line 9. */
const signalFile = (title: string, tag = 'Rust', time = '5 min') =>
  `Tag: ${tag}\n${title}\nThe Signal\nS\nThe Case\n- c\nThe 1 Minute Signal Take\nT\nTime saved: ${time}\nTags\nTag: ${tag}\n`;
const markdownFile = (front: string[]) => ['---', ...front, '---', '## The Signal', 'S', '## The Case', '- c', '## The 1 Minute Signal Take', 'T', ''].join('\n');

/** The Db, with one summary title turned into text PostgreSQL refuses (NUL), as if validation had missed it. */
function poisoned(db: Db, title: string): Db {
  const swap = (params?: unknown[]) => params?.map((p) => (p === title ? `${title}\u0000` : p));
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, swap(params)),
    run: (sql, params) => db.run(sql, swap(params)),
    exec: (sql) => db.exec(sql),
    tx: (fn) => db.tx((inner) => fn(poisoned(inner, title))),
    close: () => db.close(),
  };
}

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
    // The same week and title as seed.txt: the same summary, updated (docs/summaries.md), not a second one.
    expect(r).toMatchObject({ created: 0, updated: 1 });
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
    expect(n[0]!.n).toBe(3); // seed.txt and crlf.txt are one summary (same week and title)
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

  it('imports a folder of hostile files without hanging: each bad one reported with its line, each good one once', async () => {
    const root = path.join(dir, 'hostile');
    const d = path.join(root, '2026-W48');
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'a-good.txt'), signalFile('Hostile good one'));
    writeFileSync(path.join(d, 'b-good.md'), markdownFile(['title: Hostile good two', 'tags: [Security]', 'date: 2026-11-25']));
    execFileSync('mkfifo', [path.join(d, 'c-pipe.md')]); // reading it would wait for a writer forever
    symlinkSync('.', path.join(d, 'd-loop')); // dir/link → dir
    symlinkSync('a-good.txt', path.join(d, 'e-alias.txt')); // the same real file again
    writeFileSync(path.join(d, 'f-nul.txt'), signalFile('Null\u0000byte'));
    writeFileSync(path.join(d, 'g-month13.md'), markdownFile(['title: Month 13', 'tags: [Rust]', 'date: 2026-13-45']));
    writeFileSync(path.join(d, 'h-time.txt'), signalFile('Forever', 'Rust', '99999999999 min'));
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [n, c] of [...'bcdefghi'].entries()) bomb.push(`${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[n]}`).join(',')}]`);
    writeFileSync(path.join(d, 'i-bomb.md'), markdownFile(['title: Laughs', 'tags: [Rust]', ...bomb]));
    writeFileSync(path.join(d, 'j-huge.txt'), '');
    truncateSync(path.join(d, 'j-huge.txt'), 10 * 1024 * 1024);
    writeFileSync(path.join(d, 'k-escaped-nul.md'), markdownFile(['title: "Escaped\\0null"', 'tags: [Rust]']));

    const before = await t.db.query<{ n: number }>(`select count(*)::int as n from summaries`);
    const r = await importPaths(t.db, [root]);
    const f = (name: string) => path.relative(process.cwd(), path.join(d, name));
    expect(r.errors.map((e) => e.message)).toEqual([
      `${f('c-pipe.md')}: is not a regular file (it is a named pipe (FIFO)); not read`,
      `${f('d-loop')}: is a symbolic link loop (it leads back to ${f('')}); not followed`,
      `${f('j-huge.txt')}: is 10.0 MiB; a summary file may be at most 256 KiB`,
      `${f('f-nul.txt')}:2: contains a control character (U+0000 NUL); only tab and line ends are allowed`,
      `${f('g-month13.md')}:4: "date" must be a date like 2026-11-23, got "2026-13-45"`,
      `${f('h-time.txt')}:9: the time saved (99999999999 min) is more than the limit of 1440 min (24 h)`,
      `${f('i-bomb.md')}:4: front matter may not use YAML anchors or aliases ("&name", "*name")`,
      `${f('k-escaped-nul.md')}:2: the title contains a control character (U+0000 NUL); only tab is allowed`,
    ]);
    expect(r).toMatchObject({ files: 7, created: 2, updated: 0, unchanged: 0, failed: 5 });

    const after = await t.db.query<{ n: number }>(`select count(*)::int as n from summaries`);
    expect(after[0]!.n - before[0]!.n).toBe(2);
    const stored = await t.db.query<{ key: string; title: string }>(
      `select source_key as key, title from summaries where title like 'Hostile%' order by source_key`,
    );
    expect(stored).toEqual([
      { key: '2026-W48/a-good', title: 'Hostile good one' },
      { key: '2026-W48/b-good', title: 'Hostile good two' },
    ]);
  });

  it('turns a database error for one file into FILE: problem, without the server message, and imports the rest', async () => {
    const d = path.join(dir, 'poison', '2026-W48');
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'a-poisoned.txt'), signalFile('Poisoned on the way in'));
    writeFileSync(path.join(d, 'b-fine.txt'), signalFile('Fine after the poisoned one', 'Go'));
    const r = await importPaths(poisoned(t.db, 'Poisoned on the way in'), [path.dirname(d)]);
    expect(r.errors.map((e) => e.message)).toEqual([
      `${path.relative(process.cwd(), path.join(d, 'a-poisoned.txt'))}: could not be stored: the database refused a value in it (SQLSTATE 22021)`,
    ]);
    expect(r).toMatchObject({ files: 2, created: 1, failed: 1 });
    const titles = (await summariesForWeek(t.db, '2026-W48')).map((s) => s.title);
    expect(titles).toContain('Fine after the poisoned one');
    expect(titles.some((x) => x.startsWith('Poisoned'))).toBe(false); // its transaction rolled back
  });

  // A child process costs seconds (more on PGlite, which it must reopen); what it checks is the same
  // on both backends, so it runs on one.
  it.skipIf(process.env.TAGCAST_TEST_DB !== 'postgres')('tagcast import: one line per problem on stderr, no stack trace, exit code 1', async () => {
    await t.release(); // the child process opens the database itself (PGlite allows one process)
    try {
      const run = await tagcast(['import', 'hostile'], t.env, dir);
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(8);
      expect(lines[0]).toBe('hostile/2026-W48/c-pipe.md: is not a regular file (it is a named pipe (FIFO)); not read');
      expect(lines[3]).toBe('hostile/2026-W48/f-nul.txt:2: contains a control character (U+0000 NUL); only tab and line ends are allowed');
      expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+|invalid byte sequence/);
    } finally {
      await t.reopen();
    }
  });

  it('ends the import with one line when the database connection is lost', async () => {
    const d = path.join(dir, 'lost', '2026-W48');
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'a.txt'), signalFile('Never stored'));
    writeFileSync(path.join(d, 'b.txt'), signalFile('Never stored either'));
    const gone = t.db;
    await t.release();
    try {
      const err = await importPaths(gone, [d]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportStoppedError);
      const message = (err as Error).message;
      expect(message).toMatch(/^import stopped: the database connection was lost while storing .*a\.txt \(.+\); 0 of 2 files were imported before it\. /);
      expect(message).not.toContain('\n');
    } finally {
      await t.reopen();
    }
    const titles = (await summariesForWeek(t.db, '2026-W48')).map((s) => s.title);
    expect(titles).not.toContain('Never stored');
  });
});
