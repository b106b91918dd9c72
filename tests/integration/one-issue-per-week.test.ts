// No week is sent twice by accident (issue 16): the database keeps one live issue per week and
// edition, and every face says so — the editor operation, the JSON API (409 naming the issue), the
// admin pages (a page linking to it, never a 500), the weekly schedule (records it, does nothing) and
// the CLI (exit 1, one line). Two creates at once: one wins. Sending a week again is its own action,
// with a reason, shown in the archive as a correction. "Send now" asks once, with the readers it reaches.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { createIssue, getIssue, readersForWeek, WeekTakenError } from '../../src/db/issues.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { enqueueTo } from '../../src/enqueue.ts';
import { cancelIssue, createWeekIssue, IssueStateError } from '../../src/issues.ts';
import { runOccurrence } from '../../src/schedule.ts';
import { cliSetup } from '../support/cli-setup.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import { tagcast } from '../support/process.ts';
import { signalLines } from '../support/summary-files.ts';
import { addSummaries, Browser, csrfField, readerApp, sentIssue, type ReaderApp } from '../support/reader.ts';
import { inProcess } from '../support/in-process.ts';

const PASSWORD = 'correct horse battery staple';

describe.sequential(`one live issue per week on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;
  let b: Browser;
  let token: string;

  const reader = (email: string, tags: string[], status: SubscriberInput['status'] = 'active'): SubscriberInput => ({ email, name: null, timeZone: 'UTC', tags, status, source: 'test' });
  const live = async (week: string) =>
    (await t.db.query<{ id: number; edition: number }>(`select id, edition from issues where week = $1 and status not in ('cancelled', 'failed') order by id`, [week]));

  beforeAll(async () => {
    t = await createTestDb();
    h = await createHarness(t.db);
    for (const week of ['2026-W40', '2026-W41', '2026-W42', '2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47']) {
      await addSummaries(t.db, week, [{ title: `News of ${week}`, tags: ['AI'] }]);
    }
    await upsertSubscribers(t.db, [
      reader('a1@example.test', ['AI']),
      reader('a2@example.test', ['AI', 'Rust']),
      reader('a3@example.test', ['AI']),
      reader('rust@example.test', ['Rust']), // follows nothing with content: not reached
      reader('gone@example.test', ['AI'], 'unsubscribed'),
    ]);
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD }, deps: { now: () => new Date(), queues: async () => h.queues, provider: h.provider } });
    b = new Browser(r.app, '198.51.100.160');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
    token = (await createApiToken(t.db, 'one-issue-per-week')).token;
  });
  afterAll(async () => {
    await r?.app.close();
    await h?.close();
    await t?.drop();
  });

  const api = (method: 'GET' | 'POST', url: string, body?: object) =>
    r.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
  const json = (res: LightMyRequestResponse) => res.json() as Record<string, any>;
  async function adminPost(url: string, fields: Record<string, string> = {}) {
    const page = await b.get('/admin/issues');
    return b.post(url, { _csrf: csrfField(page.body)!, ...fields });
  }

  it('refuses a second issue for a draft, scheduled or sent week in the database; a cancelled one does not block', async () => {
    const draft = await createIssue(t.db, { week: '2026-W40', engine: 'react', subject: null });
    const taken = await createIssue(t.db, { week: '2026-W40', engine: 'mjml', subject: null }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(WeekTakenError);
    expect(taken).toMatchObject({ week: '2026-W40', existing: { id: draft.id, status: 'draft' } });

    await t.db.query(`update issues set status = 'scheduled', send_at = now() + interval '1 day' where id = $1`, [draft.id]);
    await expect(createIssue(t.db, { week: '2026-W40', engine: 'react', subject: null })).rejects.toMatchObject({ existing: { id: draft.id, status: 'scheduled' } });

    const sent = await sentIssue(t.db, '2026-W41');
    await expect(createWeekIssue(t.db, { week: '2026-W41', engine: 'react', subject: null })).rejects.toMatchObject({ existing: { id: sent.id, status: 'sent' } });

    // Not a check in code: a plain INSERT is refused by the unique index itself.
    await expect(t.db.query(`insert into issues (week, engine) values ('2026-W41', 'react')`)).rejects.toThrow(/issues_one_live_per_week/);

    await cancelIssue(t.db, draft.id);
    const fresh = await createIssue(t.db, { week: '2026-W40', engine: 'react', subject: null });
    expect(fresh).toMatchObject({ week: '2026-W40', edition: 1, againOf: null, status: 'draft' });
    expect((await live('2026-W40')).map((i) => i.id)).toEqual([fresh.id]);
  });

  it('two creates of one week at once: exactly one wins', async () => {
    for (const week of ['2026-W42', '2026-W43']) {
      const results = await Promise.allSettled([
        createWeekIssue(t.db, { week, engine: 'react', subject: null }),
        createWeekIssue(t.db, { week, engine: 'mjml', subject: null }),
        createWeekIssue(t.db, { week, engine: 'react', subject: 'Third' }),
      ]);
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      for (const x of results.filter((x) => x.status === 'rejected')) expect((x as PromiseRejectedResult).reason).toBeInstanceOf(WeekTakenError);
      expect(await live(week)).toHaveLength(1);
    }
  });

  it('sends a sent week again only on purpose: with a reason, as the next edition; two at once: one wins', async () => {
    const week = '2026-W41';
    const [first] = await live(week);
    await expect(createWeekIssue(t.db, { week: '2026-W44', engine: 'react', subject: null, again: { reason: 'typo' } })).rejects.toThrow(/no sent issue/);
    for (const reason of ['', '   ', 'two\nlines', 'x'.repeat(501)]) {
      await expect(createWeekIssue(t.db, { week, engine: 'react', subject: null, again: { reason } })).rejects.toBeInstanceOf(IssueStateError);
    }
    const results = await Promise.allSettled([
      createWeekIssue(t.db, { week, engine: 'react', subject: null, again: { reason: 'the first link was broken' } }),
      createWeekIssue(t.db, { week, engine: 'react', subject: null, again: { reason: 'the first link was broken' } }),
    ]);
    const won = results.filter((x): x is PromiseFulfilledResult<Awaited<ReturnType<typeof createWeekIssue>>> => x.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(won[0]!.value).toMatchObject({ week, edition: 2, againOf: first!.id, againReason: 'the first link was broken', status: 'draft' });
    // While that correction is not sent, another is refused (send or cancel it first).
    await expect(createWeekIssue(t.db, { week, engine: 'react', subject: null, again: { reason: 'again' } })).rejects.toMatchObject({ existing: { id: won[0]!.value.id, status: 'draft' } });
    await cancelIssue(t.db, won[0]!.value.id);
  });

  it('the API answers 409 naming the issue; again needs a reason (400); two posts at once: one 201', async () => {
    const [held] = await live('2026-W42');
    const second = await api('POST', '/issues', { week: '2026-W42' });
    expect(second.statusCode).toBe(409);
    expect(json(second)).toMatchObject({ week: '2026-W42', existing: { id: held!.id, status: 'draft' } });
    expect(json(second).error).toBe(`week 2026-W42 already has issue ${held!.id} (draft)`);

    const sent = await api('POST', '/issues', { week: '2026-W41' });
    expect(sent.statusCode).toBe(409);
    expect(json(sent).error).toMatch(/already has issue \d+ \(sent\); to send that week again on purpose, post again: true with a reason/);

    expect(json(await api('POST', '/issues', { week: '2026-W41', again: true })).issues.map((i: { path: string }) => i.path)).toEqual(['body.reason']);
    expect((await api('POST', '/issues', { week: '2026-W41', again: true, reason: 'a\u0007b' })).statusCode).toBe(400);
    expect((await api('POST', '/issues', { week: '2026-W41', reason: 'no again' })).statusCode).toBe(400);
    expect((await api('POST', '/issues', { week: '2026-W44', again: true, reason: 'never sent' })).statusCode).toBe(409);

    const again = await api('POST', '/issues', { week: '2026-W41', again: true, reason: 'API correction' });
    expect(again.statusCode, again.body).toBe(201);
    expect(json(again).issue).toMatchObject({ edition: 2, againReason: 'API correction' });
    await cancelIssue(t.db, json(again).issue.id);

    const both = await Promise.all([api('POST', '/issues', { week: '2026-W44' }), api('POST', '/issues', { week: '2026-W44' })]);
    expect(both.map((x) => x.statusCode).sort()).toEqual([201, 409]);
    expect(await live('2026-W44')).toHaveLength(1);
  });

  it('the admin page: "Create draft" twice answers with a link to the existing issue, never a 500', async () => {
    const first = await adminPost('/admin/issues', { week: '2026-W45', engine: 'react', subject: '' });
    expect(first.statusCode, first.body).toBe(303);
    const id = Number(/\/admin\/issues\/(\d+)/.exec(String(first.headers.location))![1]);
    const again = await adminPost('/admin/issues', { week: '2026-W45', engine: 'react', subject: '' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(`Week 2026-W45 already has issue ${id} (draft).`);
    expect(again.body).toContain(`<a href="/admin/issues/${id}">Go to issue ${id}</a>`);
    expect(await live('2026-W45')).toHaveLength(1);
  });

  it('"Send now" asks once with the readers it reaches, then sends; a sent issue offers "Send this week again"', async () => {
    const [draft] = await live('2026-W45');
    expect(await readersForWeek(t.db, '2026-W45')).toBe(3);
    const ask = await adminPost(`/admin/issues/${draft!.id}/send`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toMatch(/It reaches <strong class="reach">3 readers<\/strong>/);
    expect(ask.body).toContain('<input type="hidden" name="confirm" value="yes"/>');
    expect(csrfField(ask.body)).toBeTruthy();
    expect((await getIssue(t.db, draft!.id))!.status).toBe('draft'); // asking sent nothing
    const schedAsk = await adminPost(`/admin/issues/${draft!.id}/schedule`, { date: '2030-03-04', time: '09:30', time_zone: 'UTC' });
    expect(schedAsk.body).toContain('3 readers');
    expect((await getIssue(t.db, draft!.id))!.status).toBe('draft');

    const go = await b.post(`/admin/issues/${draft!.id}/send`, { _csrf: csrfField(ask.body)!, confirm: 'yes' });
    expect(go.headers.location).toBe(`/admin/issues/${draft!.id}?done=sending`);
    expect((await getIssue(t.db, draft!.id))!.status).toBe('scheduled');

    // The sent week's own button: a reason, then a new draft recorded as a correction.
    const sent = (await live('2026-W41'))[0]!;
    const page = await b.get(`/admin/issues/${sent.id}`);
    expect(page.body).toContain(`action="/admin/issues/${sent.id}/again"`);
    const noReason = await adminPost(`/admin/issues/${sent.id}/again`, { reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    const made = await adminPost(`/admin/issues/${sent.id}/again`, { reason: 'Admin correction' });
    expect(made.statusCode, made.body).toBe(303);
    const correction = Number(/\/admin\/issues\/(\d+)\?done=created-again/.exec(String(made.headers.location))![1]);
    expect(await getIssue(t.db, correction)).toMatchObject({ againOf: sent.id, againReason: 'Admin correction', status: 'draft' });
    expect((await b.get(`/admin/issues/${correction}`)).body).toContain(`of <a href="/admin/issues/${sent.id}">issue ${sent.id}</a>: Admin correction`);
    const twice = await adminPost(`/admin/issues/${sent.id}/again`, { reason: 'Admin correction' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain(`<a href="/admin/issues/${correction}">Go to issue ${correction}</a>`);
  });

  it('the weekly schedule finds the week taken and does nothing but record why', async () => {
    const enqueue = enqueueTo(h.queues);
    const s = { weekday: 1, time: '08:00', timeZone: 'UTC', local: false, engine: null, week: 'current' as const };
    // 2026-10-05 is in 2026-W41, which was sent.
    const before = await t.db.query(`select count(*)::int as n from issues`);
    const run = await runOccurrence(t.db, enqueue, s, '2026-10-05', new Date('2026-10-05T08:00:01Z'), 'react');
    expect(run).toMatchObject({ outcome: 'found', week: '2026-W41' });
    expect(run.reason).toMatch(/^already draft \(a correction of issue \d+, sent by an editor\)$/);
    expect(await t.db.query(`select count(*)::int as n from issues`)).toEqual(before);
    const [row] = await t.db.query<{ outcome: string }>(`select outcome from schedule_runs where week = '2026-W41'`);
    expect(row!.outcome).toMatch(/^found issue \d+: already draft \(a correction of issue \d+, sent by an editor\)$/);

    // A run and an editor creating the same week at once: one issue, and the run still recorded.
    const week = '2026-W46'; // 2026-11-09
    const [ran] = await Promise.all([
      runOccurrence(t.db, enqueue, s, '2026-11-09', new Date('2026-11-09T08:00:01Z'), 'react'),
      createWeekIssue(t.db, { week, engine: 'react', subject: null }).catch((e: unknown) => e),
    ]);
    expect(['created', 'found']).toContain(ran.outcome);
    expect(await live(week)).toHaveLength(1);
  });

  it('the archive shows a sent correction as "Correction of issue N: reason", on its page and in the feed', async () => {
    const original = await sentIssue(t.db, '2026-W47');
    const correction = await createWeekIssue(t.db, { week: '2026-W47', engine: 'react', subject: null, again: { reason: 'the Rust link pointed at the wrong talk' } });
    await t.db.query(`update issues set status = 'scheduled', send_at = now() where id = $1`, [correction.id]);
    const { planIssue, finalizeIssue } = await import('../../src/db/issues.ts');
    await planIssue(t.db, correction.id, 100);
    await t.db.query(`update deliveries set status = 'submitted', submitted_at = now() where issue_id = $1 and status = 'pending'`, [correction.id]);
    expect((await finalizeIssue(t.db, correction.id))!.status).toBe('sent');

    const note = `<strong>Correction</strong> of <a href="/archive/${original.id}">issue ${original.id}</a>: the Rust link pointed at the wrong talk`;
    expect((await b.get('/archive')).body).toContain(note);
    expect((await b.get(`/archive/${correction.id}`)).body).toContain(note);
    expect((await b.get(`/archive/${original.id}`)).body).not.toContain('Correction');
    const feed = (await b.get('/feed.xml')).body;
    expect(feed).toContain(`(correction of issue ${original.id})</title>`);
    expect(feed).toContain('the Rust link pointed at the wrong talk');
    // Feed readers resolve no relative link: the correction's link to the issue it corrects is absolute.
    expect(feed).toMatch(new RegExp(`href=(&quot;|")https://[^"&]+/archive/${original.id}(&quot;|")(&gt;|>)issue ${original.id}`));
  });
});

// The commands run in this process through main(), the entry point the binary calls; the race between
// two creates needs two real processes.
describe.sequential(`one live issue per week through the CLI on ${process.env.TAGCAST_TEST_DB}`, () => {
  const setup = cliSetup('week', {});

  it('a second create is exit 1 with one line naming the issue and how to send again on purpose; --again needs --reason', async () => {
    const { env } = setup;
    const first = await inProcess(['issue', 'create', '--week', '2026-W48'], env);
    expect(first.code, first.stderr).toBe(0);
    const id = /created issue (\d+)/.exec(first.stdout)![1]!;
    const second = await inProcess(['issue', 'create', '--week', '2026-W48', '--engine', 'mjml'], env);
    expect(second).toMatchObject({ code: 1, stderr: `tagcast: week 2026-W48 already has issue ${id} (draft); send that one (tagcast issue send ${id}), or cancel it first (tagcast issue cancel ${id})\n` });

    const noReason = await inProcess(['issue', 'create', '--week', '2026-W48', '--again'], env);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/^tagcast: --again: sending a week again needs --reason "what changed"/);
    expect((await inProcess(['issue', 'create', '--week', '2026-W48', '--reason', 'why'], env)).code).toBe(2);
    const notSent = await inProcess(['issue', 'create', '--week', '2026-W48', '--again', '--reason', 'too early'], env);
    expect(notSent.code).toBe(1);
    expect(notSent.stderr).toContain('not sent yet: sending again is only for a week already sent');

    // No summaries and no readers that week: it is sent to nobody, and the count says so first.
    const sent = await inProcess(['issue', 'send', id, '--wait'], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(new RegExp(`^issue ${id} reaches 0 readers`));
    const afterSent = await inProcess(['issue', 'create', '--week', '2026-W48'], env);
    expect(afterSent).toMatchObject({
      code: 1,
      stderr: `tagcast: week 2026-W48 already has issue ${id} (sent); to send that week again on purpose: tagcast issue create --week 2026-W48 --again --reason "what changed"\n`,
    });

    const again = await inProcess(['issue', 'create', '--week', '2026-W48', '--again', '--reason', 'the summary had the wrong link'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^created issue (\\d+) for 2026-W48 \\(react, draft, correction of issue ${id}\\)\\n$`));
    const list = await inProcess(['issue', 'list'], env);
    expect(list.stdout).toContain(`\tcorrection of issue ${id}: the summary had the wrong link\n`);
    const correction = /created issue (\d+)/.exec(again.stdout)![1]!;

    // The weekly job never sends a correction by itself: it says how, and reports the sent issue.
    const folder = path.join(setup.dir, 'content', '2026-W48');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'one.txt'), `${signalLines().join('\n')}\n`);
    const digest = await inProcess(['digest', '--week', '2026-W48', '--content', path.join(setup.dir, 'content')], env);
    expect(digest.code, digest.stderr).toBe(0);
    expect(digest.stdout).toContain(`issue ${correction} is a correction of issue ${id}, not sent yet: send it on purpose with tagcast issue send ${correction}\n`);
    expect(digest.stdout).toContain(`issue ${id} was already sent; nothing sent again\n`);
  });

  // Two processes on one embedded database cannot both open it, so "at once" is PostgreSQL's.
  it.runIf(process.env.TAGCAST_TEST_DB === 'postgres')('two creates of one week at once from two processes: one wins', async () => {
    const runs = await Promise.all([1, 2].map(() => tagcast(['issue', 'create', '--week', '2026-W49'], setup.env)));
    expect(runs.map((x) => x.code).sort()).toEqual([0, 1]);
    expect(runs.find((x) => x.code === 1)!.stderr).toMatch(/^tagcast: week 2026-W49 already has issue \d+ \(draft\)/);
  });
});
