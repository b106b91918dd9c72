// POST /webhooks/resend: signatures, replays, every event type, suppressions and the complaint limit.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { getIssue, planIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { ensureTags } from '../../src/db/summaries.ts';
import { createServer } from '../../src/web/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { weekIssue } from '../support/issues.ts';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

describe.sequential(`Resend webhooks on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let app: FastifyInstance;
  let issueId: number;
  const readers = Array.from({ length: 10 }, (_, i) => `w${i}@hooks.example`);
  const pid = (i: number) => `re_${issueId}_${i}`;

  beforeAll(async () => {
    t = await createTestDb();
    const config = loadConfig({ RESEND_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'silent' }, '/nonexistent');
    app = await createServer({ db: t.db, config, log: pino({ level: 'silent' }) });
    await ensureTags(t.db, ['AI']);
    await upsertSubscribers(t.db, readers.map((email) => ({ email, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' })));
    const issue = await weekIssue(t.db, { week: '2026-W48', engine: 'react', subject: null });
    issueId = issue.id;
    // A sending issue whose ten deliveries the provider accepted.
    await t.db.query(`update issues set status = 'sending', planned_at = now() where id = $1`, [issueId]);
    await t.db.query(
      `insert into deliveries (issue_id, subscriber_id, batch, status, provider_id, submitted_at)
       select $1::int, s.id, 0, 'submitted', 're_' || $1::int::text || '_' || substr(s.email, 2, strpos(s.email, '@') - 2), now() from subscribers s`,
      [issueId],
    );
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  let n = 0;
  function post(type: string, i: number, extra: Record<string, unknown> = {}, opts: { id?: string; at?: Date; secret?: string; tamper?: boolean } = {}) {
    const id = opts.id ?? `msg_${++n}`;
    const at = opts.at ?? new Date();
    const payload = JSON.stringify({ type, created_at: at.toISOString(), data: { email_id: pid(i), to: [readers[i]], subject: 's', from: 'f@example.test', ...extra } });
    const signature = new Webhook(opts.secret ?? SECRET).sign(id, at, payload);
    return app.inject({
      method: 'POST',
      url: '/webhooks/resend',
      headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': signature },
      payload: opts.tamper ? payload.replace('"s"', '"S"') : payload,
    });
  }
  /** A body exactly as given (odd JSON, odd bytes), correctly signed. */
  function postRaw(body: string | Buffer, opts: { id?: string } = {}) {
    const id = opts.id ?? `msg_${++n}`;
    const at = new Date();
    return app.inject({
      method: 'POST',
      url: '/webhooks/resend',
      headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new Webhook(SECRET).sign(id, at, body) },
      payload: body,
    });
  }
  const stored = async (id: string) => (await t.db.query<{ type: string; email: string | null; payload: any }>(`select type, email, payload from events where id = $1`, [id]))[0];
  const delivery = async (i: number) =>
    (await t.db.query<{ outcome: string | null; opened_at: Date | null; clicked_at: Date | null }>(`select outcome, opened_at, clicked_at from deliveries where provider_id = $1`, [pid(i)]))[0]!;

  it('rejects forged, tampered, stale and unsigned requests with 401', async () => {
    expect((await post('email.delivered', 0, {}, { secret: `whsec_${randomBytes(24).toString('base64')}` })).statusCode).toBe(401);
    expect((await post('email.delivered', 0, {}, { tamper: true })).statusCode).toBe(401);
    const stale = await post('email.delivered', 0, {}, { at: new Date(Date.now() - 10 * 60_000) });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error).toMatch(/invalid signature/);
    const unsigned = await app.inject({ method: 'POST', url: '/webhooks/resend', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.body).not.toMatch(/at .*\.ts/); // a reason, never a stack trace
    expect((await delivery(0)).outcome).toBeNull();
  });

  it('answers a correctly signed body that is not JSON with 400 and a reason', async () => {
    const at = new Date();
    const body = 'not json';
    const r = await app.inject({
      method: 'POST',
      url: '/webhooks/resend',
      headers: { 'content-type': 'application/json', 'svix-id': 'msg_nojson', 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new Webhook(SECRET).sign('msg_nojson', at, body) },
      payload: body,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: 'the body is not JSON' });
  });

  it('records delivered, delayed-then-delivered, failed, opened and clicked, counting each delivery once', async () => {
    expect((await post('email.delivered', 0)).json()).toEqual({ ok: true, result: 'applied' });
    await post('email.delivery_delayed', 1);
    expect((await delivery(1)).outcome).toBe('delivery_delayed');
    await post('email.delivered', 1);
    await post('email.delivery_delayed', 1); // late and out of order: delivered stands
    expect((await delivery(1)).outcome).toBe('delivered');
    await post('email.failed', 2, { failed: { reason: 'reached daily quota' } });
    expect((await delivery(2)).outcome).toBe('failed');
    await post('email.opened', 0);
    await post('email.opened', 0); // a second open of the same email
    await post('email.clicked', 0, { click: { link: 'https://x', ipAddress: '1', timestamp: 't', userAgent: 'u' } });
    expect((await post('email.sent', 3)).json().result).toBe('ignored');
    const issue = (await t.db.query<Record<string, number>>(`select delivered, opened, clicked, bounced from issues where id = $1`, [issueId]))[0]!;
    expect(issue).toEqual({ delivered: 2, opened: 1, clicked: 1, bounced: 0 });
  });

  it('ignores a replayed event (same svix-id)', async () => {
    const first = await post('email.opened', 4, {}, { id: 'msg_replayed' });
    const again = await post('email.opened', 4, {}, { id: 'msg_replayed' });
    expect(first.json().result).toBe('applied');
    expect(again.statusCode).toBe(200);
    expect(again.json().result).toBe('duplicate');
    expect((await t.db.query<{ opened: number }>(`select opened from issues where id = $1`, [issueId]))[0]!.opened).toBe(2);
  });

  it('suppresses hard bounces and provider suppressions, not soft bounces', async () => {
    await post('email.bounced', 5, { bounce: { type: 'Permanent', subType: 'General', message: 'no such user' } });
    await post('email.bounced', 6, { bounce: { type: 'Transient', subType: 'MailboxFull', message: 'full' } });
    await post('email.suppressed', 7, { suppressed: { type: 'OnAccountSuppressionList', message: 'suppressed' } });
    const sup = await t.db.query<{ email: string; reason: string }>(`select email, reason from suppressions order by email`);
    expect(sup).toEqual([
      { email: readers[5], reason: 'bounced' },
      { email: readers[7], reason: 'bounced' },
    ]);
    const status = await t.db.query<{ status: string }>(`select status from subscribers where email = $1`, [readers[5]]);
    expect(status[0]!.status).toBe('bounced');
    expect((await t.db.query<{ bounced: number }>(`select bounced from issues where id = $1`, [issueId]))[0]!.bounced).toBe(2);
  });

  it('suppresses a complaint and pauses the issue once complaints reach 0.3 % of submitted', async () => {
    await post('email.complained', 8);
    const issue = (await getIssue(t.db, issueId))!;
    expect(issue.status).toBe('paused'); // 1 of 10 submitted is 10 %
    expect(issue.statusReason).toMatch(/complaint rate 10\.00% \(1 of 10\) reached the 0\.3% limit/);
    expect((await t.db.query(`select 1 from suppressions where email = $1 and reason = 'complained'`, [readers[8]])).length).toBe(1);
  });

  it('pauses at exactly 0.3 %: 2 complaints of 1,000 submitted keep sending, the 3rd pauses', async () => {
    // An issue of its own week, its 1,000 deliveries accepted by the provider.
    const edge = await weekIssue(t.db, { week: '2026-W47', engine: 'react', subject: null });
    const who = (k: number) => ({ email_id: `edge_${edge.id}_${k}`, to: [`edge${k}@hooks.example`] });
    await upsertSubscribers(t.db, Array.from({ length: 1000 }, (_, k) => ({ email: `edge${k}@hooks.example`, name: null, timeZone: null, tags: ['AI'], status: 'active' as const, source: 'test' })));
    await t.db.query(`update issues set status = 'sending', planned_at = now() where id = $1`, [edge.id]);
    await t.db.query(
      `insert into deliveries (issue_id, subscriber_id, batch, status, provider_id, submitted_at)
       select $1::int, s.id, 0, 'submitted', 'edge_' || $1::int::text || '_' || substr(s.email, 5, strpos(s.email, '@') - 5), now()
       from subscribers s where s.email like 'edge%@hooks.example'`,
      [edge.id],
    );
    expect((await t.db.query(`select count(*)::int as n from deliveries where issue_id = $1 and status = 'submitted'`, [edge.id]))[0]).toEqual({ n: 1000 });
    for (const k of [0, 1]) expect((await post('email.complained', 0, who(k))).json()).toEqual({ ok: true, result: 'applied' });
    expect((await getIssue(t.db, edge.id))!).toMatchObject({ status: 'sending', statusReason: null }); // 0.2 %
    await post('email.complained', 0, who(2));
    const paused = (await getIssue(t.db, edge.id))!;
    expect(paused.status).toBe('paused');
    expect(paused.statusReason).toBe('complaint rate 0.30% (3 of 1000) reached the 0.3% limit; check the content and list before resuming');
  });

  it('never plans a suppressed address into a later issue', async () => {
    const next = await weekIssue(t.db, { week: '2026-W49', engine: 'react', subject: null });
    await t.db.query(`update issues set status = 'scheduled' where id = $1`, [next.id]);
    await t.db.exec(`insert into summaries (source_key, content_hash, week, title, signal, case_points, take) values ('w1', 'h', '2026-W49', 'T', 'S', '["c"]', 'T')`);
    await t.db.exec(`insert into summary_tags (summary_id, tag_id, position) select s.id, t.id, 0 from summaries s, tags t`);
    await planIssue(t.db, next.id, 100);
    const planned = await t.db.query<{ email: string }>(
      `select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where d.issue_id = $1 order by s.email`,
      [next.id],
    );
    const emails = planned.map((p) => p.email);
    for (const gone of [readers[5], readers[7], readers[8]]) expect(emails).not.toContain(gone);
    expect(emails).toContain(readers[6]); // a soft bounce stays
  });
  // Whatever a correctly signed body holds: 200 and stored, or a 4xx with the reason. A 500 would
  // have the provider retry it for a day, failing every time.
  describe('odd content', () => {
    it('stores strings holding \\u0000 or a lone surrogate with U+FFFD in their place, and still applies the event', async () => {
      const r = await post('email.bounced', 9, { bounce: { type: 'Permanent', subType: 'General', message: 'no\u0000 such user \ud800' }, 'odd\u0000key': ['v\u0000'] }, { id: 'msg_nul' });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ ok: true, result: 'applied' });
      const e = (await stored('msg_nul'))!;
      expect(e.email).toBe(readers[9]);
      expect(e.payload.data.bounce.message).toBe('no\ufffd such user \ufffd');
      expect(e.payload.data['odd\ufffdkey']).toEqual(['v\ufffd']);
      expect((await delivery(9)).outcome).toBe('bounced');
      const sup = await t.db.query<{ detail: string }>(`select detail from suppressions where email = $1`, [readers[9]]);
      expect(sup[0]?.detail).toBe('Permanent: General: no\ufffd such user \ufffd');

      const oddType = await post('email.opened\u0000', 3, {}, { id: 'msg_nul_type' });
      expect(oddType.json()).toEqual({ ok: true, result: 'ignored' });
      expect((await stored('msg_nul_type'))!.type).toBe('email.opened\ufffd');
    });

    it('answers JSON that is not an event object with 400 and stores nothing', async () => {
      for (const [n, body] of ['[]', '"x"', 'null', '42', '{}', '{"type":"email.sent"}', ''].entries()) {
        const r = await postRaw(body, { id: `msg_notobj_${n}` });
        expect(r.statusCode, body).toBe(400);
        expect(r.json().error, body).toMatch(/^(not a Resend event: .+|the body is not JSON)$/);
        expect(await stored(`msg_notobj_${n}`)).toBeUndefined();
      }
    });

    it('stores huge strings within the body limit, refuses a larger body with 413, and reads a huge "to" in linear time', async () => {
      expect((await post('email.sent', 3, { note: 'x'.repeat(200_000) }, { id: 'msg_huge' })).statusCode).toBe(200);
      expect((await stored('msg_huge'))!.payload.data.note).toHaveLength(200_000);
      const tooBig = await post('email.sent', 3, { note: 'x'.repeat(300_000) });
      expect(tooBig.statusCode).toBe(413);
      expect(tooBig.json()).toEqual({ error: 'the body is too large' });
      // A backtracking regular expression over 200 000 "<" would take hours; this must simply work.
      const angles = await post('email.bounced', 3, { to: ['<'.repeat(200_000)], bounce: { type: 'Permanent' } }, { id: 'msg_angles' });
      expect(angles.statusCode).toBe(200);
      expect((await stored('msg_angles'))!.email).toBeNull();
    });

    it('refuses JSON nested deeper than any event with 400, and stores ordinary nesting', async () => {
      const nest = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const deep = await postRaw(`{"type":"email.sent","data":{"deep":${nest(10_000)}}}`);
      expect(deep.statusCode).toBe(400);
      expect(deep.json()).toEqual({ error: 'the JSON is nested more than 32 levels deep' });
      const fine = await postRaw(`{"type":"email.sent","data":{"deep":${nest(20)}}}`, { id: 'msg_nested' });
      expect(fine.statusCode).toBe(200);
      expect((await stored('msg_nested'))!.payload.data.deep.a.a.a).toBeDefined();
    });

    it('stores an event whose address is not one without suppressing anything, and refuses a "to" of the wrong type', async () => {
      const before = await t.db.query(`select email from suppressions`);
      const r = await post('email.bounced', 3, { to: ['not an address'], bounce: { type: 'Permanent' } }, { id: 'msg_noaddr' });
      expect(r.statusCode).toBe(200);
      expect((await stored('msg_noaddr'))!.email).toBeNull();
      expect(await t.db.query(`select email from suppressions`)).toEqual(before);
      const wrong = await post('email.bounced', 3, { to: 'w3@hooks.example' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error).toMatch(/^not a Resend event: data\.to: /);
    });

    it('refuses a 10 KB type and a 10 KB or unprintable svix-id with 400 and a reason', async () => {
      const longType = await post('email.'.padEnd(10_240, 'x'), 3, {}, { id: 'msg_longtype' });
      expect(longType.statusCode).toBe(400);
      expect(longType.json().error).toMatch(/^not a Resend event: type: /);
      expect(await stored('msg_longtype')).toBeUndefined();
      // Random, so PostgreSQL cannot compress it into an index entry: 10 KB of it is too large for one.
      for (const id of [randomBytes(5_120).toString('hex'), 'msg with spaces', 'msg_\u00e9']) {
        const r = await post('email.opened', 3, {}, { id });
        expect(r.statusCode).toBe(400);
        expect(r.json()).toEqual({ error: 'svix-id must be 1 to 256 visible ASCII characters' });
      }
      expect((await t.db.query(`select 1 from events where length(id) > 256 or id like '% %'`)).length).toBe(0);
    });

    it('stores a body holding bytes that are not UTF-8, each as U+FFFD (the signing library reads them the same way)', async () => {
      const body = Buffer.concat([Buffer.from('{"type":"email.sent","data":{"email_id":"re_bytes","note":"a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('b"}}')]);
      const r = await postRaw(body, { id: 'msg_bytes' });
      expect(r.statusCode).toBe(200);
      expect((await stored('msg_bytes'))!.payload.data.note).toBe('a\ufffd\ufffd\ufffdb');
    });
  });
});
