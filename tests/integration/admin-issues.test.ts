// The issue pages over HTTP with a real database and real Redis queues: create, schedule (at a time
// and at local time), send now, pause, resume, cancel — each good, with an unknown id (404), in the
// wrong state (409 with the reason) and with a bad body (400 with the reason), never a 500; the live
// progress of a real planned issue (counts, rate, ETA, waves, failures, skips, outcomes); the preview
// in a sandboxed frame; the test send through the provider; the tag-combination report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentIssueForWeek, getIssue } from '../../src/db/issues.ts';
import { cancelIssue } from '../../src/issues.ts';
import { issueName } from '../../src/digest/week.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { formatTime } from '../../src/web/admin/forms.ts';
import { PREVIEW_FRAME_CSP } from '../../src/web/admin/issues.tsx';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import { addSummaries, Browser, csrfField, plannedIssue, readerApp, type ReaderApp } from '../support/reader.ts';

const PASSWORD = 'correct horse battery staple';
const WEEK = '2026-W48';
const EMPTY_WEEK = '2026-W47';

describe.sequential(`admin issue pages on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;
  let noQueues: ReaderApp;
  let b: Browser;
  let clock: Date | null = null;
  const now = () => clock ?? new Date();

  const reader = (email: string, tags: string[]): SubscriberInput => ({ email, name: null, timeZone: 'Europe/Berlin', tags, status: 'active', source: 'test' });

  beforeAll(async () => {
    t = await createTestDb();
    h = await createHarness(t.db);
    await addSummaries(t.db, WEEK, [
      { title: 'Vector search in Postgres', tags: ['Databases', 'AI'] },
      { title: 'Agents that plan', tags: ['AI'] },
    ]);
    await addSummaries(t.db, '2026-W46', [{ title: 'Old news', tags: ['Rust'] }]);
    // 14 readers of AI (get a digest), 2 of Rust only (skipped: no content this week).
    await upsertSubscribers(t.db, [
      ...Array.from({ length: 14 }, (_, n) => reader(`ai${String(n).padStart(2, '0')}@example.test`, n % 2 ? ['AI'] : ['AI', 'Databases'])),
      reader('rust1@example.test', ['Rust']),
      reader('rust2@example.test', ['Rust']),
    ]);
    const deps = { now, queues: async () => h.queues, provider: h.provider };
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD }, deps });
    noQueues = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD }, deps: { now } });
    b = new Browser(r.app, '198.51.100.200');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
  });
  afterAll(async () => {
    await r?.app.close();
    await noQueues?.app.close();
    await h?.close();
    await t?.drop();
  });

  /** Posts an editor's form (the CSRF field from the issues page). */
  async function post(url: string, fields: Record<string, string> = {}, browser = b) {
    const page = await browser.get('/admin/issues');
    return browser.post(url, { _csrf: csrfField(page.body)!, ...fields });
  }
  async function create(fields: Record<string, string> = {}) {
    // One live issue per week: each test's draft takes the place of the one before (cancelled).
    for (let live = await currentIssueForWeek(t.db, WEEK); live && live.status !== 'sent'; live = await currentIssueForWeek(t.db, WEEK)) await cancelIssue(t.db, live.id);
    const res = await post('/admin/issues', { week: WEEK, engine: 'react', subject: '', ...fields });
    expect(res.statusCode, res.body).toBe(303);
    const id = Number(/^\/admin\/issues\/(\d+)\?done=created$/.exec(String(res.headers.location))?.[1]);
    expect(id).toBeGreaterThan(0);
    return id;
  }
  const status = async (id: number) => (await getIssue(t.db, id))!.status;

  it('lists issues and creates one for a week with content: draft, engine and subject as chosen', async () => {
    const page = await b.get('/admin/issues');
    expect(page.statusCode).toBe(200);
    // Weeks are all past: the newest with content and no issue is offered first.
    expect(page.body).toContain(`<option value="2026-W48" selected="">${issueName('2026-W48')} · 2 summaries</option>`);
    expect(page.body).toContain(`${issueName('2026-W46')} · 1 summary`);
    const id = await create({ engine: 'mjml', subject: '  Week 48 picks  ' });
    // The week now says it has an issue, and the next open week is offered instead.
    const after = await b.get('/admin/issues');
    expect(after.body).toContain(`<option value="2026-W48">Week 48 · 23–29 Nov 2026 · 2 summaries · draft (issue ${id})</option>`);
    expect(after.body).toContain('<option value="2026-W46" selected="">Week 46 · 9–15 Nov 2026 · 1 summary</option>');
    expect(await getIssue(t.db, id)).toMatchObject({ week: WEEK, engine: 'mjml', subject: 'Week 48 picks', status: 'draft' });
    const shown = await b.get(`/admin/issues/${id}?done=created`);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Issue created as a draft.');
    expect(shown.body).toContain('Nobody has been sent it yet');
    expect((await b.get('/admin/issues')).body).toContain(`<a href="/admin/issues/${id}">Issue ${id}</a>`);
  });

  it('refuses a bad create with 400 and the reason', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ week: '2026-48' }, 'is not an ISO week like 2026-W48'],
      [{ week: '2026-W54' }, 'is not an ISO week'],
      [{ week: EMPTY_WEEK }, 'Week 2026-W47 has no summaries'],
      [{ engine: 'handlebars' }, 'the engine must be react or mjml'],
      [{ subject: 'two\nlines' }, 'subject contains a control character (U+000A)'],
      [{ subject: 'x'.repeat(201) }, 'at most 200 are allowed'],
    ];
    const before = (await t.db.query('select count(*)::int as n from issues'))[0];
    for (const [fields, reason] of cases) {
      const res = await post('/admin/issues', { week: WEEK, engine: 'react', subject: '', ...fields });
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      expect(res.body, JSON.stringify(fields)).toContain(reason);
    }
    expect((await t.db.query('select count(*)::int as n from issues'))[0]).toEqual(before);
  });

  it('answers 404 for an issue that does not exist, on every page and action', async () => {
    for (const url of ['/admin/issues/999999', '/admin/issues/abc', '/admin/issues/0', '/admin/issues/999999/progress', '/admin/issues/999999/combinations', '/admin/issues/999999/preview?email=a@b.test']) {
      const res = await b.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).toContain('there is no issue');
    }
    for (const action of ['schedule', 'schedule-local', 'send', 'pause', 'resume', 'cancel', 'test']) {
      const res = await post(`/admin/issues/999999/${action}`, { date: '2030-01-01', time: '09:00', local_time: '09:00', to: 'me@example.test' });
      expect(res.statusCode, action).toBe(404);
    }
  });

  it('schedules at a time in a time zone: the issue and its delayed plan job; a bad time is 400; the past is 400', async () => {
    const id = await create();
    const res = await post(`/admin/issues/${id}/schedule`, { date: '2030-03-04', time: '09:30', time_zone: 'Europe/Berlin', confirm: 'yes' });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/admin/issues/${id}?done=scheduled`);
    const issue = (await getIssue(t.db, id))!;
    expect(issue.status).toBe('scheduled');
    expect(issue.sendAt!.toISOString()).toBe('2030-03-04T08:30:00.000Z');
    const job = await h.queues.issues.getJob(`plan-issue-${id}`);
    expect(job && (await job.getState())).toBe('delayed');
    // Shown in the zone the editor chose, with UTC beside it (issue 20).
    expect(issue.sendTimeZone).toBe('Europe/Berlin');
    expect((await b.get(`/admin/issues/${id}`)).body).toContain(`${formatTime(issue.sendAt, 'Europe/Berlin')} (${formatTime(issue.sendAt, 'UTC')})`);

    for (const [fields, reason] of [
      [{ date: '2030-02-30', time: '09:30' }, '2030-02-30 is not a date'],
      [{ date: 'tomorrow', time: '09:30' }, 'Enter a date as YYYY-MM-DD'],
      [{ date: '2030-03-04', time: '25:00' }, 'Enter a time as HH:MM'],
      [{ date: '2030-03-04', time: '09:30', time_zone: 'Mars/Olympus' }, 'Choose a time zone from the list'],
      [{ date: '2020-03-04', time: '09:30', time_zone: 'UTC' }, 'has passed'],
    ] as const) {
      const bad = await post(`/admin/issues/${id}/schedule`, fields);
      expect(bad.statusCode, JSON.stringify(fields)).toBe(400);
      expect(bad.body, JSON.stringify(fields)).toContain(reason);
    }
    expect((await getIssue(t.db, id))!.sendAt!.toISOString()).toBe('2030-03-04T08:30:00.000Z');
  });

  it('schedules at each reader’s local time; a bad time is 400, a date passed everywhere is 409', async () => {
    const id = await create();
    const res = await post(`/admin/issues/${id}/schedule-local`, { date: '2030-03-04', local_time: '09:00', confirm: 'yes' });
    expect(res.statusCode, res.body).toBe(303);
    const issue = (await getIssue(t.db, id))!;
    expect(issue).toMatchObject({ status: 'scheduled', localTime: '09:00', localDate: '2030-03-04' });
    const localPage = (await b.get(`/admin/issues/${id}`)).body;
    expect(localPage).toContain('2030-03-04 at 09:00 in each reader’s time zone');
    // And when readers without a zone of their own get it, in DEFAULT_TIME_ZONE with UTC beside it.
    expect(localPage).toContain(`in ${r.config.defaultTimeZone}: `);
    const badTime = await post(`/admin/issues/${id}/schedule-local`, { date: '2030-03-04', local_time: '9am' });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.body).toContain('Enter a time as HH:MM');
    const past = await post(`/admin/issues/${id}/schedule-local`, { date: '2020-03-04', local_time: '09:00', confirm: 'yes' });
    expect(past.statusCode).toBe(409);
    expect(past.body).toContain('has passed in every time zone');
  });

  it('pauses, resumes and cancels; each in the wrong state is 409 with the reason', async () => {
    const id = await create();
    const pauseDraft = await post(`/admin/issues/${id}/pause`);
    expect(pauseDraft.statusCode).toBe(409);
    expect(pauseDraft.body).toContain(`Issue ${id} is draft; only a scheduled or sending issue can be paused.`);
    expect((await post(`/admin/issues/${id}/schedule`, { date: '2030-03-04', time: '09:30', time_zone: 'UTC', confirm: 'yes' })).statusCode).toBe(303);
    // The status shows inside the block the page refreshes, so it changes with the counts beside it.
    const block = (await b.get(`/admin/issues/${id}/progress`)).body;
    expect(block).toMatch(/^<section[^>]*id="progress"[^>]*data-status="scheduled"/);
    expect(block).toContain('<span class="status status-scheduled">scheduled</span>');
    // The buttons come from the transition table: a scheduled issue can be paused, not sent again.
    const scheduledPage = (await b.get(`/admin/issues/${id}`)).body;
    expect(scheduledPage).toContain(`action="/admin/issues/${id}/pause"`);
    expect(scheduledPage).not.toContain(`action="/admin/issues/${id}/again"`);
    expect((await post(`/admin/issues/${id}/pause`)).headers.location).toBe(`/admin/issues/${id}?done=paused`);
    expect(await status(id)).toBe('paused');
    expect((await b.get(`/admin/issues/${id}?done=paused`)).body).toContain('Paused. Batches not yet sent wait until you resume.');
    expect((await post(`/admin/issues/${id}/resume`)).headers.location).toBe(`/admin/issues/${id}?done=resumed`);
    expect(await status(id)).toBe('scheduled');
    expect((await post(`/admin/issues/${id}/cancel`)).headers.location).toBe(`/admin/issues/${id}?done=cancelled`);
    expect(await status(id)).toBe('cancelled');
    for (const [action, reason] of [
      ['cancel', 'it can no longer be cancelled'],
      ['resume', 'it can no longer be resumed'],
      ['send', 'it can no longer be sent'],
      ['schedule', 'it can no longer be scheduled'],
    ] as const) {
      const res = await post(`/admin/issues/${id}/${action}`, { date: '2030-03-04', time: '09:30', time_zone: 'UTC' });
      expect(res.statusCode, action).toBe(409);
      expect(res.body, action).toContain(reason);
    }
  });

  it('answers 503 for actions that need the queues when the server has none; pause works without them', async () => {
    const id = await create();
    const editor = new Browser(noQueues.app, '198.51.100.201');
    await editor.submit('/admin/login', '/admin/login', { password: PASSWORD });
    const res = await post(`/admin/issues/${id}/send`, { confirm: 'yes' }, editor);
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('no job queues');
    expect(await status(id)).toBe('draft');
  });

  it('sends now: the issue is scheduled for now and its plan job is waiting', async () => {
    const id = await create();
    const res = await post(`/admin/issues/${id}/send`, { confirm: 'yes' });
    expect(res.headers.location).toBe(`/admin/issues/${id}?done=sending`);
    expect(await status(id)).toBe('scheduled');
    const job = await h.queues.issues.getJob(`plan-issue-${id}`);
    expect(['waiting', 'prioritized', 'wait']).toContain(job && (await job.getState()));
  });

  it('shows the live progress of a planned issue: submitted of total, rate, ETA, waves, failures, skips and outcomes', async () => {
    const issue = await plannedIssue(t.db, WEEK);
    const at = new Date();
    clock = at;
    try {
      const ids = await t.db.query<{ subscriberId: number }>(`select subscriber_id as "subscriberId" from deliveries where issue_id = $1 and status = 'pending' order by subscriber_id`, [issue.id]);
      expect(ids).toHaveLength(14);
      const sub = ids.map((d) => d.subscriberId);
      const minutesAgo = (m: number) => new Date(at.getTime() - m * 60_000);
      // 6 submitted over the last 2 minutes (the first exactly 2 minutes ago), and one 20 minutes ago
      // outside the rate window; 2 failed; 3 pending now; 2 pending in a wave an hour away.
      for (const [n, ago] of [[0, 2], [1, 1.5], [2, 1], [3, 0.5], [4, 0.25], [5, 0], [6, 20]] as const) {
        await t.db.query(`update deliveries set status = 'submitted', submitted_at = $3, provider_id = 'p' || $2 where issue_id = $1 and subscriber_id = $2`, [issue.id, sub[n], minutesAgo(ago)]);
      }
      await t.db.query(`update deliveries set outcome = 'delivered' where issue_id = $1 and subscriber_id = any($2::int[])`, [issue.id, sub.slice(0, 3)]);
      await t.db.query(`update deliveries set outcome = 'bounced' where issue_id = $1 and subscriber_id = $2`, [issue.id, sub[3]]);
      await t.db.query(`update deliveries set status = 'failed', error = 'render: bad card' where issue_id = $1 and subscriber_id = any($2::int[])`, [issue.id, sub.slice(7, 9)]);
      const wave = new Date(Math.ceil(at.getTime() / 60_000) * 60_000 + 3_600_000);
      await t.db.query(`update deliveries set send_at = $3 where issue_id = $1 and subscriber_id = any($2::int[])`, [issue.id, sub.slice(12, 14), wave]);

      const page = await b.get(`/admin/issues/${issue.id}`);
      expect(page.statusCode).toBe(200);
      const text = page.body.replace(/<!-- -->/g, '');
      expect(text).toContain('<strong>7</strong> of 14 submitted <span class="muted">(50%)</span>');
      // 6 in the window, which began 2 minutes ago: 3 a minute. 3 due ÷ 3 a minute: a minute.
      expect(text).toContain('3 emails a minute (last 5 min)');
      expect(text).toContain(`<dt>ETA</dt><dd>about 1 min (${formatTime(new Date(at.getTime() + 60_000), r.config.defaultTimeZone)})</dd>`);
      expect(text).toContain('<dt>Pending</dt><dd>5</dd>');
      // The wave an hour away, then its 2 at 3 a minute: 40 s after it starts.
      expect(text).toContain(`<dt>All out by</dt><dd>${formatTime(new Date(wave.getTime() + 40_000), r.config.defaultTimeZone)}</dd>`);
      expect(text).toMatch(/<td>at once<\/td><td class="num">7<\/td><td class="num">3<\/td><td>sending<\/td>/);
      expect(text).toContain(`<td>${formatTime(wave, r.config.defaultTimeZone)}</td><td class="num">0</td><td class="num">2</td><td>waiting</td>`);
      expect(text).toContain('<td>render: bad card</td><td class="num">2</td>');
      expect(text).toContain('<td>no followed tag has content this week</td><td class="num">2</td>');
      expect(text).toContain('<td>delivered</td><td class="num">3</td>');
      expect(text).toContain('<td>bounced</td><td class="num">1</td>');

      // The block alone, for the refresh script; live while sending.
      const fragment = await b.get(`/admin/issues/${issue.id}/progress`);
      expect(fragment.statusCode).toBe(200);
      expect(fragment.body).toMatch(/^<section class="card" id="progress" [^>]*data-live="true"/);
      expect(fragment.body.replace(/<!-- -->/g, '')).toContain('3 emails a minute');

      // Nothing due: the ETA is the next wave.
      await t.db.query(`update deliveries set status = 'submitted', submitted_at = $2 where issue_id = $1 and status = 'pending' and send_at is null`, [issue.id, at]);
      const waiting = (await b.get(`/admin/issues/${issue.id}/progress`)).body.replace(/<!-- -->/g, '');
      expect(waiting).toContain(`next wave at ${formatTime(wave, r.config.defaultTimeZone)}`);
    } finally {
      clock = null;
    }
  });

  it('previews a reader’s digest in a sandboxed frame served with a CSP that forbids scripts', async () => {
    const id = await create();
    const page = await b.get(`/admin/issues/${id}/preview?email=${encodeURIComponent(' AI00@Example.test ')}`);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('<h1>Digest of ai00@example.test</h1>');
    const frame = /<iframe [^>]*src="([^"]+)"[^>]*>/.exec(page.body);
    expect(frame?.[0]).toContain(' sandbox=""');
    const src = frame![1]!.replace(/&amp;/g, '&');
    expect(src).toBe(`/admin/issues/${id}/preview/frame?email=ai00%40example.test`);
    const html = await b.get(src);
    expect(html.statusCode).toBe(200);
    expect(PREVIEW_FRAME_CSP.sandbox).toEqual([]);
    expect(html.headers['content-security-policy']).toBe("default-src 'none';style-src 'unsafe-inline';img-src 'self' data:;base-uri 'none';form-action 'none';frame-ancestors 'self';sandbox");
    expect(html.headers['content-security-policy']).not.toContain('script-src');
    expect(html.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(html.body).toContain('Vector search in Postgres');
    // The page that frames it may frame this site, and nothing else.
    expect(page.headers['content-security-policy']).toContain("frame-src 'self'");

    const cases = [
      ['nobody@example.test', 404, 'there is no subscriber nobody@example.test'],
      ['not an address', 400, 'not an email address'],
      ['rust1@example.test', 200, 'No email from this issue for rust1@example.test'],
      ['', 400, 'Enter the address'],
    ] as const;
    for (const [email, code, reason] of cases) {
      const res = await b.get(`/admin/issues/${id}/preview?email=${encodeURIComponent(email)}`);
      expect(res.statusCode, email).toBe(code);
      expect(res.body.toLowerCase(), email).toContain(reason.toLowerCase());
    }
    // An address keeps its case at the start of a sentence too.
    expect((await b.get(`/admin/issues/${id}/preview?email=rust1%40example.test`)).body).toContain('No email from this issue for rust1@example.test');
    // Without a session the frame is not served either.
    expect((await r.app.inject({ method: 'GET', url: src })).statusCode).toBe(303);
  });

  it('sends a test email through the provider; a bad address or unknown subscriber is 400, the 11th in 10 minutes 429', async () => {
    const id = await create();
    const calls = h.provider.calls.length;
    const res = await post(`/admin/issues/${id}/test`, { to: 'editor@example.test', subscriber: 'ai01@example.test' });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/admin/issues/${id}?done=test-sent`);
    expect(h.provider.calls.slice(calls).map((c) => c.to)).toEqual([['editor@example.test']]);
    expect(await status(id)).toBe('draft');
    const bad = await post(`/admin/issues/${id}/test`, { to: 'nope' });
    expect(bad.statusCode).toBe(400);
    // A reason opens its sentence with a capital (issue 20: the test-send error started lower-case).
    expect(bad.body).toContain('The address to send to');
    const unknown = await post(`/admin/issues/${id}/test`, { to: 'editor@example.test', subscriber: 'ghost@example.test' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('There is no subscriber ghost@example.test.');
    const nothing = await post(`/admin/issues/${id}/test`, { to: 'editor@example.test', subscriber: 'rust2@example.test' });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.body).toContain('would get no email');
    expect(h.provider.calls.length).toBe(calls + 1);
    // At most 10 test sends of an issue in 10 minutes: the 11th is 429 with Retry-After.
    for (let n = 2; n <= 10; n++) expect((await post(`/admin/issues/${id}/test`, { to: 'editor@example.test' })).statusCode).toBe(303);
    const limited = await post(`/admin/issues/${id}/test`, { to: 'editor@example.test' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(h.provider.calls.length).toBe(calls + 10);
  });

  it('reports the combinations of sections readers get: live for a draft, frozen for a planned issue', async () => {
    const draft = await create();
    const live = (await b.get(`/admin/issues/${draft}/combinations`)).body.replace(/<!-- -->/g, '');
    expect(live).toContain('If the issue were planned now');
    expect(live).toContain('<strong>16</strong> readers · <strong>2</strong> distinct digests · <strong>2</strong> get nothing');
    expect(live).toContain('<td><span class="tag">AI</span><span class="tag">Databases</span></td><td class="num">7</td>');
    expect(live).toContain('<td><span class="tag">AI</span></td><td class="num">7</td>');
    // A reader who follows nothing with content changes the draft's report at once.
    await upsertSubscribers(t.db, [reader('rust1@example.test', ['AI'])]);
    expect((await b.get(`/admin/issues/${draft}/combinations`)).body.replace(/<!-- -->/g, '')).toContain('<strong>1</strong> get nothing');
    // A suppressed address is left out, as planning leaves it out.
    await t.db.query(`insert into suppressions (email, reason) values ('ai00@example.test', 'bounced')`);
    const suppressed = (await b.get(`/admin/issues/${draft}/combinations`)).body.replace(/<!-- -->/g, '');
    expect(suppressed).toContain('<strong>15</strong> readers');
    expect(suppressed).toContain('<td><span class="tag">AI</span><span class="tag">Databases</span></td><td class="num">6</td>');
    const planned = await plannedIssue(t.db, WEEK);
    const frozen = (await b.get(`/admin/issues/${planned.id}/combinations`)).body.replace(/<!-- -->/g, '');
    expect(frozen).toContain('As planned');
    expect(frozen).toContain('<td><span class="tag">AI</span></td><td class="num">8</td>');
    expect(frozen).toContain('<td><span class="tag">AI</span><span class="tag">Databases</span></td><td class="num">6</td>');
  });
});
