// GET/POST /unsubscribe over HTTP: a GET never changes anything; RFC 8058's one-click POST works as
// mailbox providers send it (urlencoded or multipart, no cookie, no CSRF), answers 200 with a page,
// counts once, and refuses anything else with a reason; undo is a CSRF-protected form with a link of
// its own, for that one unsubscription, for a day; the preferences link goes by email; a reader who
// left after planning is skipped by the batches not yet sent; and the List-Unsubscribe mailto works
// through Resend's signed email.received webhook.
import { issueUnsubscribes } from '../../src/db/readers.ts';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { enqueueTo } from '../../src/enqueue.ts';
import { mailDomain } from '../../src/lib/mail.ts';
import { createToken, readerLinks } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, waitForStatus } from '../support/pipeline.ts';
import { addSummaries, Browser, forms, multipartBody, noticeEmail, noticeLink, plannedIssue, readerApp, sentIssue, subscriberByEmail, tokenOf, type ReaderApp } from '../support/reader.ts';

const WEEK = '2026-W45';
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const ONE_CLICK = 'List-Unsubscribe=One-Click';

describe.sequential(`reader pages: unsubscribe on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let issueId: number;
  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [{ title: 'Agents that plan', tags: ['AI'] }]);
    r = await readerApp(t.db, { env: { RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  let n = 0;
  /** Active readers and the links of the issue they were all just sent. */
  async function readers(count: number) {
    const emails = Array.from({ length: count }, () => `r${++n}@unsub.example`);
    await upsertSubscribers(t.db, emails.map((email) => ({ email, name: null, timeZone: null, tags: ['AI'], status: 'active' as const, source: 'test' })));
    issueId = (await sentIssue(t.db, WEEK)).id;
    return Promise.all(
      emails.map(async (email) => {
        const id = (await subscriberByEmail(t.db, email))!.id;
        const links = readerLinks({ secret: r.config.secret, publicUrl: r.config.publicUrl, mailDomain: mailDomain(r.config.mailFrom), subscriberId: id, issueId });
        return { email, id, links, path: links.unsubscribe.slice(r.config.publicUrl.length) };
      }),
    );
  }
  const status = async (email: string) => (await subscriberByEmail(t.db, email))?.status;
  const counted = (id = issueId) => issueUnsubscribes(t.db, id);
  /** The POST as a mailbox provider sends it: no cookie, no Origin, no CSRF field. */
  const oneClick = (url: string, payload = ONE_CLICK, contentType = 'application/x-www-form-urlencoded') =>
    r.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });

  it('shows one button on GET and never unsubscribes on a GET (or HEAD)', async () => {
    const [me] = await readers(1);
    for (let i = 0; i < 3; i++) {
      const page = await new Browser(r.app).get(me!.path);
      expect(page.statusCode).toBe(200);
      // A forwarded digest's link: the page names no address and hands out no preferences link.
      expect(page.body).not.toContain(me!.email);
      expect(page.body).not.toContain(tokenOf(me!.links.preferences));
      expect(page.body).toContain('<meta name="robots" content="noindex, nofollow"/>');
      expect(forms(page.body)).toEqual([
        // The one-click form, with the optional reason (four choices, counted only).
        { method: 'post', action: me!.path, csrf: false, fields: ['List-Unsubscribe', 'reason', 'reason', 'reason', 'reason'] },
        { method: 'post', action: `/unsubscribe/preferences-link?t=${tokenOf(me!.links.unsubscribe)}`, csrf: true, fields: ['_csrf'] },
      ]);
    }
    expect((await r.app.inject({ method: 'HEAD', url: me!.path })).statusCode).toBe(200);
    expect(await status(me!.email)).toBe('active');
    expect(await counted()).toBe(0);
  });

  it('unsubscribes on the one-click POST, urlencoded or multipart, without cookies or CSRF: 200 and a page, never a redirect, counted once', async () => {
    const [a, b] = await readers(2);
    const first = await oneClick(a!.path);
    expect(first.statusCode).toBe(200);
    expect(first.headers.location).toBeUndefined();
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(first.body).toContain('You are unsubscribed');
    expect(first.body).toContain('You will get no more digests.');
    expect(await status(a!.email)).toBe('unsubscribed');
    expect(await counted()).toBe(1);
    // Mail clients and scanners repeat it: still 200, nothing counted twice.
    for (let i = 0; i < 2; i++) {
      const again = await oneClick(a!.path);
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('You were already unsubscribed');
    }
    expect(await counted()).toBe(1);

    const mp = multipartBody({ 'List-Unsubscribe': 'One-Click' });
    const multi = await oneClick(b!.path, mp.payload, mp.contentType);
    expect(multi.statusCode).toBe(200);
    expect(multi.headers.location).toBeUndefined();
    expect(await status(b!.email)).toBe('unsubscribed');
    expect(await counted()).toBe(2);
    const multiAgain = await oneClick(b!.path, mp.payload, mp.contentType);
    expect(multiAgain.statusCode).toBe(200);
    expect(await counted()).toBe(2);
    // The planner never takes them again.
    const next = await plannedIssue(t.db, WEEK);
    const rows = await t.db.query(`select 1 from deliveries where issue_id = $1 and subscriber_id in ($2, $3)`, [next.id, a!.id, b!.id]);
    expect(rows).toEqual([]);
    await t.db.query(`update issues set status = 'cancelled' where id = $1`, [next.id]);
  });

  it('refuses a missing field, a wrong value, a JSON body and a bad link with a 4xx and the reason, changing nothing', async () => {
    const [me] = await readers(1);
    const cases: { payload: string; type: string; status: number; reason: RegExp }[] = [
      { payload: '', type: 'application/x-www-form-urlencoded', status: 400, reason: /List-Unsubscribe=One-Click/ },
      { payload: 'unsubscribe=yes', type: 'application/x-www-form-urlencoded', status: 400, reason: /List-Unsubscribe=One-Click/ },
      { payload: 'List-Unsubscribe=Yes', type: 'application/x-www-form-urlencoded', status: 400, reason: /List-Unsubscribe=One-Click/ },
      { payload: 'List-Unsubscribe=one-click', type: 'application/x-www-form-urlencoded', status: 400, reason: /List-Unsubscribe=One-Click/ },
      // The right key, but not a form: a script's JSON or text is not RFC 8058's POST.
      { payload: JSON.stringify({ 'List-Unsubscribe': 'One-Click' }), type: 'application/json', status: 415, reason: /form post/ },
      { payload: ONE_CLICK, type: 'text/plain', status: 415, reason: /form post/ },
      { payload: multipartBody({ other: 'One-Click' }).payload, type: multipartBody({}).contentType, status: 400, reason: /List-Unsubscribe=One-Click/ },
    ];
    for (const c of cases) {
      const res = await oneClick(me!.path, c.payload, c.type);
      expect(res.statusCode, `${c.type} ${c.payload}`).toBe(c.status);
      expect(res.body, `${c.type} ${c.payload}`).toMatch(c.reason);
    }
    const bad = [
      '/unsubscribe',
      '/unsubscribe?t=nonsense',
      `/unsubscribe?t=${createToken('some-other-secret-of-enough-length-000', { purpose: 'unsubscribe', subscriberId: me!.id, issueId })}`,
      `/unsubscribe?t=${tokenOf(me!.links.preferences)}`,
      `/unsubscribe?t=${tokenOf(me!.links.web)}`,
    ];
    for (const url of bad) {
      const res = await oneClick(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toMatch(/link/);
      expect((await new Browser(r.app).get(url)).statusCode, url).toBe(400);
    }
    expect(await status(me!.email)).toBe('active');
    expect(await counted()).toBe(0);
  });

  it('is never rate-limited: a mailbox provider posts for many readers from one address', async () => {
    const limited = await readerApp(t.db, { deps: { rateLimits: { global: { max: 1000, timeWindow: 60_000 }, publicPost: { max: 1, timeWindow: 60_000 } } } });
    try {
      const list = await readers(4);
      for (const me of list) {
        const res = await limited.app.inject({ method: 'POST', url: me.path, remoteAddress: '192.0.2.50', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: ONE_CLICK });
        expect(res.statusCode).toBe(200);
      }
      for (const me of list) expect(await status(me.email)).toBe('unsubscribed');
    } finally {
      await limited.app.close();
    }
  });

  /** The undo form's link on the page a one-click POST answered, or undefined when it offers none. */
  const undoOf = (html: string) => forms(html).find((f) => f.action.startsWith('/unsubscribe/undo?'))?.action;

  it('offers undo on the answer: a CSRF-protected form with a link of its own that subscribes the reader again', async () => {
    const [me] = await readers(1);
    // The reader clicked the button on the GET page in their browser.
    const b = new Browser(r.app);
    await b.get(me!.path);
    const done = await b.post(me!.path, { 'List-Unsubscribe': 'One-Click' });
    expect(done.statusCode).toBe(200);
    expect(await status(me!.email)).toBe('unsubscribed');
    expect(done.body).not.toContain(me!.email);
    expect(done.body).not.toContain(tokenOf(me!.links.preferences));
    const undo = forms(done.body).find((f) => f.action.startsWith('/unsubscribe/undo?'));
    expect(undo).toMatchObject({ method: 'post', csrf: true });
    // The undo link is not the unsubscribe link: it undoes this one unsubscription, nothing else.
    expect(tokenOf(undo!.action)).not.toBe(tokenOf(me!.links.unsubscribe));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(done.body)![1]!;

    const forged = await new Browser(r.app).post(undo!.action, { _csrf: 'A'.repeat(32) });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Nothing changed');
    const crossSite = await b.post(undo!.action, { _csrf: csrf }, { origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    // The unsubscribe link itself undoes nothing (its holder may be anyone the digest was forwarded to).
    expect((await b.post(`/unsubscribe/undo?t=${tokenOf(me!.links.unsubscribe)}`, { _csrf: csrf })).statusCode).toBe(400);
    expect((await b.post(`/unsubscribe/undo?t=${tokenOf(me!.links.preferences)}`, { _csrf: csrf })).statusCode).toBe(400);
    expect(await status(me!.email)).toBe('unsubscribed');

    const back = await b.post(undo!.action, { _csrf: csrf });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('You are subscribed again');
    expect(await status(me!.email)).toBe('active');
    // Used once: the same undo again changes nothing and says so.
    const twice = await b.post(undo!.action, { _csrf: csrf });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('Nothing to undo');
  });

  it('undoes only that unsubscription: a repeat offers the same undo; anything that changed the subscription since voids it', async () => {
    const list = await readers(4);
    const b = new Browser(r.app);
    const unsubscribeBy = async (me: (typeof list)[number]) => (await b.post(me.path, { 'List-Unsubscribe': 'One-Click' })).body;
    const csrf = async () => /name="_csrf" value="([^"]+)"/.exec((await b.get(list[0]!.path)).body)![1]!;

    // A repeated one-click (the mailbox provider's, then the reader's own click) offers the same undo.
    const [again, resubscribed, bounced, otherWay] = list;
    const first = undoOf(await unsubscribeBy(again!));
    expect(first).toBeDefined();
    expect(undoOf(await unsubscribeBy(again!))).toBe(first);

    // Came back through preferences and left again: the first undo is void, the status stays.
    const old = undoOf(await unsubscribeBy(resubscribed!))!;
    await t.db.query(`update subscribers set status = 'active' where id = $1`, [resubscribed!.id]);
    await t.db.query(`update subscribers set status = 'unsubscribed' where id = $1`, [resubscribed!.id]);
    const refused = await b.post(old, { _csrf: await csrf() });
    expect(refused.statusCode).toBe(409);
    expect(await status(resubscribed!.email)).toBe('unsubscribed');

    // The address bounced since: it stays out.
    const beforeBounce = undoOf(await unsubscribeBy(bounced!))!;
    await t.db.query(`insert into suppressions (email, reason) values ($1, 'bounced')`, [bounced!.email]);
    expect((await b.post(beforeBounce, { _csrf: await csrf() })).statusCode).toBe(409);
    expect(await status(bounced!.email)).toBe('unsubscribed');

    // Left through the preferences page: the unsubscribe link's page offers no undo of that.
    await t.db.query(`update subscribers set status = 'unsubscribed', unsubscribed_at = now() where id = $1`, [otherWay!.id]);
    const page = await unsubscribeBy(otherWay!);
    expect(page).toContain('You were already unsubscribed');
    expect(undoOf(page)).toBeUndefined();
    const state = (await t.db.query<{ v: number }>(`select status_version as v from subscribers where id = $1`, [otherWay!.id]))[0]!;
    const minted = `/unsubscribe/undo?t=${createToken(r.config.secret, { purpose: 'undo', subscriberId: otherWay!.id, expires: Math.floor(Date.now() / 1000) + 3600, ref: state.v })}`;
    expect((await b.post(minted, { _csrf: await csrf() })).statusCode).toBe(409);
    expect(await status(otherWay!.email)).toBe('unsubscribed');

    // The one that nothing touched still works.
    expect((await b.post(first!, { _csrf: await csrf() })).statusCode).toBe(200);
    expect(await status(again!.email)).toBe('active');
  });

  it('offers undo for a day and no longer', async () => {
    let offset = 0;
    const clocked = await readerApp(t.db, { deps: { now: () => new Date(Date.now() + offset) } });
    try {
      const [me] = await readers(1);
      const b = new Browser(clocked.app);
      const undo = undoOf((await b.post(me!.path, { 'List-Unsubscribe': 'One-Click' })).body)!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get(me!.path)).body)![1]!;
      offset = 24 * 3600 * 1000 + 5000;
      const late = await b.post(undo, { _csrf: csrf });
      expect(late.statusCode).toBe(410);
      expect(late.body).toContain('Too late to undo');
      expect(await status(me!.email)).toBe('unsubscribed');
      // A repeat of the one-click a day later offers no undo either.
      expect(undoOf((await b.post(me!.path, { 'List-Unsubscribe': 'One-Click' })).body)).toBeUndefined();
      offset = 23 * 3600 * 1000;
      expect((await b.post(undo, { _csrf: csrf })).statusCode).toBe(200);
      expect(await status(me!.email)).toBe('active');
    } finally {
      await clocked.app.close();
    }
  });

  it('emails the preferences link to the reader\'s own address instead of showing it: CSRF-protected, one per ten minutes, the same answer whatever happens', async () => {
    const [me] = await readers(1);
    const b = new Browser(r.app);
    const page = await b.get(me!.path);
    const form = forms(page.body).find((f) => f.action.startsWith('/unsubscribe/preferences-link?'))!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const before = r.queued.length;

    expect((await new Browser(r.app).post(form.action, { _csrf: 'A'.repeat(32) })).statusCode).toBe(403);
    expect((await b.post(`/unsubscribe/preferences-link?t=${tokenOf(me!.links.preferences)}`, { _csrf: csrf })).statusCode).toBe(400);
    expect(r.queued.length).toBe(before);

    const sent = await b.post(form.action, { _csrf: csrf });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Check your inbox');
    expect(sent.body).not.toContain(me!.email);
    expect(sent.body).not.toContain(tokenOf(me!.links.preferences));
    expect(r.queued.length).toBe(before + 1);
    const noticeId = r.queued.at(-1)!;
    const email = await noticeEmail(t.db, r.config, noticeId);
    expect(email.to).toBe(me!.email);
    expect(email.subject).toBe('Your tagcast preferences');
    const link = await noticeLink(t.db, r.config, noticeId);
    expect(link).toBe(me!.links.preferences.slice(r.config.publicUrl.length));
    expect((await b.get(link)).statusCode).toBe(200);

    // A second ask within ten minutes: the same page, no second email.
    const held = await b.post(form.action, { _csrf: csrf });
    expect(held.statusCode).toBe(200);
    expect(held.body).toBe(sent.body);
    expect(r.queued.length).toBe(before + 1);
  });

  it('limits asking for the preferences link per client, as every public form that sends an email', async () => {
    const limited = await readerApp(t.db, { deps: { rateLimits: { global: { max: 1000, timeWindow: 60_000 }, publicPost: { max: 1, timeWindow: 60_000 } } } });
    try {
      const [a, b] = await readers(2);
      const client = new Browser(limited.app, '192.0.2.77');
      const ask = async (me: typeof a) => {
        const page = await client.get(me!.path);
        const form = forms(page.body).find((f) => f.action.startsWith('/unsubscribe/preferences-link?'))!;
        return client.post(form.action, { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! });
      };
      expect((await ask(a)).statusCode).toBe(200);
      expect((await ask(b)).statusCode).toBe(429);
    } finally {
      await limited.app.close();
    }
  });

  it('skips a reader who unsubscribed after planning in the batches not yet sent', async () => {
    const list = await readers(3);
    const issue = await plannedIssue(t.db, WEEK);
    const leaving = list[1]!;
    const unsubscribe = readerLinks({ secret: r.config.secret, publicUrl: r.config.publicUrl, mailDomain: mailDomain(r.config.mailFrom), subscriberId: leaving.id, issueId: issue.id }).unsubscribe;
    expect((await oneClick(unsubscribe.slice(r.config.publicUrl.length))).statusCode).toBe(200);
    expect(await counted(issue.id)).toBe(1);

    const h = await createHarness(t.db);
    try {
      await enqueueTo(h.queues).batches(issue.id, [{ batch: 0, delayMs: 0 }]);
      h.start();
      await waitForStatus(t.db, issue.id);
    } finally {
      await h.close();
    }
    const rows = await t.db.query<{ email: string; status: string; error: string | null }>(
      `select s.email, d.status, d.error from deliveries d join subscribers s on s.id = d.subscriber_id where d.issue_id = $1 and s.email = any($2::text[]) order by s.email`,
      [issue.id, list.map((x) => x.email)],
    );
    expect(rows.find((x) => x.email === leaving.email)).toMatchObject({ status: 'skipped', error: 'subscriber unsubscribed' });
    for (const stays of [list[0]!, list[2]!]) expect(rows.find((x) => x.email === stays.email)?.status).toBe('submitted');
    expect(h.provider.sentTo.has(leaving.email)).toBe(false);
    expect(h.provider.sentTo.get(list[0]!.email)).toBe(1);
    expect((await getIssue(t.db, issue.id))!.status).toBe('sent');
  });

  describe('the List-Unsubscribe mailto, through the signed email.received webhook', () => {
    let count = 0;
    function inbound(data: Record<string, unknown>) {
      const id = `msg_inbound_${++count}`;
      const at = new Date();
      const payload = JSON.stringify({ type: 'email.received', created_at: at.toISOString(), data: { email_id: `in_${count}`, ...data } });
      return r.app.inject({
        method: 'POST',
        url: '/webhooks/resend',
        headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new Webhook(WEBHOOK_SECRET).sign(id, at, payload) },
        payload,
      });
    }
    /** What a mail client sends for the mailto: URI of List-Unsubscribe. */
    function mailFor(mailto: string) {
      const u = new URL(mailto);
      return { to: [u.pathname], subject: decodeURIComponent(u.searchParams.get('subject')!) };
    }

    it('unsubscribes the reader named by the token in the subject, counted on the issue', async () => {
      const [me] = await readers(1);
      expect(me!.links.unsubscribeMailto).toMatch(/^mailto:unsubscribe@example\.test\?subject=unsubscribe%20/);
      const mail = mailFor(me!.links.unsubscribeMailto);
      const res = await inbound({ from: `Reader <${me!.email}>`, ...mail });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true, result: 'applied' });
      expect(await status(me!.email)).toBe('unsubscribed');
      expect(await counted()).toBe(1);
      // A second mail changes nothing more.
      expect((await inbound({ from: me!.email, ...mail })).statusCode).toBe(200);
      expect(await counted()).toBe(1);
    });

    it('changes nothing for a wrong token, a token of another purpose, or another mailbox', async () => {
      const [me] = await readers(1);
      const mail = mailFor(me!.links.unsubscribeMailto);
      const token = tokenOf(me!.links.unsubscribe);
      const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      const attempts = [
        { ...mail, subject: `unsubscribe ${tampered}` },
        { ...mail, subject: `unsubscribe ${tokenOf(me!.links.preferences)}` },
        { ...mail, subject: 'unsubscribe' },
        { ...mail, to: ['hello@example.test'] },
        { ...mail, to: ['unsubscribe@elsewhere.example'] },
      ];
      for (const a of attempts) {
        const res = await inbound({ from: me!.email, ...a });
        expect(res.statusCode).toBe(200);
        expect(res.json(), JSON.stringify(a)).toEqual({ ok: true, result: 'ignored' });
      }
      expect(await status(me!.email)).toBe('active');
      // A forged webhook (not signed by Resend) is refused before anything is read.
      const forged = await r.app.inject({ method: 'POST', url: '/webhooks/resend', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ type: 'email.received', data: { from: me!.email, ...mail } }) });
      expect(forged.statusCode).toBe(401);
      expect(await status(me!.email)).toBe('active');
      // The mailbox as a client may write it: display name, other case.
      expect((await inbound({ from: me!.email, ...mail, to: ['"Unsubscribe" <UNSUBSCRIBE@Example.TEST>'] })).json()).toEqual({ ok: true, result: 'applied' });
      expect(await status(me!.email)).toBe('unsubscribed');
    });
  });
});
