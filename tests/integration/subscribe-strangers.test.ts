// What a stranger can do with someone else's address on the subscribe form: nothing they type reaches
// the owner's inbox (the confirmation and "already subscribed" emails, read back from the outbox's .eml
// and .html) or record (unless the owner confirms that very request); one email per inbox per window
// whatever the spelling (+tag, dots at Gmail), racing too; requests nobody confirmed are purged once
// their links expired; and a confirm link whose reader was erased answers as docs/decisions.md says.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../jobs/index.ts';
import * as reconcile from '../../jobs/reconcile.ts';
import { eraseReader, emailHash } from '../../src/db/readers.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { isoWeek } from '../../src/digest/week.ts';
import { enqueueNotice, enqueueTo } from '../../src/enqueue.ts';
import { outboxPath } from '../../src/send/outbox.ts';
import { mailboxKey } from '../../src/lib/mail.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { parseEml } from '../support/mail.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import { addSummaries, Browser, csrfField, noticeLink, noticesOf, noticeSent, readerApp, subscriberByEmail, type ReaderApp } from '../support/reader.ts';

const WEEK = isoWeek(new Date());
/** What a stranger types: a phishing line as the name, with markup, and a zone nobody here chose. */
const STRANGER = { name: 'Your account is locked <b>call</b> +1 555 0100 now', tags: ['databases'], time_zone: 'Pacific/Chatham' };
const TRACES = ['555 0100', 'account is locked', 'Pacific/Chatham', 'Chatham'];

describe.sequential(`strangers on the subscribe form on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;
  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [
      { title: 'Vector search in Postgres', tags: ['Databases'] },
      { title: 'Borrowing without tears', tags: ['Rust'] },
    ]);
    h = await createHarness(t.db);
    r = await readerApp(t.db, { deps: { enqueueNotice: (id) => enqueueNotice(h.queues, id) } });
    h.start();
  });
  afterAll(async () => {
    await r?.app.close();
    await h?.close();
    await t?.drop();
  });

  const owner = (email: string, status: SubscriberInput['status']): SubscriberInput => ({ email, name: 'Owner', timeZone: 'Europe/Berlin', tags: ['Rust'], status, source: 'test' });
  const post = (email: string, fields: Record<string, string | string[]>, b = new Browser(r.app)) =>
    b.submit('/subscribe', '/subscribe', { email, tags: ['rust'], time_zone: 'UTC', name: '', website: '', ...fields });
  /** The email the outbox wrote for this notice: the .eml's text and HTML parts and the .html beside it. */
  async function delivered(email: string, noticeId: number) {
    await noticeSent(t.db, noticeId);
    const base = outboxPath(h.outboxDir, 'notices', email, String(noticeId));
    const eml = parseEml(readFileSync(`${base}.eml`, 'utf8'));
    return { text: eml.text, html: eml.html, file: readFileSync(`${base}.html`, 'utf8'), subject: eml.headers.get('subject') ?? '' };
  }
  /** Moves an address's requests and its mailbox's slot this many minutes into the past. */
  async function age(email: string, minutes: number) {
    await t.db.query(`update notices set created_at = created_at - $2 * interval '1 minute' where subscriber_id = (select id from subscribers where email = $1)`, [email, minutes]);
    await t.db.query(`update mailbox_limits set last_sent = last_sent - $2 * interval '1 minute' where mailbox_hash = $1`, [emailHash(mailboxKey(email)), minutes]);
  }
  const ctx = () => ({ db: t.db, enqueue: enqueueTo(h.queues), now: () => new Date(), config: { templateEngine: 'react' } }) as unknown as JobContext;

  it("keeps a stranger's name, tags and time zone out of the owner's inbox and record, whatever the address's state", async () => {
    const cases: { who: string; before?: SubscriberInput['status']; kind: string; record: Record<string, unknown> }[] = [
      { who: 'new', kind: 'confirm', record: { status: 'pending', name: null, timeZone: null, tags: [] } },
      { who: 'pending', before: 'pending', kind: 'confirm', record: { status: 'pending', name: 'Owner', timeZone: 'Europe/Berlin', tags: ['rust'] } },
      { who: 'active', before: 'active', kind: 'subscribed', record: { status: 'active', name: 'Owner', timeZone: 'Europe/Berlin', tags: ['rust'] } },
      { who: 'unsubscribed', before: 'unsubscribed', kind: 'confirm', record: { status: 'unsubscribed', name: 'Owner', timeZone: 'Europe/Berlin', tags: ['rust'] } },
    ];
    for (const c of cases) {
      const email = `${c.who}@inbox.example`;
      if (c.before) await upsertSubscribers(t.db, [owner(email, c.before)]);
      expect((await post(email, STRANGER)).statusCode, c.who).toBe(200);
      const [notice] = await noticesOf(t.db, email);
      expect(notice?.kind, c.who).toBe(c.kind);
      const mail = await delivered(email, notice!.id);
      for (const part of [mail.subject, mail.text, mail.html, mail.file]) {
        for (const trace of TRACES) expect(part, `${c.who}: ${trace}`).not.toContain(trace);
        // No claim about where the request came from that nobody checked.
        expect(part, c.who).not.toMatch(/request came from/);
      }
      // The "already subscribed" note names none of the stranger's tags either.
      if (c.kind === 'subscribed') expect(mail.text + mail.html, c.who).not.toContain('Databases');
      else expect(mail.text, c.who).toContain('entered this address on the subscribe page of news.example.test');
      expect(await subscriberByEmail(t.db, email), c.who).toMatchObject(c.record);
    }
  });

  it('applies a name, tags and time zone only from the request whose link is clicked', async () => {
    const ownRequest = { name: 'Ada', tags: ['rust'], time_zone: 'Europe/Berlin' };
    const cases: { who: string; order: Record<string, string | string[]>[]; clicks: number; record: Record<string, unknown> }[] = [
      // The owner asked first; a stranger's later request is not what the owner's link confirms.
      { who: 'owner-first', order: [ownRequest, STRANGER], clicks: 0, record: { status: 'active', name: 'Ada', timeZone: 'Europe/Berlin', tags: ['rust'] } },
      // A stranger asked first (the address was new); the owner's own request, without a name, is confirmed.
      { who: 'stranger-first', order: [STRANGER, { tags: ['rust'], time_zone: 'Europe/Berlin' }], clicks: 1, record: { status: 'active', name: null, timeZone: 'Europe/Berlin', tags: ['rust'] } },
    ];
    for (const c of cases) {
      const email = `${c.who}@click.example`;
      for (const fields of c.order) {
        expect((await post(email, fields)).statusCode, c.who).toBe(200);
        await age(email, 11); // past the window, so the next request makes its own notice
      }
      const requests = await noticesOf(t.db, email);
      expect(requests.map((n) => n.kind), c.who).toEqual(['confirm', 'confirm']);
      expect(await subscriberByEmail(t.db, email), c.who).toMatchObject({ status: 'pending', name: null, timeZone: null, tags: [] });
      expect((await new Browser(r.app).get(await noticeLink(t.db, r.config, requests[c.clicks]!.id))).statusCode, c.who).toBe(200);
      expect(await subscriberByEmail(t.db, email), c.who).toMatchObject(c.record);
    }
  });

  it('sends one email per inbox per window, whatever the spelling, one after another and racing', async () => {
    const cases: { who: string; spellings: string[]; emails: number; race: boolean }[] = [
      { who: 'gmail dots and +tags', spellings: ['jane.doe@gmail.com', 'janedoe@gmail.com', 'j.a.n.e.d.o.e+news@gmail.com', 'JaneDoe+x@GoogleMail.com', 'jane.doe+1@googlemail.com'], emails: 1, race: false },
      { who: '+tags elsewhere', spellings: ['sam@example.org', 'sam+a@example.org', 'SAM+b@Example.org', 'sam+@example.org'], emails: 1, race: false },
      { who: 'racing', spellings: Array.from({ length: 8 }, (_, i) => `r.ace+${i}@gmail.com`), emails: 1, race: true },
      // Dots count elsewhere: two mailboxes, two emails.
      { who: 'dots elsewhere', spellings: ['s.am@example.net', 'sam@example.net'], emails: 2, race: false },
    ];
    for (const c of cases) {
      const b = new Browser(r.app);
      const csrf = csrfField((await b.get('/subscribe')).body)!;
      const send = (email: string) => b.post('/subscribe', { _csrf: csrf, email, tags: ['rust'], time_zone: 'UTC', website: '' });
      const answers = c.race ? await Promise.all(c.spellings.map(send)) : await c.spellings.reduce(async (acc, e) => [...(await acc), await send(e)], Promise.resolve([] as Awaited<ReturnType<typeof send>>[]));
      expect(answers.map((a) => a.statusCode), c.who).toEqual(c.spellings.map(() => 200));
      const normalised = c.spellings.map((e) => e.toLowerCase());
      const rows = await t.db.query<{ email: string; notices: number }>(
        `select s.email, (select count(*) from notices n where n.subscriber_id = s.id)::int as notices from subscribers s where s.email = any($1::text[])`,
        [normalised],
      );
      expect(rows.reduce((n, x) => n + x.notices, 0), c.who).toBe(c.emails);
      // A spelling that was held back left no row behind.
      expect(rows.filter((x) => x.notices === 0), c.who).toEqual([]);
    }
    // Past the window, another spelling of the same inbox gets its email.
    await age('jane.doe@gmail.com', 11);
    await post('jane.doe+later@gmail.com', {});
    expect(await noticesOf(t.db, 'jane.doe+later@gmail.com'), 'after the window').toHaveLength(1);
  });

  it('purges requests nobody confirmed once their links expired, and keeps live ones, readers and what editors added', async () => {
    const expired = 3 * 24 * 60 + 1; // minutes: the confirmation link's three days, and one more
    // An address only ever typed on the page, its link expired, with a provider event about it.
    await post('expired@purge.example', STRANGER);
    await age('expired@purge.example', expired);
    await t.db.query(`update subscribers set created_at = now() - $2 * interval '1 minute' where email = $1`, ['expired@purge.example', expired]);
    await t.db.query(`insert into events (id, type, email, payload) values ('evt-purge-1', 'email.delivered', 'expired@purge.example', '{"to":"expired@purge.example"}')`);
    // Typed a day ago: its link still works.
    await post('fresh@purge.example', {});
    await age('fresh@purge.example', 24 * 60);
    await t.db.query(`update subscribers set created_at = now() - interval '1 day' where email = 'fresh@purge.example'`);
    // An old row with an expired request and a newer live one.
    await post('again@purge.example', {});
    await age('again@purge.example', expired);
    await t.db.query(`update subscribers set created_at = now() - $2 * interval '1 minute' where email = $1`, ['again@purge.example', expired]);
    await post('again@purge.example', {});
    // A reader who confirmed long ago, and a reader who left, whom a stranger typed in since.
    await post('reader@purge.example', {});
    const [own] = await noticesOf(t.db, 'reader@purge.example');
    expect((await new Browser(r.app).get(await noticeLink(t.db, r.config, own!.id))).statusCode).toBe(200);
    await age('reader@purge.example', expired);
    await upsertSubscribers(t.db, [owner('left@purge.example', 'unsubscribed')]);
    await post('left@purge.example', STRANGER);
    await age('left@purge.example', expired);
    // Added as pending by an editor long ago; typed on the page, then given tags by an editor.
    await upsertSubscribers(t.db, [owner('imported@purge.example', 'pending')]);
    await t.db.query(`update subscribers set created_at = now() - interval '30 days' where email = 'imported@purge.example'`);
    await post('touched@purge.example', {});
    await upsertSubscribers(t.db, [{ ...owner('touched@purge.example', 'pending'), name: null, timeZone: null }]);
    await age('touched@purge.example', expired);
    await t.db.query(`update subscribers set created_at = now() - $2 * interval '1 minute' where email = $1`, ['touched@purge.example', expired]);

    await reconcile.process({}, ctx());

    const cases: { email: string; kept: boolean; requests: number }[] = [
      { email: 'expired@purge.example', kept: false, requests: 0 },
      { email: 'fresh@purge.example', kept: true, requests: 1 },
      { email: 'again@purge.example', kept: true, requests: 1 },
      { email: 'reader@purge.example', kept: true, requests: 2 }, // its confirmation and its welcome
      { email: 'left@purge.example', kept: true, requests: 0 },
      { email: 'imported@purge.example', kept: true, requests: 0 },
      { email: 'touched@purge.example', kept: true, requests: 0 },
    ];
    for (const c of cases) {
      expect(await subscriberByEmail(t.db, c.email) !== undefined, c.email).toBe(c.kept);
      expect(await noticesOf(t.db, c.email), c.email).toHaveLength(c.requests);
    }
    expect(await subscriberByEmail(t.db, 'reader@purge.example')).toMatchObject({ status: 'active' });
    expect(await subscriberByEmail(t.db, 'left@purge.example')).toMatchObject({ status: 'unsubscribed', name: 'Owner' });
    // The purged address left no trace anywhere.
    for (const table of ['subscribers', 'notices', 'events', 'subscriptions', 'deliveries', 'mailbox_limits']) {
      const [row] = await t.db.query<{ n: number }>(`select count(*)::int as n from ${table} x where x::text like '%expired@purge.example%'`);
      expect(row!.n, table).toBe(0);
    }
    // Mailbox slots past the window are forgotten; a slot inside it stays.
    const slots = async (email: string) => (await t.db.query(`select 1 from mailbox_limits where mailbox_hash = $1`, [emailHash(mailboxKey(email))])).length;
    expect(await slots('expired@purge.example')).toBe(0);
    expect(await slots('again@purge.example')).toBe(1);
  });

  it('answers a confirm link whose reader was erased with 410 and brings nobody back, used or not', async () => {
    const email = 'erased@gone.example';
    await post(email, { name: 'Ada' });
    await age(email, 11);
    await post(email, STRANGER);
    const [used, unused] = await noticesOf(t.db, email);
    const links = { used: await noticeLink(t.db, r.config, used!.id), unused: await noticeLink(t.db, r.config, unused!.id) };
    expect((await new Browser(r.app).get(links.used)).statusCode).toBe(200);
    const reader = (await subscriberByEmail(t.db, email))!;
    expect(await eraseReader(t.db, reader.id)).toBe(true);
    for (const [which, link] of Object.entries(links)) {
      const res = await new Browser(r.app).get(link);
      expect(res.statusCode, which).toBe(410);
      expect(res.body, which).toContain('subscribe again');
      expect(await subscriberByEmail(t.db, email), which).toBeUndefined();
    }
    const [held] = await t.db.query<{ n: number }>(`select count(*)::int as n from erasures where email_hash = $1`, [emailHash(email)]);
    expect(held!.n).toBe(1);
  });
});
