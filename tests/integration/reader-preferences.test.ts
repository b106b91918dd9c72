// GET/POST /preferences and the export and erase links over HTTP: what the page shows, each action
// with CSRF and a 303 after success, 400s with reasons, changes that reach the next issue planned and
// not one already planned, pauses that end by themselves, and export and erase through a fresh
// one-hour link emailed to the reader (a forwarded digest's links can do neither).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suppress } from '../../src/db/events.ts';
import { emailHash } from '../../src/db/readers.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { enqueueNotice } from '../../src/enqueue.ts';
import { mailDomain } from '../../src/lib/mail.ts';
import { outboxPath } from '../../src/send/outbox.ts';
import { importSubscribersCsv } from '../../src/subscriptions/subscribers.ts';
import { createToken, readerLinks, type Purpose } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { parseEml } from '../support/mail.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import {
  addSummaries,
  Browser,
  forms,
  inputs,
  isChecked,
  noticeLink,
  noticesOf,
  noticeSettled,
  noticeSent,
  plannedIssue,
  readerApp,
  selected,
  sentIssue,
  subscriberByEmail,
  tokenOf,
  type ReaderApp,
} from '../support/reader.ts';

const W1 = '2026-W40';
const W2 = '2026-W41';

describe.sequential(`reader pages: preferences on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, W1, [
      { title: 'Vector search in Postgres', tags: ['Databases', 'AI'] },
      { title: 'Agents that plan', tags: ['AI'] },
    ]);
    await addSummaries(t.db, W2, [
      { title: 'Evaluating agents', tags: ['AI'] },
      { title: 'Async Rust in practice', tags: ['Rust'] },
    ]);
    r = await readerApp(t.db);
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  let n = 0;
  /** A confirmed reader and the links their digests carry. */
  async function reader(tags: string[] = ['AI'], timeZone = 'Europe/Berlin') {
    const email = `reader${++n}@prefs.example`;
    const input: SubscriberInput = { email, name: `Reader ${n}`, timeZone, tags, status: 'active', source: 'test' };
    await upsertSubscribers(t.db, [input]);
    const id = (await subscriberByEmail(t.db, email))!.id;
    const l = readerLinks({ secret: r.config.secret, publicUrl: r.config.publicUrl, mailDomain: mailDomain(r.config.mailFrom), subscriberId: id, issueId: 1 });
    const prefs = l.preferences.slice(r.config.publicUrl.length);
    return { email, id, prefs, links: l };
  }
  const act = (b: Browser, prefs: string, fields: Record<string, string | string[]>) => b.submit(prefs, prefs, fields);
  const sections = async (issueId: number, subscriberId: number) =>
    (await t.db.query<{ sections: string[] }>(`select sections from deliveries where issue_id = $1 and subscriber_id = $2`, [issueId, subscriberId]))[0]?.sections;

  it("shows the reader's address, tags, time zone and history with web-version links, and a CSRF field in every form", async () => {
    const me = await reader(['AI', 'Databases'], 'Asia/Kolkata');
    const issue = await sentIssue(t.db, W1);
    const b = new Browser(r.app);
    const page = await b.get(me.prefs);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<meta name="robots" content="noindex, nofollow"/>');
    expect(page.body).toContain(me.email);
    expect(isChecked(page.body, 'tags', 'ai')).toBe(true);
    expect(isChecked(page.body, 'tags', 'databases')).toBe(true);
    expect(isChecked(page.body, 'tags', 'rust')).toBe(false);
    expect(selected(page.body, 'time_zone')).toBe('Asia/Kolkata');
    // History: the issue they were sent, linking to their own web version of it.
    const web = new RegExp(`href="(/web/${issue.id}\\?t=[^"]+)"`).exec(page.body)?.[1];
    expect(web).toBeDefined();
    const opened = await b.get(web!);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('Vector search in Postgres');
    expect(page.body).toMatch(/href="https:\/\/news\.example\.test\/preferences\/feed\.xml\?t=[^"]+"/);
    const all = forms(page.body);
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const f of all) {
      expect(f, f.action).toMatchObject({ method: 'post', csrf: true });
      expect(f.action).toBe(me.prefs);
    }
    const actions = inputs(page.body, 'action').map((tag) => / value="([^"]+)"/.exec(tag)![1]);
    expect(actions).toEqual(expect.arrayContaining(['save', 'pause', 'export', 'delete', 'unsubscribe']));
  });

  it('saves tags and time zone with a 303 back to the page, and refuses a missing CSRF field, unknown tags, no tags, a bad zone or an unknown action with the reason', async () => {
    const me = await reader(['AI']);
    const b = new Browser(r.app);
    const saved = await act(b, me.prefs, { action: 'save', tags: ['rust', 'databases'], time_zone: 'America/Chicago' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${me.prefs}&done=saved`);
    expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ tags: ['databases', 'rust'], timeZone: 'America/Chicago' });
    const after = await b.get(saved.headers.location as string);
    expect(after.body).toContain('Saved.');
    expect(isChecked(after.body, 'tags', 'rust')).toBe(true);

    const bad: { fields: Record<string, string | string[]>; status: number; reason: RegExp }[] = [
      { fields: { action: 'save', tags: ['no-such-tag'], time_zone: 'UTC' }, status: 400, reason: /no-such-tag/ },
      { fields: { action: 'save', tags: ['ai', 'no-such-tag'], time_zone: 'UTC' }, status: 400, reason: /no-such-tag/ },
      { fields: { action: 'save', time_zone: 'UTC' }, status: 400, reason: /Choose at least one tag/ },
      { fields: { action: 'save', tags: ['ai'], time_zone: 'Nowhere/Else' }, status: 400, reason: /Choose a time zone from the list/ },
      { fields: { action: 'save', tags: ['ai'] }, status: 400, reason: /Choose a time zone from the list/ },
      { fields: { action: 'launch' }, status: 400, reason: /not one this page knows/ },
      { fields: {}, status: 400, reason: /not one this page knows/ },
    ];
    for (const c of bad) {
      const res = await act(b, me.prefs, c.fields);
      expect(res.statusCode, JSON.stringify(c.fields)).toBe(c.status);
      expect(res.body).toMatch(c.reason);
      expect(res.body).toMatch(/role="alert"/);
    }
    // Without the CSRF field, or from another site: 403 with the reason.
    const noField = await b.post(me.prefs, { action: 'save', tags: ['ai'], time_zone: 'UTC' });
    expect(noField.statusCode).toBe(403);
    expect(noField.body).toContain('missing its security field');
    const stranger = await new Browser(r.app).post(me.prefs, { action: 'unsubscribe', _csrf: 'A'.repeat(32) });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.body).toContain('did not send back the form cookie');
    const page = await b.get(me.prefs);
    const field = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const crossSite = await b.post(me.prefs, { _csrf: field, action: 'unsubscribe' }, { origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ status: 'active', tags: ['databases', 'rust'], timeZone: 'America/Chicago' });
  });

  it('pauses for 1 to 12 weeks (0, 13 and "x" are 400), skips a paused reader in planning, and plans them again once the pause ended', async () => {
    const me = await reader(['AI']);
    const b = new Browser(r.app);
    for (const weeks of ['0', '13', 'x', '', '1.5', '-1']) {
      const res = await act(b, me.prefs, { action: 'pause', weeks });
      expect(res.statusCode, weeks).toBe(400);
      expect(res.body).toContain('Choose a pause of 1 to 12 weeks.');
    }
    expect((await subscriberByEmail(t.db, me.email))!.pausedUntil).toBeNull();

    const paused = await act(b, me.prefs, { action: 'pause', weeks: '4' });
    expect(paused.statusCode).toBe(303);
    expect(paused.headers.location).toBe(`${me.prefs}&done=paused`);
    const [until] = await t.db.query<{ ok: boolean }>(
      `select paused_until between now() + interval '27 days 23 hours' and now() + interval '28 days' as ok from subscribers where id = $1`,
      [me.id],
    );
    expect(until!.ok).toBe(true);
    const page = await b.get(me.prefs);
    expect(/Paused until[^<]*/.exec(page.body)?.[0]).toMatch(/Paused until \w+day,? \d+ \w+ \d{4}/);
    // Where the pause lands the reader: one box that says so, with its date, not two that say it twice.
    const landed = await b.get(paused.headers.location as string);
    expect(landed.body.match(/class="notice[^"]*"/g)).toHaveLength(1);
    expect(landed.body).toMatch(/Paused until \w+day,? \d+ \w+ \d{4}/);
    expect(landed.body).not.toContain('when the pause ends');

    // Planning leaves the paused reader out, and the others in.
    const other = await reader(['AI']);
    const first = await plannedIssue(t.db, W2);
    expect(await sections(first.id, me.id)).toBeUndefined();
    expect(await sections(first.id, other.id)).toEqual(['ai']);
    // The pause ends (the clock moved on): the next planning takes them without anyone acting.
    await t.db.query(`update subscribers set paused_until = now() - interval '1 minute' where id = $1`, [me.id]);
    const second = await plannedIssue(t.db, W2);
    expect(await sections(second.id, me.id)).toEqual(['ai']);
    await t.db.query(`update issues set status = 'cancelled' where id in ($1, $2)`, [first.id, second.id]);

    // Resume ends a pause at once.
    await act(b, me.prefs, { action: 'pause', weeks: '12' });
    const resumed = await act(b, me.prefs, { action: 'resume' });
    expect(resumed.statusCode).toBe(303);
    expect(resumed.headers.location).toBe(`${me.prefs}&done=resumed`);
    expect((await subscriberByEmail(t.db, me.email))!.pausedUntil).toBeNull();
  });

  it('changes reach the next issue planned, never one already planned', async () => {
    const me = await reader(['AI']);
    const b = new Browser(r.app);
    const planned = await plannedIssue(t.db, W2);
    expect(await sections(planned.id, me.id)).toEqual(['ai']);
    expect((await act(b, me.prefs, { action: 'save', tags: ['rust'], time_zone: 'UTC' })).statusCode).toBe(303);
    // Frozen at planning: the issue under way still sends them AI.
    expect(await sections(planned.id, me.id)).toEqual(['ai']);
    const next = await plannedIssue(t.db, W2);
    expect(await sections(next.id, me.id)).toEqual(['rust']);
    await t.db.query(`update issues set status = 'cancelled' where id in ($1, $2)`, [planned.id, next.id]);
  });

  it('unsubscribes from everything and subscribes again', async () => {
    const me = await reader(['AI']);
    const b = new Browser(r.app);
    const left = await act(b, me.prefs, { action: 'unsubscribe' });
    expect(left.statusCode).toBe(303);
    expect(left.headers.location).toBe(`${me.prefs}&done=unsubscribed`);
    expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ status: 'unsubscribed', tags: ['ai'] });
    const page = await b.get(left.headers.location as string);
    expect(page.body).toContain('You are unsubscribed');
    expect(forms(page.body).some((f) => f.csrf && page.body.includes('value="resubscribe"'))).toBe(true);
    const planned = await plannedIssue(t.db, W2);
    expect(await sections(planned.id, me.id)).toBeUndefined();
    await t.db.query(`update issues set status = 'cancelled' where id = $1`, [planned.id]);

    const back = await act(b, me.prefs, { action: 'resubscribe' });
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe(`${me.prefs}&done=resubscribed`);
    expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ status: 'active', tags: ['ai'] });
  });

  describe('export and erase', () => {
    let h: Harness;
    let queued: ReaderApp;
    beforeAll(async () => {
      // The notices go through the real queue to the outbox provider, as with EMAIL_PROVIDER=outbox.
      h = await createHarness(t.db);
      queued = await readerApp(t.db, { deps: { enqueueNotice: (id) => enqueueNotice(h.queues, id) } });
      h.start();
    });
    afterAll(async () => {
      await queued?.app.close();
      await h?.close();
    });

    /** Waits for the notice's email and returns it as the outbox wrote it. */
    async function emailed(noticeId: number, to: string) {
      await noticeSent(t.db, noticeId);
      return parseEml(readFileSync(`${outboxPath(h.outboxDir, 'notices', to, String(noticeId))}.eml`, 'utf8'));
    }
    const linkIn = (text: string) => /https:\/\/news\.example\.test(\/\S+)/.exec(text)![1]!;

    it("emails an hour-long export link to the reader's address; the link alone downloads everything held, as JSON", async () => {
      const me = await reader(['AI', 'Databases']);
      await sentIssue(t.db, W1);
      const b = new Browser(queued.app);
      const asked = await act(b, me.prefs, { action: 'export' });
      expect(asked.statusCode).toBe(303);
      expect(asked.headers.location).toBe(`${me.prefs}&done=export`);
      expect((await b.get(asked.headers.location as string)).body).toContain('We sent a download link to your address');
      const [notice] = await noticesOf(t.db, me.email);
      expect(notice!.kind).toBe('export');
      const mail = await emailed(notice!.id, me.email);
      expect(mail.headers.get('to')).toContain(me.email);
      expect(mail.headers.get('subject')).toBe('Your tagcast data');
      const link = linkIn(mail.text);
      expect(link).toMatch(/^\/preferences\/export\?t=/);

      // Asking again within ten minutes sends nothing more, and says so.
      const again = await act(b, me.prefs, { action: 'export' });
      expect(again.headers.location).toBe(`${me.prefs}&done=held`);
      expect(await noticesOf(t.db, me.email)).toHaveLength(1);

      const got = await new Browser(queued.app).get(link);
      expect(got.statusCode).toBe(200);
      expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(got.headers['content-disposition']).toMatch(/^attachment;/);
      expect(got.headers['cache-control']).toBe('no-store');
      const data = got.json();
      expect(data.subscriber).toMatchObject({ email: me.email, name: expect.any(String), status: 'active', tags: ['ai', 'databases'], timeZone: 'Europe/Berlin' });
      expect(data.deliveries).toEqual([expect.objectContaining({ week: W1, status: 'submitted', sections: expect.arrayContaining(['ai']) })]);
      expect(data.emailsAsked).toEqual([expect.objectContaining({ kind: 'export' })]);
      expect(data).toHaveProperty('providerEvents');
      expect(data).toHaveProperty('suppression', null);
      // Everything held: every column of the reader's row, not a selection of it.
      const [row] = await t.db.query<Record<string, unknown>>(`select * from subscribers where email = $1`, [me.email]);
      const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      for (const [column, value] of Object.entries(row!)) expect(data.subscriber[camel(column)], column).toEqual(value instanceof Date ? value.toISOString() : value);

      // An hour from the request it works; a minute later it has expired (410).
      const createdAt = (await t.db.query<{ createdAt: Date }>(`select created_at as "createdAt" from notices where id = $1`, [notice!.id]))[0]!.createdAt;
      for (const [minutes, status] of [[59, 200], [61, 410]] as const) {
        const at = await readerApp(t.db, { deps: { now: () => new Date(createdAt.getTime() + minutes * 60_000) } });
        try {
          expect((await new Browser(at.app).get(link)).statusCode, `${minutes} min`).toBe(status);
        } finally {
          await at.app.close();
        }
      }
    });

    it('sends no link to an address that is suppressed: the notice records why', async () => {
      const me = await reader(['AI']);
      const b = new Browser(queued.app);
      expect((await act(b, me.prefs, { action: 'unsubscribe' })).statusCode).toBe(303);
      // A late hard bounce of an earlier digest: an unsubscribed reader keeps their status, the
      // suppression records the bounce.
      await suppress(t.db, me.email, 'bounced', 'Permanent: General');
      expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ status: 'unsubscribed' });
      expect((await act(b, me.prefs, { action: 'export' })).statusCode).toBe(303);
      const [notice] = await noticesOf(t.db, me.email);
      expect(await noticeSettled(t.db, notice!.id)).toMatchObject({ sent: null, error: expect.stringMatching(/suppressed/) });
      expect(h.provider.sentTo.has(me.email)).toBe(false);
    });

    it('sends one export or erase link per ten minutes even when the requests race', async () => {
      const me = await reader(['AI']);
      const b = new Browser(r.app);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get(me.prefs)).body)![1]!;
      for (const action of ['export', 'delete']) {
        const answers = await Promise.all(Array.from({ length: 6 }, () => b.post(me.prefs, { _csrf: csrf, action })));
        expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(303));
        expect(answers.filter((a) => a.headers.location === `${me.prefs}&done=${action}`)).toHaveLength(1);
        expect((await noticesOf(t.db, me.email)).filter((x) => x.kind === action), action).toHaveLength(1);
      }
    });

    it('opens export and erase only with their own links, never with those a forwarded digest carries', async () => {
      const me = await reader(['AI']);
      const secret = r.config.secret;
      const forwarded = [tokenOf(me.links.web), tokenOf(me.links.preferences), tokenOf(me.links.unsubscribe)];
      const expires = Math.floor(Date.now() / 1000) + 3600;
      const own = (purpose: Purpose) => createToken(secret, { purpose, subscriberId: me.id, ref: 1, expires });
      const b = new Browser(r.app);
      for (const tok of [...forwarded, own('delete'), own('confirm'), own('feed')]) {
        const res = await b.get(`/preferences/export?t=${tok}`);
        expect(res.statusCode, tok).toBe(400);
        expect(res.body).toContain('This link is not valid');
        expect(res.body).not.toContain(me.email);
      }
      for (const tok of [...forwarded, own('export'), own('confirm')]) {
        expect((await b.get(`/preferences/delete?t=${tok}`)).statusCode, tok).toBe(400);
        // Even with a good CSRF field from the site.
        const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get(me.prefs)).body)![1]!;
        expect((await b.post(`/preferences/delete?t=${tok}`, { _csrf: csrf })).statusCode, tok).toBe(400);
      }
      expect((await b.get(`/preferences/export?t=${own('export')}`)).statusCode).toBe(200);
      // Expired an hour after it was sent.
      const past = Math.floor(Date.now() / 1000) - 1;
      expect((await b.get(`/preferences/export?t=${createToken(secret, { purpose: 'export', subscriberId: me.id, ref: 1, expires: past })}`)).statusCode).toBe(410);
      const expiredDelete = createToken(secret, { purpose: 'delete', subscriberId: me.id, ref: 1, expires: past });
      expect((await b.get(`/preferences/delete?t=${expiredDelete}`)).statusCode).toBe(410);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.get(me.prefs)).body)![1]!;
      expect((await b.post(`/preferences/delete?t=${expiredDelete}`, { _csrf: csrf })).statusCode).toBe(410);
      expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ status: 'active' });
    });

    it('erases only on the POST of the emailed link, keeps the address only as a hash, bars imports, and lets the reader come back through the page', async () => {
      const me = await reader(['AI']);
      await sentIssue(t.db, W1);
      await t.db.query(`insert into events (id, type, email, payload) values ('evt-erase-1', 'email.delivered', $1, '{}')`, [me.email]);
      const b = new Browser(queued.app);
      const asked = await act(b, me.prefs, { action: 'delete' });
      expect(asked.headers.location).toBe(`${me.prefs}&done=delete`);
      const [notice] = await noticesOf(t.db, me.email);
      expect(notice!.kind).toBe('delete');
      const mail = await emailed(notice!.id, me.email);
      expect(mail.headers.get('subject')).toBe('Confirm erasing your tagcast data');
      const link = linkIn(mail.text);
      expect(link).toMatch(/^\/preferences\/delete\?t=/);

      // The GET only asks.
      const page = await b.get(link);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(me.email);
      expect(forms(page.body)).toEqual([{ method: 'post', action: link, csrf: true, fields: ['_csrf'] }]);
      expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ status: 'active' });
      // A POST without the CSRF field erases nothing.
      const forged = await new Browser(queued.app).post(link, {});
      expect(forged.statusCode).toBe(403);
      expect(await subscriberByEmail(t.db, me.email)).toBeDefined();

      const erased = await b.post(link, { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! });
      expect(erased.statusCode).toBe(200);
      expect(erased.body).toContain('Your data is erased');
      expect(await subscriberByEmail(t.db, me.email)).toBeUndefined();
      const [held] = await t.db.query<{ n: number }>(`select count(*)::int as n from erasures where email_hash = $1`, [emailHash(me.email)]);
      expect(held!.n).toBe(1);
      // The address is nowhere in clear.
      for (const table of ['subscribers', 'events', 'suppressions', 'notices', 'deliveries', 'erasures']) {
        const [row] = await t.db.query<{ n: number }>(`select count(*)::int as n from ${table} x where x::text like '%' || $1 || '%'`, [me.email]);
        expect(row!.n, table).toBe(0);
      }
      // Its links now find nothing.
      expect((await b.get(me.prefs)).statusCode).toBe(404);
      expect((await b.post(link, { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! })).statusCode).toBe(404);

      // No import or editor adds it back.
      expect(await upsertSubscribers(t.db, [{ email: me.email, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' }])).toMatchObject({ created: 0, erased: 1 });
      const csv = await importSubscribersCsv(t.db, `email,tags,status\n${me.email.toUpperCase()},AI,active\n`, 'readers.csv', { createTags: true });
      expect(csv).toMatchObject({ created: 0, erased: 1, errors: [] });
      expect(await subscriberByEmail(t.db, me.email)).toBeUndefined();

      // The reader may come back themselves, through the page and the confirmation in their inbox.
      const sub = await new Browser(r.app).submit('/subscribe', '/subscribe', { email: me.email, tags: ['rust'], time_zone: 'UTC', website: '' });
      expect(sub.statusCode).toBe(200);
      const [confirm] = await noticesOf(t.db, me.email);
      expect((await new Browser(r.app).get(await noticeLink(t.db, r.config, confirm!.id))).statusCode).toBe(200);
      expect(await subscriberByEmail(t.db, me.email)).toMatchObject({ status: 'active', tags: ['rust'] });
      const [gone] = await t.db.query<{ n: number }>(`select count(*)::int as n from erasures where email_hash = $1`, [emailHash(me.email)]);
      expect(gone!.n).toBe(0);
    });
  });
});
