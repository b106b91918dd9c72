// Summaries, subscribers and the schedule in the admin pages over HTTP: uploads imported as
// `tagcast import` imports files (good ones kept, bad ones reported as FILE:LINE: problem under the
// name the editor uploaded, the temporary folder removed), subscriber search, add, CSV import with bad
// rows by line and CSV export as a download, and the recurring schedule shown, set and cleared.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSchedule } from '../../src/db/schedules.ts';
import { summariesForWeek } from '../../src/db/summaries.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import { Browser, csrfField, readerApp, subscriberByEmail, type ReaderApp } from '../support/reader.ts';
import { signalLines } from '../support/summary-files.ts';

const PASSWORD = 'correct horse battery staple';
const WEEK = '2026-W48';

/** A multipart/form-data body with fields and files, as a browser sends an upload form. */
function multipart(fields: Record<string, string>, files: { field: string; name: string; body: string | Buffer }[]) {
  const boundary = '----tagcastAdminUpload9x8y7z';
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.isBuffer(f.body) ? f.body : Buffer.from(f.body));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const markdown = (title: string, tags: string) =>
  ['---', `title: "${title}"`, `tags: [${tags}]`, '---', '', '## The Signal', '', 'Why it matters.', '', '## The Case', '', '- one', '- two', '', '## The 1 Minute Signal Take', '', 'The take.', ''].join('\n');

describe.sequential(`admin summaries, subscribers and schedule on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;
  let b: Browser;

  beforeAll(async () => {
    t = await createTestDb();
    h = await createHarness(t.db);
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD }, deps: { queues: async () => h.queues } });
    b = new Browser(r.app, '198.51.100.210');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
  });
  afterAll(async () => {
    await r?.app.close();
    await h?.close();
    await t?.drop();
  });

  async function upload(url: string, fields: Record<string, string>, files: { field: string; name: string; body: string | Buffer }[], withCsrf = true) {
    const page = await b.get('/admin/summaries');
    const body = multipart(withCsrf ? { _csrf: csrfField(page.body)!, ...fields } : fields, files);
    return r.app.inject({
      method: 'POST',
      url,
      remoteAddress: b.remoteAddress,
      headers: { 'content-type': body.contentType, cookie: b.cookieHeader!, origin: 'https://news.example.test' },
      payload: body.payload,
    });
  }
  const uploadsLeft = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tagcast-upload-'));

  it('imports uploaded summary files into a week; bad ones are reported as FILE:LINE under their uploaded names, good ones kept', async () => {
    const before = uploadsLeft();
    const res = await upload('/admin/summaries/import', { week: WEEK }, [
      { field: 'files', name: 'vector-search.md', body: markdown('Vector search in Postgres', 'Databases, AI') },
      { field: 'files', name: 'borrowing.txt', body: signalLines().join('\n') },
      { field: 'files', name: 'broken.txt', body: signalLines({ signal: ['The Signal'] }).join('\n') },
      { field: 'files', name: 'notes.pdf', body: 'x' },
      { field: 'files', name: 'huge.md', body: Buffer.alloc(300 * 1024, 'a') },
      { field: 'files', name: 'bad\u0001name.md', body: markdown('x', 'AI') },
    ]);
    expect(res.statusCode).toBe(422);
    const body = res.body.replace(/<!-- -->/g, '');
    expect(body).toContain('2 of 6 files imported; 4 not imported.');
    expect(body).toContain('<code>vector-search.md</code>: new');
    expect(body).toContain('<code>borrowing.txt</code>: new');
    expect(body).toMatch(/<code class="problem">broken\.txt:\d+: [^<]+<\/code>/);
    expect(body).toContain('notes.pdf: not a summary file (expected .md, .markdown or .txt)');
    expect(body).toContain('huge.md: is over 256 KiB');
    expect(body).toContain('a file name may hold letters, digits');
    expect(body).not.toContain(tmpdir());
    // The week given is the files' week; their identity is that week and their name (docs/summaries.md).
    const stored = await t.db.query<{ sourceKey: string; week: string }>(`select source_key as "sourceKey", week from summaries order by id`);
    expect(stored).toEqual([
      { sourceKey: `${WEEK}/vector-search`, week: WEEK },
      { sourceKey: `${WEEK}/borrowing`, week: WEEK },
    ]);
    expect(uploadsLeft()).toEqual(before);
    // Uploaded again, changed: the same summary is updated.
    const again = await upload('/admin/summaries/import', { week: WEEK }, [{ field: 'files', name: 'vector-search.md', body: markdown('Vector search in Postgres, revised', 'Databases') }]);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('<code>vector-search.md</code>: updated');
    expect((await summariesForWeek(t.db, WEEK)).map((s) => s.title).sort()).toEqual(['A title', 'Vector search in Postgres, revised']);
  });

  it('lists summaries by week with their tags', async () => {
    const page = await b.get(`/admin/summaries?week=${WEEK}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h3 id="week-title">Week 2026-W48</h3>');
    expect(page.body).toMatch(/<li><a href="\/admin\/summaries\/\d+">Vector search in Postgres, revised<\/a><br\/><span class="tag">Databases<\/span><\/li>/);
    expect((await b.get('/admin/summaries?week=W48')).statusCode).toBe(400);
  });

  it('refuses an upload without CSRF (403), without files (400), with a bad week (400), as a plain form (415)', async () => {
    const noCsrf = await upload('/admin/summaries/import', { week: WEEK }, [{ field: 'files', name: 'x.md', body: markdown('CSRF', 'AI') }], false);
    expect(noCsrf.statusCode).toBe(403);
    const none = await upload('/admin/summaries/import', { week: WEEK }, []);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose one or more summary files');
    const badWeek = await upload('/admin/summaries/import', { week: 'soon' }, [{ field: 'files', name: 'x.md', body: markdown('Week', 'AI') }]);
    expect(badWeek.statusCode).toBe(400);
    expect(badWeek.body).toContain('is not an ISO week');
    const page = await b.get('/admin/summaries');
    const plain = await b.post('/admin/summaries/import', { _csrf: csrfField(page.body)! });
    expect(plain.statusCode).toBe(415);
    expect(await t.db.query(`select 1 from summaries where title in ('CSRF', 'Week')`)).toEqual([]);
  });

  it('adds a subscriber, refuses a bad one with the reasons, and finds them by address, name and status', async () => {
    const page = await b.get('/admin/subscribers');
    const csrf = csrfField(page.body)!;
    const typo = await b.post('/admin/subscribers', { _csrf: csrf, email: 'ada@example.test', tags: 'AI, Rsut', time_zone: 'Europe/London' });
    expect(typo.statusCode).toBe(400);
    expect(typo.body).toMatch(/Unknown tag &quot;Rsut&quot;; known tags: [^<]*\bai, databases\b/);
    expect(await subscriberByEmail(t.db, 'ada@example.test')).toBeUndefined();
    const added = await b.post('/admin/subscribers', { _csrf: csrf, email: ' Ada@Example.TEST ', name: 'Ada Lovelace', tags: 'AI, Rsut', time_zone: 'Europe/London', create_tags: 'on' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toMatch(/^\/admin\/subscribers\/\d+\?done=added$/);
    expect(await subscriberByEmail(t.db, 'ada@example.test')).toMatchObject({ status: 'active', name: 'Ada Lovelace', timeZone: 'Europe/London', tags: ['ai', 'rsut'] });
    const bad = await b.post('/admin/subscribers', { _csrf: csrf, email: 'not-an-address', time_zone: 'Mars/Base' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('&quot;Mars/Base&quot; is not a time zone');
    // A known tag in another case is that tag, not a new one.
    expect((await b.post('/admin/subscribers', { _csrf: csrf, email: 'grace@example.test', name: 'Grace Hopper', tags: 'RSUT' })).statusCode).toBe(303);
    await t.db.query(`update subscribers set status = 'unsubscribed' where email = 'grace@example.test'`);

    const byName = await b.get('/admin/subscribers?q=lovelace');
    expect(byName.body).toContain('>ada@example.test</a></td>');
    expect(byName.body).not.toContain('grace@example.test');
    const byStatus = await b.get('/admin/subscribers?status=unsubscribed');
    expect(byStatus.body).toContain('>grace@example.test</a></td>');
    expect(byStatus.body).not.toContain('>ada@example.test</a></td>');
    // A % typed in the search is a character, not a wildcard.
    expect((await b.get('/admin/subscribers?q=%25')).body).toContain('0 subscribers');
    expect((await b.get('/admin/subscribers?status=gone')).statusCode).toBe(400);
    expect((await b.get('/admin/subscribers?page=x')).statusCode).toBe(400);
  });

  it('imports a CSV: good rows kept, bad rows reported with their line; exports every subscriber as a CSV download', async () => {
    const csv = ['email,name,tags,time_zone', 'lin@example.test,Lin,AI;Compilers,Asia/Tokyo', 'broken-address,Bad,AI,', 'max@example.test,Max,Rust,Not/AZone', 'kim@example.test,Kim,AI,'].join('\n');
    // Unticked, the row with a new tag is refused by line, naming the known ones.
    const refused = await upload('/admin/subscribers/import', {}, [{ field: 'file', name: 'people.csv', body: csv }]);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/people\.csv:2: unknown tag &quot;Compilers&quot;; known tags: [^<]*\bai\b/);
    expect(await subscriberByEmail(t.db, 'lin@example.test')).toBeUndefined();
    await t.db.query(`delete from subscribers where email = 'kim@example.test'`);
    const res = await upload('/admin/subscribers/import', { create_tags: 'on' }, [{ field: 'file', name: 'people.csv', body: `\uFEFF${csv}` }]);
    expect(res.statusCode).toBe(422);
    const body = res.body.replace(/<!-- -->/g, '');
    expect(body).toContain('people.csv: 4 rows, 2 added, 0 updated, 2 refused.');
    expect(body).toMatch(/people\.csv:3: [^<]*broken-address/);
    expect(body).toContain('people.csv:4: &quot;Not/AZone&quot; is not a time zone');
    expect(await subscriberByEmail(t.db, 'lin@example.test')).toMatchObject({ timeZone: 'Asia/Tokyo', tags: ['ai', 'compilers'] });
    expect(await subscriberByEmail(t.db, 'max@example.test')).toBeUndefined();
    const empty = await upload('/admin/subscribers/import', {}, []);
    expect(empty.statusCode).toBe(400);

    const out = await b.get('/admin/subscribers/export.csv');
    expect(out.statusCode).toBe(200);
    expect(out.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(out.headers['content-disposition']).toMatch(/^attachment; filename="subscribers-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = out.body.trim().split(/\r?\n/);
    expect(lines[0]).toBe('email,name,tags,time_zone,status,created_at');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual(['ada@example.test', 'grace@example.test', 'kim@example.test', 'lin@example.test']);
  });

  it('shows, sets and clears the recurring schedule; a bad form is 400 with the reason', async () => {
    const empty = await b.get('/admin/schedule');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('No weekly issue is scheduled');
    const csrf = csrfField(empty.body)!;
    const set = await b.post('/admin/schedule', { _csrf: csrf, weekday: '2', time: '08:15', time_zone: 'Europe/Berlin', local: 'on', week: 'previous', engine: 'mjml' });
    expect(set.statusCode, set.body).toBe(303);
    expect(set.headers.location).toBe('/admin/schedule?done=schedule-saved');
    expect(await readSchedule(t.db)).toEqual({ weekday: 2, time: '08:15', timeZone: 'Europe/Berlin', local: true, engine: 'mjml', week: 'previous' });
    const shown = (await b.get('/admin/schedule?done=schedule-saved')).body.replace(/<!-- -->/g, '');
    expect(shown).toContain('Schedule saved.');
    expect(shown).toContain('Every Tuesday at 08:15 in each reader');
    // The next run's week has no summaries: the page says so before the run finds out.
    expect(shown).toMatch(/The next run sends week \d{4}-W\d\d, which has no summaries yet/);
    for (const [fields, reason] of [
      [{ weekday: '8', time: '08:15', time_zone: 'UTC' }, 'The day must be Monday to Sunday'],
      [{ weekday: '1', time: '8.15', time_zone: 'UTC' }, 'The time: enter a time as HH:MM'],
      [{ weekday: '1', time: '08:15', time_zone: 'Nowhere' }, 'The time zone: choose a time zone'],
      [{ weekday: '1', time: '08:15', time_zone: 'UTC', engine: 'pug' }, 'The engine: the engine must be react or mjml'],
      [{ weekday: '1', time: '08:15', time_zone: 'UTC', week: 'next' }, 'The week must be current or previous'],
    ] as const) {
      const bad = await b.post('/admin/schedule', { _csrf: csrf, ...fields });
      expect(bad.statusCode, JSON.stringify(fields)).toBe(400);
      expect(bad.body, JSON.stringify(fields)).toContain(reason);
    }
    expect((await readSchedule(t.db))?.time).toBe('08:15');
    const cleared = await b.post('/admin/schedule/clear', { _csrf: csrf });
    expect(cleared.headers.location).toBe('/admin/schedule?done=schedule-cleared');
    expect(await readSchedule(t.db)).toBeUndefined();
  });
});
