// What a reader does from a digest itself (issue 18), over HTTP and through the real planning and
// batch queries: stop one tag (GET changes nothing; POST once; undo; the last tag offers unsubscribe;
// a link for one reader or tag stops nothing else), switch brief/full (frozen per delivery at planning),
// one welcome after the confirm click, and unsubscribe reasons kept as counts only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotice } from '../../src/enqueue.ts';
import { outboxPath } from '../../src/send/outbox.ts';
import { writeSchedule } from '../../src/db/schedules.ts';
import { parseEml } from '../support/mail.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';
import { leaseBatch } from '../../src/db/deliveries.ts';
import { getNotice } from '../../src/db/notices.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { tagIdsBySlug } from '../../src/db/unfollow.ts';
import { reasonCounts } from '../../src/db/unsubscribe-reasons.ts';
import { localEditor } from '../../src/editor/index.ts';
import { mailDomain } from '../../src/lib/mail.ts';
import { composeNotice } from '../../src/subscriptions/notices.ts';
import { createToken, readerLinks, verifyToken } from '../../src/lib/reader-links.ts';
import { nextDigestLine } from '../../src/subscriptions/welcome.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { addSummaries, Browser, csrfField, forms, isChecked, noticeLink, noticesOf, noticeSent, plannedIssue, readerApp, subscriberByEmail, tokenOf, type ReaderApp } from '../support/reader.ts';

const WEEK = '2026-W45';

describe.sequential(`links in a digest: unfollow, density, welcome, reasons on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let tagIds: Map<string, number>;

  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [
      { title: 'Agents that plan', tags: ['AI'] },
      { title: 'Borrowing without tears', tags: ['Rust'] },
      { title: 'Vector search in Postgres', tags: ['Databases'] },
    ]);
    r = await readerApp(t.db);
    tagIds = await tagIdsBySlug(t.db, ['ai', 'rust', 'databases']);
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  let n = 0;
  async function reader(tags: string[], status: 'active' | 'pending' = 'active') {
    const email = `reader-${++n}@links.example`;
    await upsertSubscribers(t.db, [{ email, name: null, timeZone: null, tags, status, source: 'test' }]);
    const s = (await subscriberByEmail(t.db, email))!;
    const links = readerLinks({
      secret: r.config.secret,
      publicUrl: r.config.publicUrl,
      mailDomain: mailDomain(r.config.mailFrom),
      subscriberId: s.id,
      issueId: 1,
      sections: [...tagIds].map(([slug, tagId]) => ({ slug, tagId })),
    });
    const path = (url: string) => url.slice(r.config.publicUrl.length);
    return { email, id: s.id, unfollow: (slug: string) => path(links.unfollow[slug]!), density: path(links.density), unsubscribe: path(links.unsubscribe) };
  }
  const tagsOf = async (email: string) => (await subscriberByEmail(t.db, email))!.tags;

  describe('unfollow', () => {
    it('shows a page naming the tag with one button on GET, and changes nothing', async () => {
      const me = await reader(['AI', 'Rust']);
      const page = await new Browser(r.app).get(me.unfollow('ai'));
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Stop AI?');
      const posting = forms(page.body).filter((f) => f.method === 'post' && f.action.startsWith('/unfollow?'));
      expect(posting).toHaveLength(1);
      expect(posting[0]!.csrf).toBe(true);
      expect(page.body).not.toContain(me.email);
      expect(await tagsOf(me.email)).toEqual(['ai', 'rust']);
    });

    it('stops that tag only, once; undo follows it again; the next issue has no such section', async () => {
      const me = await reader(['AI', 'Rust']);
      const other = await reader(['AI', 'Rust']);
      const b = new Browser(r.app);
      const stop = await b.submit(me.unfollow('ai'), me.unfollow('ai'), { action: 'unfollow' });
      expect(stop.statusCode).toBe(200);
      expect(stop.body).toContain('You stopped AI');
      expect(await tagsOf(me.email)).toEqual(['rust']);
      expect(await tagsOf(other.email)).toEqual(['ai', 'rust']);

      const again = await b.submit(me.unfollow('ai'), me.unfollow('ai'), { action: 'unfollow' });
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('You had stopped AI already');
      expect(again.body).toContain('Nothing changed');
      expect(await tagsOf(me.email)).toEqual(['rust']);

      const planned = await plannedIssue(t.db, WEEK);
      const [row] = await t.db.query<{ sections: string[] }>(`select sections from deliveries where issue_id = $1 and subscriber_id = $2`, [planned.id, me.id]);
      expect(row!.sections).toEqual(['rust']);

      const undo = forms(stop.body).find((f) => f.fields.includes('action'));
      expect(undo?.action).toBe(me.unfollow('ai'));
      const back = await b.post(undo!.action, { _csrf: csrfField(stop.body)!, action: 'follow' });
      expect(back.statusCode).toBe(200);
      expect(back.body).toContain('You follow AI again');
      expect(await tagsOf(me.email)).toEqual(['ai', 'rust']);
      await t.db.query(`update issues set status = 'cancelled' where id = $1`, [planned.id]);
    });

    it("a link for one reader or tag stops no other reader's tag and no other tag", async () => {
      const me = await reader(['AI', 'Rust', 'Databases']);
      const other = await reader(['AI', 'Rust']);
      const b = new Browser(r.app);
      const csrf = csrfField((await b.get('/subscribe')).body)!;
      // My link for AI: only my AI goes.
      await b.post(me.unfollow('ai'), { _csrf: csrf, action: 'unfollow' });
      expect(await tagsOf(me.email)).toEqual(['databases', 'rust']);
      expect(await tagsOf(other.email)).toEqual(['ai', 'rust']);
      // A token whose claims are changed to another reader or tag no longer verifies.
      const token = tokenOf(me.unfollow('rust'));
      const [payload, sig] = token.split('.') as [string, string];
      const claims = Buffer.from(payload, 'base64url').toString('latin1');
      for (const forged of [claims.replace(`.${me.id.toString(36)}.`, `.${other.id.toString(36)}.`), claims.replace(/\.[0-9a-z]+$/, `.${tagIds.get('ai')!.toString(36)}`)]) {
        expect(forged).not.toBe(claims);
        const res = await b.post(`/unfollow?t=${Buffer.from(forged, 'latin1').toString('base64url')}.${sig}`, { _csrf: csrf, action: 'unfollow' });
        expect(res.statusCode).toBe(400);
      }
      expect(await tagsOf(me.email)).toEqual(['databases', 'rust']);
      expect(await tagsOf(other.email)).toEqual(['ai', 'rust']);
      // The other purposes' tokens of the same reader do not open it either.
      const res = await b.post(`/unfollow?t=${tokenOf(me.unsubscribe)}`, { _csrf: csrf, action: 'unfollow' });
      expect(res.statusCode).toBe(400);
      expect(await tagsOf(me.email)).toEqual(['databases', 'rust']);
    });

    it('refuses a POST without the CSRF field, changing nothing', async () => {
      const me = await reader(['AI', 'Rust']);
      const res = await new Browser(r.app).post(me.unfollow('ai'), { action: 'unfollow' });
      expect(res.statusCode).toBe(403);
      expect(await tagsOf(me.email)).toEqual(['ai', 'rust']);
    });

    it("keeps the reader's last tag and offers the digest's one-click unsubscribe instead, with a reason", async () => {
      const me = await reader(['AI']);
      const b = new Browser(r.app);
      const page = await b.get(me.unfollow('ai'));
      expect(page.body).toContain('AI is your only tag');
      const res = await b.submit(me.unfollow('ai'), me.unfollow('ai'), { action: 'unfollow' });
      expect(res.statusCode).toBe(409);
      expect(await tagsOf(me.email)).toEqual(['ai']);
      expect((await subscriberByEmail(t.db, me.email))!.status).toBe('active');
      const leave = forms(res.body).find((f) => f.fields.includes('List-Unsubscribe'));
      expect(leave?.action).toBe(`/unsubscribe?t=${createToken(r.config.secret, { purpose: 'unsubscribe', subscriberId: me.id, issueId: 1 })}`);
      expect(leave?.fields).toContain('reason');
      const before = (await reasonCounts(t.db)).find((c) => c.reason === 'not-relevant')!.count;
      const done = await b.post(leave!.action, { 'List-Unsubscribe': 'One-Click', reason: 'not-relevant' });
      expect(done.statusCode).toBe(200);
      expect((await subscriberByEmail(t.db, me.email))!.status).toBe('unsubscribed');
      expect((await reasonCounts(t.db)).find((c) => c.reason === 'not-relevant')!.count).toBe(before + 1);
    });
  });

  describe('density', () => {
    it('GET shows the choice and changes nothing; POST sets it; planning freezes it per delivery', async () => {
      const brief = await reader(['Rust']);
      const plain = await reader(['Rust']);
      const b = new Browser(r.app);
      const page = await b.get(`${brief.density}&to=brief`);
      expect(page.statusCode).toBe(200);
      expect(isChecked(page.body, 'density', 'brief')).toBe(true);
      expect((await t.db.query<{ density: string | null }>(`select density from subscribers where id = $1`, [brief.id]))[0]!.density).toBeNull();

      const bad = await b.submit(brief.density, brief.density, { density: 'tiny' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Choose brief or full.');
      const set = await b.submit(brief.density, brief.density, { density: 'brief' });
      expect(set.statusCode).toBe(303);
      expect((await b.get(set.headers.location as string)).body).toContain('Saved: your digests are brief');

      const issue = await plannedIssue(t.db, WEEK);
      const rows = await t.db.query<{ id: number; density: string }>(`select subscriber_id as id, density from deliveries where issue_id = $1 and subscriber_id = any($2::int[])`, [issue.id, [brief.id, plain.id]]);
      expect(Object.fromEntries(rows.map((x) => [x.id, x.density]))).toEqual({ [brief.id]: 'brief', [plain.id]: 'full' });
      // Switching after planning changes nothing already planned: every retry renders the same email.
      await b.submit(brief.density, brief.density, { density: 'full' });
      const [{ batch }] = (await t.db.query<{ batch: number }>(`select batch from deliveries where issue_id = $1 and subscriber_id = $2`, [issue.id, brief.id])) as [{ batch: number }];
      const leased = await leaseBatch(t.db, issue.id, batch, 'test-lease', 60_000);
      expect(leased.find((d) => d.subscriberId === brief.id)?.density).toBe('brief');
      expect(leased.find((d) => d.subscriberId === plain.id)?.density).toBe('full');
      await t.db.query(`update issues set status = 'cancelled' where id = $1`, [issue.id]);
    });

    it("the editor's default (settings) decides for readers who never chose; a refused value names the choices", async () => {
      const ed = localEditor({ db: t.db, config: r.config, now: () => new Date(), actor: 'cli' });
      await expect(ed.settings.set({ defaultDensity: 'tiny' })).rejects.toMatchObject({ kind: 'invalid', message: 'the default density must be brief or full' });
      expect((await ed.settings.set({ defaultDensity: 'brief' })).defaultDensity).toBe('brief');
      try {
        const never = await reader(['Rust']);
        const chose = await reader(['Rust']);
        await t.db.query(`update subscribers set density = 'full' where id = $1`, [chose.id]);
        const issue = await plannedIssue(t.db, WEEK);
        const rows = await t.db.query<{ id: number; density: string }>(`select subscriber_id as id, density from deliveries where issue_id = $1 and subscriber_id = any($2::int[])`, [issue.id, [never.id, chose.id]]);
        expect(Object.fromEntries(rows.map((x) => [x.id, x.density]))).toEqual({ [never.id]: 'brief', [chose.id]: 'full' });
        // The density page pre-selects the editor's default for a reader who never chose.
        expect(isChecked((await new Browser(r.app).get(never.density)).body, 'density', 'brief')).toBe(true);
        await t.db.query(`update issues set status = 'cancelled' where id = $1`, [issue.id]);
      } finally {
        await ed.settings.set({ defaultDensity: '' });
      }
      expect((await ed.settings.show()).defaultDensity).toBe('full');
    });

    it('is a field on the preferences page; a reader who never chose keeps the default when saving', async () => {
      const me = await reader(['Rust']);
      const prefs = `/preferences?t=${createToken(r.config.secret, { purpose: 'preferences', subscriberId: me.id })}`;
      const b = new Browser(r.app);
      const page = await b.get(prefs);
      expect(isChecked(page.body, 'density', 'full')).toBe(true);
      await b.submit(prefs, prefs, { action: 'save', tags: ['rust'], time_zone: 'UTC', density: 'full' });
      expect((await t.db.query<{ density: string | null }>(`select density from subscribers where id = $1`, [me.id]))[0]!.density).toBeNull();
      await b.submit(prefs, prefs, { action: 'save', tags: ['rust'], time_zone: 'UTC', density: 'brief' });
      expect((await t.db.query<{ density: string | null }>(`select density from subscribers where id = $1`, [me.id]))[0]!.density).toBe('brief');
    });
  });

  describe('links', () => {
    it('binds each unfollow link to the reader and its tag', () => {
      const opts = { secret: r.config.secret, publicUrl: 'https://n.example', mailDomain: 'n.example', subscriberId: 7, issueId: 3, sections: [{ slug: 'ai', tagId: 11 }] };
      const l = readerLinks(opts);
      expect(Object.keys(l.unfollow)).toEqual(['ai']);
      expect(verifyToken(r.config.secret, tokenOf(l.unfollow.ai!), 'unfollow')).toMatchObject({ subscriberId: 7, issueId: 3, ref: 11 });
      expect(verifyToken(r.config.secret, tokenOf(l.density), 'density')).toMatchObject({ subscriberId: 7 });
    });
  });

  describe('welcome', () => {
    it('sends one welcome after the confirm click, naming the tags and the next digest; a second click sends none', async () => {
      const email = 'welcome@links.example';
      const b = new Browser(r.app);
      await b.submit('/subscribe', '/subscribe', { email, tags: ['ai', 'rust'], time_zone: 'Asia/Tokyo' });
      const [confirm] = await noticesOf(t.db, email);
      const link = await noticeLink(t.db, r.config, confirm!.id);
      const queued = r.queued.length;
      expect((await b.get(link)).statusCode).toBe(200);
      const welcomes = (await noticesOf(t.db, email)).filter((x) => x.kind === 'welcome');
      expect(welcomes).toHaveLength(1);
      expect(r.queued.slice(queued)).toEqual([welcomes[0]!.id]);
      expect(welcomes[0]!.payload).toEqual({ tags: ['ai', 'rust'], timeZone: 'Asia/Tokyo' });

      // A second click: the database holds one welcome per reader; nothing new is written.
      await b.get(link);
      // Even a re-confirmation after leaving and coming back.
      const id = (await subscriberByEmail(t.db, email))!.id;
      await t.db.query(`update subscribers set status = 'unsubscribed' where id = $1`, [id]);
      await expect(t.db.query(`insert into notices (subscriber_id, kind, payload) values ($1, 'welcome', '{}')`, [id])).rejects.toThrow();
      expect((await noticesOf(t.db, email)).filter((x) => x.kind === 'welcome')).toHaveLength(1);

      const n = (await getNotice(t.db, welcomes[0]!.id))!;
      const line = nextDigestLine(undefined, 'Asia/Tokyo', n.createdAt);
      const mail = await composeNotice(r.config, n, ['AI', 'Rust'], { nextDigest: line });
      expect(mail.subject).toBe('Welcome to tagcast');
      for (const part of [mail.text, mail.html]) {
        expect(part).toContain('AI and Rust');
        expect(part).toContain('The editor sends each issue by hand');
        expect(part).toMatch(/\/preferences\?t=/);
      }
    });

    it('goes through the send-notice job into the outbox beside the confirmation (each notice kept), with the schedule in the reader’s zone', async () => {
      const h: Harness = await createHarness(t.db);
      const app = await readerApp(t.db, { deps: { enqueueNotice: (id) => enqueueNotice(h.queues, id) } });
      h.start();
      try {
        await writeSchedule(t.db, { weekday: 2, time: '09:00', timeZone: 'Europe/Berlin', local: false, engine: null, week: 'current' });
        const email = 'welcome-job@links.example';
        const b = new Browser(app.app);
        await b.submit('/subscribe', '/subscribe', { email, tags: ['databases'], time_zone: 'Asia/Tokyo' });
        const [confirm] = await noticesOf(t.db, email);
        await b.get(await noticeLink(t.db, app.config, confirm!.id));
        const welcome = (await noticesOf(t.db, email)).find((x) => x.kind === 'welcome')!;
        await noticeSent(t.db, welcome.id);
        const mail = parseEml(readFileSync(`${outboxPath(h.outboxDir, 'notices', email, String(welcome.id))}.eml`, 'utf8'));
        expect(mail.headers.get('subject')).toBe('Welcome to tagcast');
        expect(mail.text).toContain('new summaries on Databases.');
        expect(mail.text).toMatch(/The next issue goes out on Tuesday, \d+ \w+ \d{4} at 17:00 \(Asia\/Tokyo time\)/);
        expect(mail.html).toContain('(Asia/Tokyo time)');
        const kept = parseEml(readFileSync(`${outboxPath(h.outboxDir, 'notices', email, String(confirm!.id))}.eml`, 'utf8'));
        expect(kept.headers.get('subject')).toBe('Confirm your tagcast subscription');
      } finally {
        await t.db.query(`delete from schedules`);
        await app.app.close();
        await h.close();
      }
    });

    it('says when the next issue goes out, in the reader’s zone, from the weekly schedule', async () => {
      const now = new Date('2026-12-07T10:00:00Z'); // a Monday
      const s = { weekday: 2, time: '09:00', timeZone: 'Europe/Berlin', local: false, engine: null, week: 'current' as const };
      expect(nextDigestLine(s, 'Asia/Tokyo', now)).toContain('Tuesday, 8 December 2026 at 17:00 (Asia/Tokyo time)');
      expect(nextDigestLine({ ...s, local: true }, 'America/New_York', now)).toContain('Tuesday, 8 December 2026 at 09:00 (America/New York time)');
    });
  });

  describe('unsubscribe reasons', () => {
    it('offers the reasons on the unsubscribe page; counts one per unsubscription; one-click without a reason still works', async () => {
      const me = await reader(['Rust']);
      const b = new Browser(r.app);
      const page = await b.get(me.unsubscribe);
      const form = forms(page.body).find((f) => f.fields.includes('List-Unsubscribe'))!;
      expect(form.fields.filter((f) => f === 'reason')).toHaveLength(4);
      const count = async () => (await reasonCounts(t.db)).find((c) => c.reason === 'too-many')!.count;
      const before = await count();
      expect((await b.post(me.unsubscribe, { 'List-Unsubscribe': 'One-Click', reason: 'too-many' })).statusCode).toBe(200);
      expect((await b.post(me.unsubscribe, { 'List-Unsubscribe': 'One-Click', reason: 'too-many' })).statusCode).toBe(200);
      expect(await count()).toBe(before + 1);
      // No link between a reason and who gave it.
      const [{ columns }] = (await t.db.query<{ columns: string[] }>(`select array_agg(column_name::text order by column_name) as columns from information_schema.columns where table_name = 'unsubscribe_reasons'`)) as [{ columns: string[] }];
      expect(columns).toEqual(['count', 'reason']);

      const total = async () => (await reasonCounts(t.db)).reduce((sum, c) => sum + c.count, 0);
      const totalBefore = await total();
      const plain = await reader(['Rust']);
      const res = await b.post(plain.unsubscribe, { 'List-Unsubscribe': 'One-Click', reason: 'made-up' });
      expect(res.statusCode).toBe(200);
      expect((await subscriberByEmail(t.db, plain.email))!.status).toBe('unsubscribed');
      expect(await total()).toBe(totalBefore);
    });
  });
});
