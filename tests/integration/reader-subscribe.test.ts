// GET/POST /subscribe and GET /confirm over HTTP: no enumeration, the honeypot, CSRF, validation with
// the reasons, the per-IP limit, the 10-minute window (on the database clock), double opt-in with the
// form's tags and time zone applied only by the click, and the confirmation email sent by the
// send-notice job through the provider (Resend emulator), once, even after a lost response or a lost job.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as reconcile from '../../jobs/reconcile.ts';
import type { JobContext } from '../../jobs/index.ts';
import { deleteSchedule, writeSchedule } from '../../src/db/schedules.ts';
import { suppress } from '../../src/db/events.ts';
import { emailHash } from '../../src/db/readers.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { isoWeek } from '../../src/digest/week.ts';
import { enqueueNotice, enqueueTo } from '../../src/enqueue.ts';
import { createResend } from '../../src/send/resend.ts';
import { createToken, type Purpose } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { addSummaries, Browser, csrfField, forms, inputs, isChecked, selected, noticeLink, noticesOf, noticeSent, plannedIssue, readerApp, subscriberByEmail, tokenOf, type ReaderApp } from '../support/reader.ts';
import { eventually } from '../support/eventually.ts';

const PAGE_POLICY = "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";
const WEEK = isoWeek(new Date());

describe.sequential(`reader pages: subscribe and confirm on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [
      { title: 'Vector search in Postgres', tags: ['Databases', 'AI'] },
      { title: 'Agents that plan', tags: ['AI'] },
      { title: 'Borrowing without tears', tags: ['Rust'] },
    ]);
    r = await readerApp(t.db);
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  const reader = (email: string, status: SubscriberInput['status'], tags: string[] = ['Rust'], timeZone: string | null = 'Europe/Berlin'): SubscriberInput => ({
    email,
    name: null,
    timeZone,
    tags,
    status,
    source: 'test',
  });
  const form = (email: string, extra: Record<string, string | string[]> = {}) => ({ email, name: 'Ada', tags: ['ai', 'databases'], time_zone: 'America/New_York', website: '', ...extra });
  const subscribe = async (email: string, extra: Record<string, string | string[]> = {}, b = new Browser(r.app)) => b.submit('/subscribe', '/subscribe', form(email, extra));

  it('shows the form: every tag with its recent count, a time zone, the CSRF field and cookie, a honeypot, the page CSP', async () => {
    const b = new Browser(r.app);
    const page = await b.get('/subscribe?tags=rust');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(PAGE_POLICY);
    expect(page.headers['set-cookie']).toMatch(/^__Host-tagcast_csrf=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure;/);
    expect(csrfField(page.body)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(forms(page.body)).toEqual([{ method: 'post', action: '/subscribe', csrf: true, fields: ['_csrf', 'email', 'name', 'tags', 'tags', 'tags', 'time_zone', 'website'] }]);
    expect(page.body).toMatch(/AI <span class="count">\(2 summaries lately\)/);
    expect(page.body).toMatch(/Rust <span class="count">\(1 summary lately\)/);
    // ?tags= pre-ticks a tag (a tag page links here).
    expect(isChecked(page.body, 'tags', 'rust')).toBe(true);
    expect(isChecked(page.body, 'tags', 'ai')).toBe(false);
    expect(selected(page.body, 'time_zone')).toBe('UTC');
  });

  it('answers a new, pending, subscribed, unsubscribed, bounced, complained, suppressed and honeypot address with the same page', async () => {
    await upsertSubscribers(t.db, [
      reader('pending@same.example', 'pending'),
      reader('active@same.example', 'active'),
      reader('left@same.example', 'unsubscribed'),
      reader('bounced@same.example', 'bounced'),
      reader('complained@same.example', 'complained'),
      reader('suppressed@same.example', 'active'),
    ]);
    await t.db.query(`insert into suppressions (email, reason) values ('suppressed@same.example', 'bounced')`);
    const queuedBefore = r.queued.length;
    const answers = new Map<string, { status: number; body: string; type: unknown; cookie: unknown }>();
    for (const who of ['new', 'pending', 'active', 'left', 'bounced', 'complained', 'suppressed']) {
      const res = await subscribe(`${who}@same.example`);
      // The page names the address typed, and nothing else about it: the same page whatever its state.
      answers.set(who, { status: res.statusCode, body: res.body.replaceAll(`${who}@same.example`, 'ADDRESS'), type: res.headers['content-type'], cookie: res.headers['set-cookie'] });
    }
    const bot = await subscribe('bot@same.example', { website: 'https://spam.example' });
    answers.set('honeypot', { status: bot.statusCode, body: bot.body.replaceAll('bot@same.example', 'ADDRESS'), type: bot.headers['content-type'], cookie: bot.headers['set-cookie'] });

    const first = answers.get('new')!;
    expect(first.status).toBe(200);
    expect(first.body).toContain('Check your inbox');
    expect(first.body).toContain('If <strong>ADDRESS</strong> can receive our emails');
    for (const [who, a] of answers) expect(a, who).toEqual(first);

    // What happened behind the identical answers.
    const kinds = async (email: string) => (await noticesOf(t.db, email)).map((n) => n.kind);
    expect(await kinds('new@same.example')).toEqual(['confirm']);
    expect(await kinds('pending@same.example')).toEqual(['confirm']);
    expect(await kinds('active@same.example')).toEqual(['subscribed']);
    expect(await kinds('left@same.example')).toEqual(['confirm']);
    for (const who of ['bounced', 'complained', 'suppressed']) expect(await kinds(`${who}@same.example`), who).toEqual([]);
    // The honeypot stores nothing and queues nothing.
    expect(await subscriberByEmail(t.db, 'bot@same.example')).toBeUndefined();
    const owed = await t.db.query<{ id: number }>(`select n.id from notices n join subscribers s on s.id = n.subscriber_id where s.email like '%@same.example' order by n.id`);
    expect(r.queued.slice(queuedBefore)).toEqual(owed.map((n) => n.id));

    // Nobody's subscription changed by someone typing their address.
    // A new address is held as the address alone: the form's tags, time zone and name wait in its request.
    expect(await subscriberByEmail(t.db, 'new@same.example')).toMatchObject({ status: 'pending', tags: [], timeZone: null, name: null });
    expect(await subscriberByEmail(t.db, 'active@same.example')).toMatchObject({ status: 'active', tags: ['rust'], timeZone: 'Europe/Berlin', name: null });
    expect(await subscriberByEmail(t.db, 'left@same.example')).toMatchObject({ status: 'unsubscribed', tags: ['rust'], timeZone: 'Europe/Berlin' });
    expect(await subscriberByEmail(t.db, 'pending@same.example')).toMatchObject({ status: 'pending', tags: ['rust'], timeZone: 'Europe/Berlin' });
    expect(await subscriberByEmail(t.db, 'bounced@same.example')).toMatchObject({ status: 'bounced' });
  });

  it('refuses a form without the cookie, with a wrong or missing field, or from another site: 403 with the reason, nothing stored', async () => {
    const fields = form('csrf@forms.example');
    // No cookie at all (a cross-site form, or cookies blocked).
    const stranger = new Browser(r.app);
    const noCookie = await stranger.post('/subscribe', { _csrf: 'A'.repeat(32), ...fields });
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.body).toContain('did not send back the form cookie');

    const b = new Browser(r.app);
    const page = await b.get('/subscribe');
    const good = csrfField(page.body)!;
    const missing = await b.post('/subscribe', fields);
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('missing its security field');
    const wrong = await b.post('/subscribe', { _csrf: `${good.slice(0, 31)}${good.endsWith('A') ? 'B' : 'A'}`, ...fields });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain('the form has expired');
    // Another browser's field does not fit this browser's cookie.
    const other = new Browser(r.app);
    const otherField = csrfField((await other.get('/subscribe')).body)!;
    expect((await b.post('/subscribe', { _csrf: otherField, ...fields })).statusCode).toBe(403);
    const crossSite = await b.post('/subscribe', { _csrf: good, ...fields }, { origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain('sent from another site');
    // The re-rendered form keeps what was typed.
    expect(inputs(crossSite.body, 'email', 'csrf@forms.example')).toHaveLength(1);
    expect(await subscriberByEmail(t.db, 'csrf@forms.example')).toBeUndefined();

    // The same browser with its own field goes through.
    expect((await b.post('/subscribe', { _csrf: good, ...fields })).statusCode).toBe(200);
    expect(await subscriberByEmail(t.db, 'csrf@forms.example')).toMatchObject({ status: 'pending' });
  });

  it('answers a bad email, no tags, unknown tags, a bad time zone or an overlong name with 400, the form naming the problem and keeping the values', async () => {
    const cases: { fields: Record<string, string | string[]>; message: string | RegExp }[] = [
      { fields: { email: 'not-an-address' }, message: 'Enter an email address like name@example.com.' },
      { fields: { email: '' }, message: 'Enter your email address.' },
      { fields: { tags: [] }, message: 'Choose at least one tag to follow.' },
      { fields: { tags: ['no-such-tag'] }, message: /no-such-tag/ },
      { fields: { tags: ['ai', 'no-such-tag'] }, message: /no-such-tag/ },
      { fields: { time_zone: 'Mars/Olympus_Mons' }, message: 'Choose a time zone from the list.' },
      { fields: { name: 'N'.repeat(201) }, message: 'Enter a name of at most 200 characters, or leave it empty.' },
      { fields: { name: 'Ada\u0007Lovelace' }, message: 'Enter a name of at most 200 characters, or leave it empty.' },
    ];
    for (const [n, c] of cases.entries()) {
      const email = (c.fields.email as string | undefined) ?? `valid${n}@check.example`;
      const res = await subscribe(email, c.fields);
      expect(res.statusCode, JSON.stringify(c.fields)).toBe(400);
      expect(res.body).toMatch(/role="alert"/);
      if (typeof c.message === 'string') expect(res.body).toContain(c.message.replace(/"/g, '&quot;'));
      else expect(res.body).toMatch(c.message);
      // The values come back as typed.
      expect(inputs(res.body, 'email', email), email).toHaveLength(1);
      const tags = (c.fields.tags as string[] | undefined) ?? ['ai', 'databases'];
      for (const tag of tags.filter((x) => x !== 'no-such-tag')) expect(isChecked(res.body, 'tags', tag), tag).toBe(true);
      expect(selected(res.body, 'time_zone')).toBe((c.fields.time_zone as string | undefined) ?? 'America/New_York');
      if (c.fields.name === undefined) expect(inputs(res.body, 'name', 'Ada')).toHaveLength(1);
      // An email that was valid stored nothing.
      if (email.includes('@')) expect(await subscriberByEmail(t.db, email)).toBeUndefined();
    }
  });

  it('limits POST /subscribe per client address: 429 with Retry-After after the limit, other clients unaffected', async () => {
    const limited = await readerApp(t.db, { deps: { rateLimits: { publicPost: { max: 3, timeWindow: 60_000 } } } });
    try {
      const b = new Browser(limited.app, '198.51.100.20');
      const field = csrfField((await b.get('/subscribe')).body)!;
      for (let i = 0; i < 3; i++) expect((await b.post('/subscribe', { _csrf: field, ...form(`limit${i}@rate.example`) })).statusCode).toBe(200);
      const over = await b.post('/subscribe', { _csrf: field, ...form('limit3@rate.example') });
      expect(over.statusCode).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(over.body).toMatch(/[Tt]oo many/);
      expect(await subscriberByEmail(t.db, 'limit3@rate.example')).toBeUndefined();
      // The page itself still opens, and another client may post.
      expect((await b.get('/subscribe')).statusCode).toBe(200);
      const other = new Browser(limited.app, '198.51.100.21');
      expect((await other.submit('/subscribe', '/subscribe', form('limit4@rate.example'))).statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });

  it('sends at most one email per address per 10 minutes, on the database clock', async () => {
    const email = 'window@ten.example';
    // The confirmation family only: the welcome the confirmation owes is not an answer to a request.
    const count = async () => (await noticesOf(t.db, email)).filter((n) => n.kind !== 'welcome').length;
    const backdate = async (minutes: number) => {
      await t.db.query(`update notices set created_at = now() - $2 * interval '1 minute' where subscriber_id = (select id from subscribers where email = $1)`, [email, minutes]);
      await t.db.query(`update mailbox_limits set last_sent = now() - $2 * interval '1 minute' where mailbox_hash = $1`, [emailHash(email), minutes]);
    };
    expect((await subscribe(email)).statusCode).toBe(200);
    expect((await subscribe(email)).statusCode).toBe(200);
    expect(await count()).toBe(1);
    await backdate(9);
    expect((await subscribe(email)).statusCode).toBe(200);
    expect(await count()).toBe(1);
    await backdate(11);
    expect((await subscribe(email)).statusCode).toBe(200);
    expect(await count()).toBe(2);
    // Once confirmed, the "already subscribed" note shares the window with the confirmation.
    const [, second] = await noticesOf(t.db, email);
    expect((await new Browser(r.app).get(await noticeLink(t.db, r.config, second!.id))).statusCode).toBe(200);
    await subscribe(email);
    expect(await count()).toBe(2);
    await backdate(11);
    await subscribe(email);
    expect((await noticesOf(t.db, email)).map((n) => n.kind)).toEqual(['confirm', 'confirm', 'welcome', 'subscribed']);
  });

  it('sends one confirmation when requests for a new address race', async () => {
    const email = 'race@ten.example';
    const b = new Browser(r.app);
    const csrf = csrfField((await b.get('/subscribe')).body)!;
    const answers = await Promise.all(Array.from({ length: 6 }, () => b.post('/subscribe', { _csrf: csrf, ...form(email) })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(200));
    expect(await noticesOf(t.db, email)).toHaveLength(1);
  });

  describe('GET /confirm', () => {
    it('activates on one click with the tags, time zone and name the form asked for; a repeated click changes nothing', async () => {
      const email = 'click@confirm.example';
      await subscribe(email, { tags: ['ai', 'rust'], time_zone: 'Asia/Tokyo', name: 'Grace' });
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'pending', tags: [] });
      const [notice] = await noticesOf(t.db, email);
      const link = await noticeLink(t.db, r.config, notice!.id);
      expect(link).toMatch(/^\/confirm\?t=/);

      const b = new Browser(r.app);
      const first = await b.get(link);
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('You are subscribed');
      expect(first.body).toContain(email);
      expect(first.body).toMatch(/href="\/preferences\?t=[^"]+"/);
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'active', tags: ['ai', 'rust'], timeZone: 'Asia/Tokyo', name: 'Grace' });
      // What they did: the tags they follow, and when the next digest goes (no weekly schedule here).
      expect(first.body).toContain('with only the tags you follow: AI, Rust.');
      expect(first.body).toContain('No weekly digest is scheduled yet: your first one comes with the next issue the editors send.');
      // With a weekly schedule, when it sends next, in the reader's own zone: Monday 09:00 Berlin is 17:00 in Tokyo (16:00 in summer).
      await writeSchedule(t.db, { weekday: 1, time: '09:00', timeZone: 'Europe/Berlin', local: false, engine: null, week: 'current' });
      try {
        const scheduled = await b.get(link);
        expect(scheduled.body).toMatch(/The next digest goes out on Monday,? \d{1,2} \w+ \d{4} at 1[67]:00 \(Asia\/Tokyo\), with the tags that have news that week\./);
      } finally {
        await deleteSchedule(t.db);
      }

      // The reader changes their tags; a second click (or a scanner's late fetch) leaves them alone.
      await t.db.query(`delete from subscriptions where subscriber_id = (select id from subscribers where email = $1) and tag_id = (select id from tags where slug = 'rust')`, [email]);
      const again = await b.get(link);
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('You are subscribed already');
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'active', tags: ['ai'], timeZone: 'Asia/Tokyo' });
    });

    it('never brings back a reader who left after confirming, when the old link is fetched again', async () => {
      const email = 'old-link@confirm.example';
      await subscribe(email);
      const [notice] = await noticesOf(t.db, email);
      const link = await noticeLink(t.db, r.config, notice!.id);
      expect((await new Browser(r.app).get(link)).statusCode).toBe(200);
      await t.db.query(`update subscribers set status = 'unsubscribed', unsubscribed_at = now() where email = $1`, [email]);
      const again = await new Browser(r.app).get(link);
      expect(again.statusCode).toBe(410);
      expect(again.body).toContain('used once already');
      expect(again.body).not.toContain('bounced');
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'unsubscribed' });
    });

    it("changes an existing reader's tags and time zone only at the click", async () => {
      const email = 'back@confirm.example';
      await upsertSubscribers(t.db, [reader(email, 'unsubscribed', ['Rust'], 'Europe/Berlin')]);
      await subscribe(email, { tags: ['databases'], time_zone: 'UTC' });
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'unsubscribed', tags: ['rust'], timeZone: 'Europe/Berlin' });
      const [notice] = await noticesOf(t.db, email);
      expect((await new Browser(r.app).get(await noticeLink(t.db, r.config, notice!.id))).statusCode).toBe(200);
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'active', tags: ['databases'], timeZone: 'UTC' });
    });

    it('answers an expired link 410, a forged, wrong-purpose or mismatched one 400, and changes nothing', async () => {
      const email = 'links@confirm.example';
      await subscribe(email);
      const s = (await subscriberByEmail(t.db, email))!;
      const [notice] = await noticesOf(t.db, email);
      const good = tokenOf(await noticeLink(t.db, r.config, notice!.id));
      const secret = r.config.secret;
      const get = (token: string) => new Browser(r.app).get(`/confirm?t=${encodeURIComponent(token)}`);
      await upsertSubscribers(t.db, [reader('other@confirm.example', 'pending')]);
      const other = (await subscriberByEmail(t.db, 'other@confirm.example'))!;

      const expired = await get(createToken(secret, { purpose: 'confirm', subscriberId: s.id, ref: notice!.id, expires: Math.floor(Date.now() / 1000) - 60 }));
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain('expired');

      const forged = [
        '',
        'garbage',
        `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`,
        createToken('another-secret-that-is-long-enough-0123', { purpose: 'confirm', subscriberId: s.id, ref: notice!.id }),
        // A genuine token without the notice, or naming another reader's notice.
        createToken(secret, { purpose: 'confirm', subscriberId: s.id }),
        createToken(secret, { purpose: 'confirm', subscriberId: other.id, ref: notice!.id }),
      ];
      for (const token of forged) {
        const res = await get(token);
        expect(res.statusCode, token).toBe(400);
        expect(res.body).toMatch(/link (is not valid|needs the link)|needs the link from your email/);
      }
      for (const purpose of ['preferences', 'unsubscribe', 'web', 'export', 'delete', 'feed'] as Purpose[]) {
        const res = await get(createToken(secret, { purpose, subscriberId: s.id, issueId: purpose === 'web' ? 1 : undefined, ref: notice!.id }));
        expect(res.statusCode, purpose).toBe(400);
      }
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'pending', tags: [] });
      // The genuine link still works afterwards.
      expect((await get(good)).statusCode).toBe(200);
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'active' });
    });

    it('never reactivates an address that bounced or complained, even with its own confirmation link', async () => {
      // Asked, then the confirmation email hard-bounced.
      await subscribe('bounce@confirm.example');
      await suppress(t.db, 'bounce@confirm.example', 'bounced', 'Permanent: General');
      // Unsubscribed reader who asked to come back, whose address bounced meanwhile (an unsubscribed
      // reader's status stays as it is; the suppression records the bounce).
      await upsertSubscribers(t.db, [reader('gone@confirm.example', 'unsubscribed')]);
      await subscribe('gone@confirm.example');
      await suppress(t.db, 'gone@confirm.example', 'bounced', 'Permanent: General');
      for (const email of ['bounce@confirm.example', 'gone@confirm.example']) {
        const before = await subscriberByEmail(t.db, email);
        const [notice] = await noticesOf(t.db, email);
        const res = await new Browser(r.app).get(await noticeLink(t.db, r.config, notice!.id));
        expect(res.statusCode, email).toBe(409);
        expect(res.body).toContain('bounced');
        expect(await subscriberByEmail(t.db, email)).toEqual(before);
      }
    });

    it('never plans a digest for a reader who has not confirmed', async () => {
      await upsertSubscribers(t.db, [reader('imported-pending@confirm.example', 'pending', ['AI'])]);
      const issue = await plannedIssue(t.db, WEEK);
      const rows = await t.db.query<{ email: string; status: string }>(
        `select s.email, d.status from deliveries d join subscribers s on s.id = d.subscriber_id where d.issue_id = $1 order by s.email`,
        [issue.id],
      );
      expect(rows.length).toBeGreaterThan(0); // the confirmed readers are in the ledger
      const pending = await t.db.query<{ email: string }>(`select email from subscribers where status = 'pending'`);
      expect(pending.length).toBeGreaterThan(2);
      const inLedger = new Set(rows.map((x) => x.email));
      for (const p of pending) expect(inLedger.has(p.email), p.email).toBe(false);
      expect(inLedger.has('click@confirm.example')).toBe(true);
      // Not to be sent: the queue tests below run workers and reconcile on this database.
      await t.db.query(`update issues set status = 'cancelled' where id = $1`, [issue.id]);
    });
  });

  describe('the confirmation email, through the queue and the provider', () => {
    let emu: Emulator;
    let h: Harness;
    let queuedApp: ReaderApp;
    beforeAll(async () => {
      // The notices of the tests above were only recorded; these tests count what reconcile sends.
      await t.db.query(`update notices set error = 'not sent: recorded by an earlier test' where sent_at is null and error is null`);
      emu = await startResendEmulator();
      h = await createHarness(t.db, createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 }));
      queuedApp = await readerApp(t.db, { deps: { enqueueNotice: (id) => enqueueNotice(h.queues, id) } });
    });
    afterEach(() => {
      emu.options.dropAfterAcceptRate = 0;
    });
    afterAll(async () => {
      await queuedApp?.app.close();
      await h?.close();
      await emu?.close();
    });

    const untilSent = (id: number) => noticeSent(t.db, id);
    const untilJobDone = (jobId: string) =>
      eventually(
        async () => {
          const state = await (await h.queues.send.getJob(jobId))?.getState();
          return state === 'completed' || state === 'failed' ? state : undefined;
        },
        { what: `job ${jobId} completed or failed` },
      );
    const accepted = (email: string) => emu.stats.emails.filter((e) => e.to === email);

    it('is sent by the send-notice job under its deterministic id and key, once, and its link confirms', async () => {
      const email = 'queued@mail.example';
      expect((await new Browser(queuedApp.app).submit('/subscribe', '/subscribe', form(email, { tags: ['rust'] }))).statusCode).toBe(200);
      const [notice] = await noticesOf(t.db, email);
      const job = await h.queues.send.getJob(`send-notice-${notice!.id}`);
      expect(job?.name).toBe('send-notice');
      expect(job?.data).toEqual({ noticeId: notice!.id });
      h.start();
      const n = await untilSent(notice!.id);
      expect(n.providerId).toBeTruthy();
      expect(accepted(email)).toHaveLength(1);
      expect(accepted(email)[0]!.subject).toBe('Confirm your tagcast subscription');
      expect(h.provider.calls.filter((c) => c.to.includes(email)).map((c) => c.idempotencyKey)).toEqual([`tagcast-notice-${notice!.id}`]);

      // A duplicate job (added again after the first completed) finds the notice sent and sends nothing.
      await untilJobDone(`send-notice-${notice!.id}`);
      await (await h.queues.send.getJob(`send-notice-${notice!.id}`))!.remove();
      await enqueueNotice(h.queues, notice!.id);
      expect(await untilJobDone(`send-notice-${notice!.id}`)).toBe('completed');
      expect(h.provider.calls.filter((c) => c.to.includes(email))).toHaveLength(1);
      expect(accepted(email)).toHaveLength(1);

      // The link in the email the provider accepted is the one that confirms.
      const link = /https:\/\/news\.example\.test(\/confirm\?t=[A-Za-z0-9_.-]+)/.exec(accepted(email)[0]!.text)![1]!;
      expect((await new Browser(queuedApp.app).get(link)).statusCode).toBe(200);
      expect(await subscriberByEmail(t.db, email)).toMatchObject({ status: 'active', tags: ['rust'] });
    });

    it('sends the same bytes under the same key when the response was lost, and the provider accepts it once', async () => {
      emu.options.dropAfterAcceptRate = 1; // every new request is accepted and its answer lost; replays are answered
      const email = 'lost@mail.example';
      const replayed = emu.stats.replayed;
      await new Browser(queuedApp.app).submit('/subscribe', '/subscribe', form(email));
      const [notice] = await noticesOf(t.db, email);
      await untilSent(notice!.id);
      const calls = h.provider.calls.filter((c) => c.to.includes(email));
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set([`tagcast-notice-${notice!.id}`]));
      expect(emu.stats.replayed).toBeGreaterThan(replayed);
      expect(emu.stats.conflicts).toBe(0); // a different body under the same key would be a 409
      expect(emu.stats.accepted.get(email)).toBe(1);
    });

    it('is sent by reconcile when its job vanished, once', async () => {
      // A fresh queue whose workers are not running yet, so the job can vanish before anyone takes it.
      const h2 = await createHarness(t.db, createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 }));
      const app2 = await readerApp(t.db, { deps: { enqueueNotice: (id) => enqueueNotice(h2.queues, id) } });
      try {
        const email = 'vanished@mail.example';
        await new Browser(app2.app).submit('/subscribe', '/subscribe', form(email));
        const [notice] = await noticesOf(t.db, email);
        const jobId = `send-notice-${notice!.id}`;
        await (await h2.queues.send.getJob(jobId))!.remove();
        expect(await h2.queues.send.getJob(jobId)).toBeUndefined();

        const ctx = { db: t.db, enqueue: enqueueTo(h2.queues), now: () => new Date(), config: { templateEngine: 'react' } } as unknown as JobContext;
        // The welcomes earlier tests' confirmations owe were never queued (their app queues nothing):
        // out of this count, which is about this one notice.
        await t.db.query(`update notices set error = 'left unsent by the tests' where kind = 'welcome' and sent_at is null and error is null`);
        expect(await reconcile.process({}, ctx)).toMatchObject({ notices: 1 });
        expect((await h2.queues.send.getJob(jobId))?.data).toEqual({ noticeId: notice!.id });
        h2.start();
        await untilSent(notice!.id);
        // Owed no more: another run puts nothing back, and the reader got one email.
        expect(await reconcile.process({}, ctx)).toMatchObject({ notices: 0 });
        expect(emu.stats.accepted.get(email)).toBe(1);
        expect(h2.provider.calls.map((c) => c.idempotencyKey)).toEqual([`tagcast-notice-${notice!.id}`]);
      } finally {
        await app2.app.close();
        await h2.close();
      }
    });
  });
});
