// Summaries as the editor handles them, through all three faces (CLI, admin pages, API) on one database:
// one summary is one row whichever way its file came (docs/summaries.md), an edited file updates it,
// edits in the browser and the API with the importer's checks, hiding (issues already planned keep
// what they froze; later ones and the archive leave it out), deleting (refused once it went out), who
// and when recorded; and migration 010 merging the duplicates made before it.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_FILE } from '../../src/cli/clients/http.ts';
import { LOCAL_TOKEN_NAME } from '../../src/cli/tokens.ts';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { archiveUpdatedAt, sentIssues } from '../../src/db/archive.ts';
import { summariesForIssue, summariesForWeek } from '../../src/db/summaries.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { cliSetup } from '../support/cli-setup.ts';
import { eventually } from '../support/eventually.ts';
import { freePort, inProcess } from '../support/in-process.ts';
import { spawnTagcast } from '../support/process.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import { REDIS_URL } from '../support/env.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';
import { Browser, csrfField, plannedIssue, readerApp, sentIssue, type ReaderApp } from '../support/reader.ts';

const PASSWORD = 'correct horse battery staple';
const WEEK = '2026-W48';

const markdown = (title: string, signal = 'Why it matters.', date = '2026-11-24') =>
  ['---', `title: "${title}"`, 'tags: [Databases, AI]', `date: ${date}`, '---', '', '## The Signal', '', signal, '', '## The Case', '', '- one', '- two', '', '## The 1 Minute Signal Take', '', 'The take.', ''].join('\n');

function multipart(fields: Record<string, string>, files: { name: string; body: string }[]) {
  const boundary = '----tagcastSummariesEditor42';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  for (const f of files) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: text/markdown\r\n\r\n${f.body}\r\n`);
  return { payload: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.sequential(`summaries through the CLI, the admin pages and the API on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;
  let b: Browser;
  let token: string;
  let dir: string;
  const prefix = testPrefix();
  let cliEnv: Record<string, string>;

  async function openApp() {
    h = await createHarness(t.db);
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD }, deps: { queues: async () => h.queues } });
    b = new Browser(r.app, '198.51.100.77');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
  }
  async function closeApp() {
    await r.app.close();
    await h.close();
  }
  /** `tagcast ARGS` as the editor types it, on this database (the app lets go of it meanwhile). */
  async function cli(...args: string[]) {
    await closeApp();
    await t.release();
    try {
      return await inProcess(args, cliEnv);
    } finally {
      await t.reopen();
      await openApp();
    }
  }

  beforeAll(async () => {
    t = await createTestDb();
    token = (await createApiToken(t.db, 'tests')).token;
    dir = mkdtempSync(path.join(tmpdir(), 'tagcast-summaries-'));
    cliEnv = { ...t.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', SECRET: 'summaries-test-secret-0123456789abcdef', OUTBOX_DIR: path.join(dir, 'outbox') };
    await openApp();
  });
  afterAll(async () => {
    await closeApp().catch(() => undefined);
    await t?.drop();
    await deleteKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (method: string, url: string, body?: unknown) =>
    r.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
  const json = (res: LightMyRequestResponse) => res.json() as Record<string, any>;
  async function upload(files: { name: string; body: string }[], week = '') {
    const page = await b.get('/admin/summaries');
    const body = multipart({ _csrf: csrfField(page.body)!, week }, files);
    return r.app.inject({
      method: 'POST',
      url: '/admin/summaries/import',
      remoteAddress: b.remoteAddress,
      headers: { 'content-type': body.contentType, cookie: b.cookieHeader!, origin: 'https://news.example.test' },
      payload: body.payload,
    });
  }
  const rows = async () => (await t.db.query<{ n: number }>('select count(*)::int as n from summaries'))[0]!.n;
  const idOf = async (title: string) => (await t.db.query<{ id: number }>('select id from summaries where title = $1', [title]))[0]!.id;

  it('one file is one summary whether it comes by the CLI, the upload form or the API; an edited file updates it', async () => {
    const folder = path.join(dir, 'content', WEEK);
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'vector-search.md');
    writeFileSync(file, markdown('Vector search in Postgres'));

    const first = await cli('import', path.join(dir, 'content'));
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('imported 1 of 1 files: 1 new, 0 updated, 0 unchanged\n');

    // The same file on the upload form, with no week and with another week typed: still the one summary.
    for (const week of ['', '2026-W50']) {
      const res = await upload([{ name: 'vector-search.md', body: readFileSync(file, 'utf8') }], week);
      expect(res.statusCode).toBe(200);
      expect(res.body.replace(/<!-- -->/g, '')).toContain('<code>vector-search.md</code>: unchanged');
    }
    // The API, under a bare name, and a renamed copy (a browser's download "(1)"): unchanged.
    for (const name of ['vector-search.md', 'vector-search (1).md']) {
      const res = json(await api('POST', '/summaries/import', { files: [{ name, content: readFileSync(file, 'utf8').replace(/\n/g, '\r\n') }] }));
      expect(res).toMatchObject({ created: 0, updated: 0, unchanged: 1, results: [{ name, outcome: 'unchanged' }] });
    }
    expect(await rows()).toBe(1);
    const id = await idOf('Vector search in Postgres');

    // Edited: the file with a new Signal updates the row, by any face; and so does a corrected title.
    writeFileSync(file, markdown('Vector search in Postgres', 'Why it matters, revised.'));
    const edited = await cli('import', file);
    expect(edited.stdout).toBe('imported 1 of 1 files: 0 new, 1 updated, 0 unchanged\n');
    const retitled = json(await api('POST', '/summaries/import', { files: [{ name: 'vector-search.md', content: markdown('Vector search inside Postgres', 'Why it matters, revised.') }] }));
    expect(retitled).toMatchObject({ updated: 1, results: [{ outcome: 'updated' }] });
    const up = await upload([{ name: 'vector-search.md', body: markdown('Vector search inside Postgres', 'Third take.') }]);
    expect(up.body.replace(/<!-- -->/g, '')).toContain('<code>vector-search.md</code>: updated');
    expect(await rows()).toBe(1);
    expect(await idOf('Vector search inside Postgres')).toBe(id);
    const shown = json(await api('GET', `/summaries/${id}`)).summary;
    expect(shown).toMatchObject({ id, week: WEEK, sourceKey: `${WEEK}/vector-search`, importedBy: 'cli', updatedBy: 'admin', signal: 'Third take.' });

    // Two files of one run that are one summary: the second is refused, not a silent overwrite.
    const twice = json(await api('POST', '/summaries/import', { files: [{ name: 'a.md', content: markdown('Twin') }, { name: 'b.md', content: markdown('Twin', 'Other.') }] }));
    expect(twice).toMatchObject({ created: 1, failed: 1 });
    expect(twice.errors[0]).toBe('b.md: is the same summary as a.md (the same week and file name, or week and title); only the first was imported');
  });

  it('the database refuses a second summary with the same week and title', async () => {
    await expect(
      t.db.query(`insert into summaries (source_key, content_hash, week, title, signal, take) values ('x/other', 'h', $1, '  TWIN ', 's', 't')`, [WEEK]),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it("edits every field with the importer's checks, on the admin page and through the API, recording who", async () => {
    const id = await idOf('Twin');
    // The importer's own words for the importer's own limits.
    const bad = [
      [{ title: '' }, 'the summary has no title'],
      [{ title: 'x'.repeat(301) }, 'the title is 301 characters long; the limit is 300'],
      [{ case: [] }, 'the summary has no "The Case" bullets'],
      [{ tags: ['  '] }, 'the summary has no tags'],
      [{ timeSaved: 'soon' }, 'cannot read the time saved "soon" (expected e.g. "38 min" or "1h 05m")'],
      [{ sourceUrl: 'ftp://x' }, '"source_url" is not a valid http(s) URL'],
      [{ date: '2026-11-24', week: '2026-W50' }, 'the date 2026-11-24 is in 2026-W48, not 2026-W50: change one of them'],
      [{ date: '2026-11-31' }, 'the date 2026-11-31 is not a real date'],
      [{ date: '24.11.2026' }, 'invalid request: body.date: must be a date like 2026-11-23'],
      [{ title: 'vector search INSIDE postgres' }, `summary ${await idOf('Vector search inside Postgres')} in ${WEEK} already has this title; a week holds one summary per title`],
    ] as const;
    for (const [edit, message] of bad) {
      const res = await api('PUT', `/summaries/${id}`, edit);
      expect([400, 409], JSON.stringify(edit)).toContain(res.statusCode);
      expect(json(res).error).toBe(message);
    }
    expect(json(await api('PUT', `/summaries/${id}`, {}))).toMatchObject({ issues: [{ path: 'body' }] });

    const ok = json(await api('PUT', `/summaries/${id}`, { title: ' Twin, corrected ', tags: ['Rust', ' rust ', 'AI'], timeSaved: '1h 05m', case: ['a', '', 'b'] }));
    expect(ok).toMatchObject({ outcome: 'updated', summary: { title: 'Twin, corrected', tags: ['Rust', 'AI'], timeSavedMinutes: 65, casePoints: ['a', 'b'], updatedBy: 'api:tests' } });
    expect(json(await api('PUT', `/summaries/${id}`, { title: 'Twin, corrected' }))).toMatchObject({ outcome: 'unchanged' });

    // The admin page: the form filled with the summary; a refused edit keeps what was typed.
    const page = await b.get(`/admin/summaries/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="Twin, corrected"');
    expect(page.body).toContain('value="65 min"');
    const fields = { title: 'Twin, corrected', signal: 'Why it matters.', case: 'a\r\nb', take: 'The take.', tags: 'Rust, AI', time_saved: '65 min', date: '2026-11-24', week: WEEK };
    const refused = await b.submit(`/admin/summaries/${id}`, `/admin/summaries/${id}`, { ...fields, source_url: 'not a link' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Not saved: &quot;source_url&quot; is not a valid http(s) URL.');
    expect(refused.body).toContain('value="not a link"');
    const saved = await b.submit(`/admin/summaries/${id}`, `/admin/summaries/${id}`, { ...fields, title: 'Twin, by the editor', date: '2026-12-08' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/summaries/${id}?done=saved`);
    const after = json(await api('GET', `/summaries/${id}`)).summary;
    expect(after).toMatchObject({ title: 'Twin, by the editor', week: '2026-W50', date: '2026-12-08', updatedBy: 'admin' });
    const shown = await b.get(`/admin/summaries/${id}?done=saved`);
    expect(shown.body).toContain('Summary saved.');
    expect(shown.body.replace(/<!-- -->/g, '')).toMatch(/Last changed<\/dt><dd>[^<]+by admin<\/dd>/);

    // The file imported again unchanged keeps the edit.
    const again = json(await api('POST', '/summaries/import', { files: [{ name: 'a.md', content: markdown('Twin') }] }));
    expect(again).toMatchObject({ unchanged: 1 });
    expect(json(await api('GET', `/summaries/${id}`)).summary.title).toBe('Twin, by the editor');
  });

  it('hides a summary from issues planned later and from the archive; an issue already planned keeps it', async () => {
    const [keep, hide] = [await idOf('Vector search inside Postgres'), await idOf('Twin, by the editor')];
    await api('PUT', `/summaries/${hide}`, { week: WEEK, date: null });
    await t.db.query(`insert into subscribers (email, status) values ('r@example.com', 'active')`);
    await t.db.query(`insert into subscriptions (subscriber_id, tag_id) select s.id, t.id from subscribers s, tags t`);
    const planned = await plannedIssue(t.db, WEEK);
    expect((await summariesForIssue(t.db, planned.id)).map((s) => s.id).sort()).toEqual([keep, hide].sort());

    const changedBefore = await t.db.query<{ at: Date }>(`select updated_at as at from summaries where id = $1`, [hide]);
    const hidden = json(await api('POST', `/summaries/${hide}/hide`));
    expect(hidden.summary).toMatchObject({ id: hide, hiddenBy: 'api:tests' });
    expect(hidden.summary.hiddenAt).toBeTruthy();
    // Planned before: keeps both. The week's digests from now on: without it.
    expect((await summariesForIssue(t.db, planned.id)).map((s) => s.id).sort()).toEqual([keep, hide].sort());
    expect((await summariesForWeek(t.db, WEEK)).map((s) => s.id)).toEqual([keep]);

    // The archive of an issue sent with it leaves it out once hidden.
    await t.db.query(`update issues set status = 'sent', finished_at = now() where id = $1`, [planned.id]);
    const archive = await r.app.inject({ url: `/archive/${planned.id}` });
    expect(archive.statusCode).toBe(200);
    expect(archive.body).toContain('Vector search inside Postgres');
    expect(archive.body).not.toContain('Twin, by the editor');
    // The index counts only what the issue page shows; hiding was a change of the summary, which the
    // archive's Last-Modified (archiveUpdatedAt) follows, so a feed reader asking If-Modified-Since sees it.
    expect((await sentIssues(t.db, 100, 0)).find((i) => i.id === planned.id)).toMatchObject({ summaries: 1 });
    const [changed] = await t.db.query<{ at: Date }>(`select updated_at as at from summaries where id = $1`, [hide]);
    expect(changed!.at.getTime()).toBeGreaterThan(changedBefore[0]!.at.getTime());
    expect((await archiveUpdatedAt(t.db))!.getTime()).toBeGreaterThanOrEqual(changed!.at.getTime());
    // An issue planned afterwards (here the week's next edition): without it.
    const later = await sentIssue(t.db, WEEK);
    expect((await summariesForIssue(t.db, later.id)).map((s) => s.id)).toEqual([keep]);

    // The admin list marks it; its page says since when and by whom, and offers to show it again.
    const list = await b.get(`/admin/summaries?week=${WEEK}`);
    expect(list.body).toContain('<span class="status status-hidden">hidden</span>');
    const page = await b.get(`/admin/summaries/${hide}`);
    expect(page.body.replace(/<!-- -->/g, '')).toMatch(/Hidden since [^<]+by api:tests/);
    expect(page.body).toContain(`action="/admin/summaries/${hide}/show"`);
    const again = await b.submit(`/admin/summaries/${hide}`, `/admin/summaries/${hide}/show`, {});
    expect(again.headers.location).toBe(`/admin/summaries/${hide}?done=shown`);
    expect((await summariesForWeek(t.db, WEEK)).map((s) => s.id).sort()).toEqual([keep, hide].sort());
    expect((await r.app.inject({ url: `/archive/${planned.id}` })).body).toContain('Twin, by the editor');
    const viaAdmin = await b.submit(`/admin/summaries/${hide}`, `/admin/summaries/${hide}/hide`, {});
    expect(viaAdmin.headers.location).toBe(`/admin/summaries/${hide}?done=hidden`);
    expect(json(await api('GET', `/summaries/${hide}`)).summary.hiddenBy).toBe('admin');
  });

  it('deletes a summary no issue holds, and refuses one that went out, saying to hide it, on every face', async () => {
    const sent = await idOf('Vector search inside Postgres');
    const reason = (issue: number) => `summary ${sent} went out in issue ${issue}, which was sent: it stays on record; hide it instead (it leaves later issues and the archive)`;
    const refused = await api('DELETE', `/summaries/${sent}`);
    expect(refused.statusCode).toBe(409);
    const issue = Number(/issue (\d+)/.exec(json(refused).error)![1]);
    expect(json(refused)).toMatchObject({ error: reason(issue) });
    const page = await b.submit(`/admin/summaries/${sent}`, `/admin/summaries/${sent}/delete`, {});
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain(`${reason(issue)[0]!.toUpperCase()}${reason(issue).slice(1)}.`);
    expect((await b.get(`/admin/summaries/${sent}`)).body).toContain('It went out in a sent issue, so it cannot be deleted: hide it instead.');

    const lone = json(await api('POST', '/summaries/import', { files: [{ name: 'lone.md', content: markdown('Lone one') }] })).results[0];
    expect(lone.outcome).toBe('created');
    const id = await idOf('Lone one');
    const del = await b.submit(`/admin/summaries/${id}`, `/admin/summaries/${id}/delete`, {});
    expect(del.statusCode).toBe(303);
    expect((await b.get(del.headers.location as string)).body).toContain(`Summary ${id} deleted.`);
    expect((await api('GET', `/summaries/${id}`)).statusCode).toBe(404);
    expect((await api('DELETE', `/summaries/${id}`)).statusCode).toBe(404);
    expect((await b.get(`/admin/summaries/${id}`)).statusCode).toBe(404);
    expect((await b.get('/admin/summaries/abc')).statusCode).toBe(404);

    const cliRefused = await cli('summaries', 'delete', String(sent));
    expect(cliRefused).toMatchObject({ code: 1, stdout: '', stderr: `tagcast: ${reason(issue)}\n` });
  });

  it('tagcast summaries list, show, hide, unhide and delete, recorded as the CLI', async () => {
    const id = await idOf('Twin, by the editor');
    const list = await cli('summaries', 'list', '--week', WEEK);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${WEEK}: 2 summaries\nid\tstate\ttags\ttitle\n`);
    expect(list.stdout).toContain(`${id}\thidden\tRust, AI\tTwin, by the editor\n`);
    const unhide = await cli('summaries', 'unhide', String(id));
    expect(unhide.stdout).toBe(`summary ${id} shown again: "Twin, by the editor" is in new issues of ${WEEK} and in the archive\n`);
    const hide = await cli('summaries', 'hide', String(id));
    expect(hide.stdout).toBe(`summary ${id} hidden: "Twin, by the editor" is left out of new issues and the archive (tagcast summaries unhide ${id} shows it again)\n`);
    const show = await cli('summaries', 'show', String(id));
    expect(show.stdout).toMatch(new RegExp(`^summary ${id}: Twin, by the editor\n  week: +${WEEK}\n  state: +hidden since \\S+ \\S+ UTC by cli: `));
    expect(show.stdout).toContain('  identity:   2026-W48/a (last imported from a.md)\n');
    expect(await cli('summaries', 'show', '999999')).toMatchObject({ code: 1, stderr: 'tagcast: there is no summary 999999\n' });
    expect(await cli('summaries', 'show', '1e3')).toMatchObject({ code: 2, stderr: 'tagcast: "1e3" is not a summary id (see tagcast summaries list)\n' });
    expect((await cli('import', '--week', 'W48', path.join(dir, 'content'))).code).toBe(2);
    const lone = json(await api('POST', '/summaries/import', { files: [{ name: 'gone.md', content: markdown('Gone soon') }] })).results[0];
    expect(lone.outcome).toBe('created');
    const gone = await idOf('Gone soon');
    expect((await cli('summaries', 'delete', String(gone))).stdout).toBe(`summary ${gone} deleted (importing its file again brings it back)\n`);
    expect(await rows()).toBe(2);
  });

  it('migration 010 merges the duplicates made before it, keeping the issues that held them', async () => {
    const sql = readFileSync('src/db/migrations/010_summary_identity.sql', 'utf8');
    const merge = sql.slice(sql.indexOf('-- The new key of every row'));
    await t.db.exec('drop index summaries_one_title_per_week');
    // As the old importer stored them: by the CLI (week folder + name) and the upload form (bare name).
    const issue = await plannedIssue(t.db, '2026-W40');
    const put = async (key: string, title: string, at: string) =>
      (
        await t.db.query<{ id: number }>(
          `insert into summaries (source_key, content_hash, week, title, signal, take, updated_at) values ($1, 'h', '2026-W40', $2, 's', 't', $3) returning id`,
          [key, title, at],
        )
      )[0]!.id;
    const cliRow = await put('2026-W40/dup.md', 'Dup', '2026-10-01T00:00:00Z');
    const uploadRow = await put('dup.md', 'Dup', '2026-10-02T00:00:00Z');
    const renamed = await put('2026-W40/dup-copy.txt', ' dup ', '2026-09-30T00:00:00Z');
    const other = await put('2026-W40/other.md', 'Other', '2026-10-01T00:00:00Z');
    const idKey = await put('id:kept', 'By id', '2026-10-01T00:00:00Z');
    await t.db.query(`insert into issue_summaries (issue_id, summary_id) values ($1, $2), ($1, $3)`, [issue.id, cliRow, renamed]);

    await t.db.tx((tx) => tx.exec(merge));

    const left = await t.db.query<{ id: number; key: string }>(`select id, source_key as key from summaries where week = '2026-W40' order by id`);
    expect(left).toEqual([
      { id: uploadRow, key: '2026-W40/dup' },
      { id: other, key: '2026-W40/other' },
      { id: idKey, key: 'id:kept' },
    ]);
    const held = await t.db.query<{ id: number }>(`select summary_id as id from issue_summaries where issue_id = $1 order by 1`, [issue.id]);
    expect(held).toEqual([{ id: uploadRow }]);
    await expect(t.db.query(`insert into summaries (source_key, content_hash, week, title, signal, take) values ('y', 'h', '2026-W40', 'DUP', 's', 't')`)).rejects.toMatchObject({
      code: '23505',
    });
  });
});

describe.sequential(`tagcast import and tagcast summaries beside a running server on ${process.env.TAGCAST_TEST_DB}`, () => {
  const setup = cliSetup('summaries-api', { LOG_LEVEL: 'warn', SECRET: 'summaries-api-secret-0123456789abcdef' });

  it.skipIf(process.env.TAGCAST_TEST_DB !== 'pglite')('runs through the API of `tagcast serve` and prints what the local command prints', async () => {
    const { t, dir, env } = setup;
    const port = await freePort();
    const apiFile = path.join(t.env.DATA_DIR!, API_FILE);
    const server: ChildProcess = spawnTagcast(['serve'], { ...env, PORT: String(port) });
    let serverErr = '';
    server.stderr!.on('data', (d) => (serverErr += d));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      await eventually(() => existsSync(apiFile) && readFileSync(apiFile, 'utf8').endsWith('\n'), {
        what: `tagcast serve to write ${API_FILE}`,
        stopIf: () => server.exitCode !== null && `serve exited with code ${server.exitCode}: ${serverErr}`,
      });
      const folder = path.join(dir, 'content', WEEK);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'vector-search.md'), markdown('Vector search in Postgres'));
      writeFileSync(path.join(folder, 'bad.md'), '---\ntitle: x\n---\n');
      const first = await inProcess(['import', path.join(dir, 'content')], env);
      expect(first.stdout).toBe('imported 1 of 2 files: 1 new, 0 updated, 0 unchanged; 1 failed\n');
      expect(first.stderr).toMatch(/bad\.md:\d+: /);
      expect(first.code).toBe(1);
      const again = await inProcess(['import', path.join(folder, 'vector-search.md')], env);
      expect(again).toMatchObject({ code: 0, stdout: 'imported 1 of 1 files: 0 new, 0 updated, 1 unchanged\n' });

      const list = await inProcess(['summaries', 'list'], env);
      const id = /^(\d+)\tshown\tDatabases, AI\tVector search in Postgres$/m.exec(list.stdout)?.[1];
      expect(id, list.stdout).toBeDefined();
      expect((await inProcess(['summaries', 'hide', id!], env)).stdout).toContain(`summary ${id} hidden:`);
      const show = await inProcess(['summaries', 'show', id!], env);
      expect(show.stdout).toMatch(new RegExp(`state: +hidden since .* by api:${LOCAL_TOKEN_NAME}:`));
      expect(show.stdout).toMatch(/imported: +\S+ \S+ UTC by api:/);
      expect((await inProcess(['summaries', 'unhide', id!], env)).code).toBe(0);
      expect(await inProcess(['summaries', 'show', '424242'], env)).toMatchObject({ code: 1, stderr: 'tagcast: there is no summary 424242\n' });
      expect((await inProcess(['summaries', 'delete', id!], env)).stdout).toBe(`summary ${id} deleted (importing its file again brings it back)\n`);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited, serverErr).toBe(0);
  });
});
