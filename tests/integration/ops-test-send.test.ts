// Test sends: one email through the provider (the Resend emulator), subject "[Test] …", links that
// open nobody's preferences, no delivery and no count on the issue; the editor-facing refusals; the
// per-issue limit in Redis and in-process; and `tagcast issue test` once, end to end.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { getIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { createResend } from '../../src/send/resend.ts';
import { sendTestEmail, TestSendError } from '../../src/send/test-send.ts';
import { verifyToken } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { inProcess } from '../support/in-process.ts';
import { decodeHeader, parseEml } from '../support/mail.ts';
import { READER_ENV, addSummaries, plannedIssue, subscriberByEmail } from '../support/reader.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { weekIssue } from '../support/issues.ts';

// Every issue here has its own week (one live issue per week), each with the same two summaries.
const WEEKS = ['2026-W40', '2026-W41', '2026-W42', '2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47'];
let weeks = 0;
const nextWeek = () => WEEKS[weeks++]!;
const EMPTY_WEEK = '2026-W30';
const EDITOR = 'editor@newsroom.example';
/** docs/admin.md's "at most 10 per issue in 10 minutes" (and docs/operations.md's "A test send"), written out. */
const LIMIT = { max: 10, windowMs: 10 * 60_000 };

async function refusal(p: Promise<unknown>): Promise<TestSendError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TestSendError);
  return e as TestSendError;
}

describe.sequential(`test sends on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let emu: Emulator;
  let redis: Redis;
  let config: Config;
  const prefix = testPrefix();
  const outbox = mkdtempSync(path.join(tmpdir(), 'tagcast-test-send-'));
  const provider = () => createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 });
  const deps = (extra: { redis?: Redis } = {}) => ({ db: t.db, provider: provider(), config, now: () => new Date(), ...extra });

  beforeAll(async () => {
    t = await createTestDb();
    emu = await startResendEmulator();
    redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    config = { ...loadConfig({ ...READER_ENV, QUEUE_PREFIX: prefix }, '/nonexistent') };
    for (const week of WEEKS) {
      await addSummaries(t.db, week, [
        { title: 'Rust in the kernel', tags: ['Rust'] },
        { title: 'Postgres vacuum, explained', tags: ['Databases'] },
      ]);
    }
    await upsertSubscribers(t.db, [
      { email: 'rusty@readers.example', name: 'Rusty', timeZone: null, tags: ['Rust'], status: 'active', source: 'test' },
      { email: 'dba@readers.example', name: null, timeZone: null, tags: ['Databases'], status: 'active', source: 'test' },
    ]);
  });
  afterAll(async () => {
    redis?.disconnect();
    await deleteKeys(prefix);
    await emu?.close();
    await t?.drop();
    rmSync(outbox, { recursive: true, force: true });
  });

  it("sends one email of the week's digest, marked as a test, that is no delivery and signs for no reader", async () => {
    const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'react', subject: null });
    const { providerId } = await sendTestEmail(deps({ redis }), issue.id, ' Editor@Newsroom.example ');
    expect(providerId).toMatch(/\S/);
    expect(emu.stats.emails).toHaveLength(1);
    const sent = emu.stats.emails[0]!;
    expect(sent.to).toBe(EDITOR);
    expect(sent.subject).toMatch(/^\[Test\] /);
    expect(sent.headers['X-Tagcast-Test']).toBe('yes');
    // No reader named: every tag of the week.
    expect(sent.html).toContain('Rust in the kernel');
    expect(sent.html).toContain('Postgres vacuum, explained');
    expect(sent.text).toContain('Rust in the kernel');
    // Its links are test links, signed for subscriber 0, which no row has: they open pages that say it
    // is a test, and no reader page (an unsubscribe or preferences link would open one).
    const links = [...sent.html.matchAll(/href="[^"]*\/test\/(\d+)(\/preferences|\/unsubscribe)?\?t=([A-Za-z0-9_.-]+)"/g)];
    expect(new Set(links.map((m) => m[2] ?? '/web'))).toEqual(new Set(['/web', '/preferences', '/unsubscribe']));
    for (const m of links) {
      expect(Number(m[1])).toBe(issue.id);
      expect(verifyToken(config.secret, m[3]!, 'test')).toMatchObject({ subscriberId: 0, issueId: issue.id, ref: undefined });
      expect(verifyToken(config.secret, m[3]!, 'unsubscribe')).toBeNull();
    }
    expect(sent.html).not.toMatch(/[a-z]\/(preferences|unsubscribe|web\/\d+)\?t=/);
    const deliveries = await t.db.query<{ n: number }>(`select count(*)::int as n from deliveries where issue_id = $1`, [issue.id]);
    expect(deliveries[0]!.n).toBe(0);
    expect(await getIssue(t.db, issue.id)).toMatchObject({ status: 'draft', recipients: 0, submitted: 0, plannedAt: null });
  });

  it("sends one reader's digest as they would get it, frozen sections once the issue is planned", async () => {
    const rusty = await subscriberByEmail(t.db, 'rusty@readers.example');
    const issue = await plannedIssue(t.db, nextWeek());
    const before = await t.db.query(`select subscriber_id, status, error from deliveries where issue_id = $1 order by 1`, [issue.id]);
    emu.stats.emails.length = 0;
    await sendTestEmail(deps({ redis }), issue.id, EDITOR, { subscriberId: rusty!.id });
    const sent = emu.stats.emails;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toMatch(/^\[Test\] Rust/);
    expect(sent[0]!.html).toContain('Rust in the kernel');
    expect(sent[0]!.html).not.toContain('Postgres vacuum');
    expect(sent[0]!.html).not.toContain('rusty@readers.example');
    expect(await t.db.query(`select subscriber_id, status, error from deliveries where issue_id = $1 order by 1`, [issue.id])).toEqual(before);
    expect((await getIssue(t.db, issue.id))!.submitted).toBe(0);
  });

  it('refuses with a reason an editor can act on, before counting or sending anything', async () => {
    const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'mjml', subject: null });
    const empty = await weekIssue(t.db, { week: EMPTY_WEEK, engine: 'react', subject: null });
    emu.stats.emails.length = 0;
    const bad = await refusal(sendTestEmail(deps({ redis }), issue.id, 'not-an-address'));
    expect(bad.reason).toBe('address');
    expect(bad.message).toMatch(/not an email address/);
    const missing = await refusal(sendTestEmail(deps({ redis }), 999_999, EDITOR));
    expect([missing.reason, missing.message]).toEqual(['issue', 'there is no issue 999999']);
    const nobody = await refusal(sendTestEmail(deps({ redis }), issue.id, EDITOR, { subscriberId: 999_999 }));
    expect(nobody.reason).toBe('subscriber');
    const nothing = await refusal(sendTestEmail(deps({ redis }), empty.id, EDITOR));
    expect(nothing.reason).toBe('content');
    expect(nothing.message).toMatch(/has nothing to send: 2026-W30 has no summaries yet/);
    expect(emu.stats.emails).toHaveLength(0);
    expect(await redis.keys(`${prefix}:test-send:*:${issue.id}`)).toEqual([]);
  });

  it(`allows ${LIMIT.max} test sends per issue in 10 minutes, counted in Redis or in the process`, async () => {
    for (const shared of [true, false]) {
      const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'react', subject: null });
      const d = shared ? deps({ redis }) : deps();
      emu.stats.emails.length = 0;
      for (let i = 0; i < LIMIT.max; i++) await sendTestEmail(d, issue.id, EDITOR);
      const limited = await refusal(sendTestEmail(d, issue.id, EDITOR));
      expect(limited.reason).toBe('limit');
      expect(limited.message).toMatch(/at most 10 test emails per issue every 10 minutes: try again in (10|9) minutes/);
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(emu.stats.emails).toHaveLength(LIMIT.max);
      const [key] = await redis.keys(`${prefix}:test-send:*:${issue.id}`);
      if (shared) {
        expect(await redis.get(key!)).toBe(String(LIMIT.max + 1));
        expect(await redis.pttl(key!)).toBeGreaterThan(LIMIT.windowMs - 60_000);
      } else expect(key).toBeUndefined();
    }
    // The window ends: a clock past it sends again (in-process count).
    const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'react', subject: null });
    let now = Date.now();
    const clocked = { ...deps(), now: () => new Date(now) };
    for (let i = 0; i < LIMIT.max; i++) await sendTestEmail(clocked, issue.id, EDITOR);
    expect((await refusal(sendTestEmail(clocked, issue.id, EDITOR))).reason).toBe('limit');
    now += LIMIT.windowMs;
    await expect(sendTestEmail(clocked, issue.id, EDITOR)).resolves.toMatchObject({ providerId: expect.any(String) });
  });

  it('tagcast issue test ID --to EMAIL --as SUBSCRIBER sends one test through the outbox', async () => {
    const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'react', subject: null });
    await t.release();
    try {
      // The command exactly as `tagcast` registers it, run through main() in this process.
      const run = await inProcess(['issue', 'test', String(issue.id), '--to', EDITOR, '--as', 'dba@readers.example'], {
        ...t.env,
        ...READER_ENV,
        EMAIL_PROVIDER: 'outbox',
        OUTBOX_DIR: outbox,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^sent a test of issue ${issue.id} to ${EDITOR} as dba@readers.example`));
      const mail = parseEml(readFileSync(path.join(outbox, `test-${issue.id}`, `${EDITOR}.eml`), 'utf8'));
      expect(decodeHeader(mail.headers.get('subject')!)).toMatch(/^\[Test\] Databases/);
      expect(mail.html).toContain('Postgres vacuum, explained');
      expect(mail.html).not.toContain('Rust in the kernel');
    } finally {
      await t.reopen();
    }
    const deliveries = await t.db.query<{ n: number }>(`select count(*)::int as n from deliveries where issue_id = $1`, [issue.id]);
    expect(deliveries[0]!.n).toBe(0);
    expect(await redis.get((await redis.keys(`${prefix}:test-send:*:${issue.id}`))[0]!)).toBe('1');
  });
});
