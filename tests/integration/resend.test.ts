// The Resend provider through the real SDK against the project's emulator: faults, dropped
// responses, 429s, validation errors and quotas, with every reader accepted exactly once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSettings } from '../../src/db/settings.ts';
import { issueProgress } from '../../src/db/deliveries.ts';
import { getIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { ensureTags } from '../../src/db/summaries.ts';
import { resumeIssue, sendIssueNow } from '../../src/issues.ts';
import { rateLimiter } from '../../src/workers.ts';
import { createPacer, LEAD_MS } from '../../src/send/pacer.ts';
import { Resend } from 'resend';
import { assembleDigest, indexIssue } from '../../src/digest/assemble.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { createDigestRenderer } from '../../src/render/index.ts';
import type { OutgoingEmail } from '../../src/send/provider.ts';
import { classify, createResend, providerLimit, toResendEmail } from '../../src/send/resend.ts';
import { corpusWeek } from '../support/corpus.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, waitForStatus, type Harness } from '../support/pipeline.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { weekIssue } from '../support/issues.ts';
import { eventually } from '../support/eventually.ts';

const WEEK = '2026-W48';

describe.sequential(`Resend provider on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let emu: Emulator;
  let h: Harness | undefined;
  let domain = 0;
  beforeAll(async () => {
    t = await createTestDb();
    // A real provider sends only with a postal address in the settings (src/publication.ts).
    await writeSettings(t.db, { postalAddress: '1 Test Street, Testville' }, 'test');
    await ensureTags(t.db, ['AI']);
    await t.db.exec(`insert into summaries (source_key, content_hash, week, title, signal, case_points, take)
      values ('r1', 'h', '${WEEK}', 'One summary', 'S', '["c"]', 'T')`);
    await t.db.exec(`insert into summary_tags (summary_id, tag_id, position) select s.id, t.id, 0 from summaries s, tags t`);
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await emu?.close();
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** A fresh set of readers for each test, so each issue's recipients are its own. */
  async function readers(n: number): Promise<string[]> {
    domain++;
    const emails = Array.from({ length: n }, (_, i) => `r${i}@d${domain}.example`);
    await t.db.query(`update subscribers set status = 'unsubscribed'`);
    await upsertSubscribers(t.db, emails.map((email) => ({ email, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' })));
    return emails;
  }

  async function run(opts: { batchSize?: number; rateLimit?: number; leaseMs?: number; beforeStart?: (h: Harness) => Promise<void> } = {}) {
    h = await createHarness(t.db, createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 }), opts);
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    await sendIssueNow(t.db, h.queues, issue.id);
    await opts.beforeStart?.(h);
    h.start();
    return issue;
  }

  it('sends every reader exactly once through 5xx faults and responses lost after acceptance', async () => {
    emu = await startResendEmulator({ failRate: 0.15, dropAfterAcceptRate: 0.15, seed: 5 });
    const emails = await readers(300);
    const issue = await run({ batchSize: 20 });
    const sent = await waitForStatus(t.db, issue.id);
    expect(sent.submitted).toBe(300);
    expect(emu.stats.failed).toBeGreaterThan(0);
    expect(emu.stats.dropped).toBeGreaterThan(0);
    expect(emu.stats.replayed).toBeGreaterThan(0); // a lost response was answered from the key
    expect(emu.stats.conflicts).toBe(0); // every retry carried the same bytes
    for (const e of emails) expect(emu.stats.accepted.get(e), e).toBe(1);
    const ids = await t.db.query<{ n: number; distinct: number }>(
      `select count(*)::int as n, count(distinct provider_id)::int as distinct from deliveries where issue_id = $1 and status = 'submitted'`,
      [issue.id],
    );
    expect(ids[0]).toEqual({ n: 300, distinct: 300 });
  });

  it('waits out 429s for the time the provider asks, and still sends each reader once', async () => {
    emu = await startResendEmulator({ rateLimit: 4, advertiseLimit: false }); // only 429s tell the limit
    const emails = await readers(120);
    const issue = await run({ batchSize: 10, rateLimit: 50 }); // the worker's limit is too high on purpose
    await waitForStatus(t.db, issue.id);
    expect(emu.stats.rateLimited).toBeGreaterThan(0);
    for (const e of emails) expect(emu.stats.accepted.get(e)).toBe(1);
    // After each 429, the batch's next request came no sooner than the whole seconds the provider asked,
    // by the emulator's own clock: a causal order (answer, then wait, then ask again), not a speed.
    const retries = emu.stats.answers.flatMap((a, i) => {
      if (a.status !== 429) return [];
      const next = emu.stats.answers.slice(i + 1).find((b) => b.key === a.key);
      return next ? [{ key: a.key, asked: a.retryAfter! * 1000, waited: next.at - a.at }] : [];
    });
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) expect(r.waited, `${r.key} waited ${r.waited} ms of ${r.asked}`).toBeGreaterThanOrEqual(r.asked);
  });

  it('tightens the limit all workers share to the one the provider reports', async () => {
    emu = await startResendEmulator({ rateLimit: 4 });
    const emails = await readers(120);
    const issue = await run({ batchSize: 10, rateLimit: 50 });
    await waitForStatus(t.db, issue.id);
    const meta = await h!.queues.connection.hgetall(`${h!.queues.send.qualifiedName}:meta`);
    expect({ max: Number(meta.max), duration: Number(meta.duration) }).toEqual(rateLimiter(4));
    expect(emu.stats.rateLimited).toBeLessThanOrEqual(3); // at most the first burst, before the first answer
    for (const e of emails) expect(emu.stats.accepted.get(e)).toBe(1);
  });

  it('holds a request until the slot the pacer gave it', async () => {
    emu = await startResendEmulator();
    const provider = createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 });
    try {
      const email = { from: 'T <t@example.test>', to: 'held@example.test', subject: 's', html: '<p>x</p>', text: 'x', headers: {}, date: new Date(0) };
      const notBefore = Date.now() + 400;
      // The pacer hears when the request left (a late one pushes later slots back): once, at the slot.
      const sent: number[] = [];
      const { outcomes } = await provider.sendBatch([email], { idempotencyKey: 'held-1', folder: '1', notBefore, onSent: () => sent.push(Date.now()) });
      expect(outcomes[0]?.status).toBe('accepted');
      // The SDK passes its request options (our dispatcher among them) to fetch; were that to change,
      // the request would leave at once, before its slot.
      expect(emu.stats.arrivals[0]).toBeGreaterThanOrEqual(notBefore);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toBeGreaterThanOrEqual(notBefore);
    } finally {
      await provider.close?.();
    }
  });

  it('sends the very bytes the SDK would build from the emails, which the provider accepts', async () => {
    emu = await startResendEmulator({ captureBodies: 2 });
    const provider = createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 });
    try {
      // A digest's HTML as the pipeline gives it: JSON pieces joined from the renderer's cache.
      const content = indexIssue(WEEK, corpusWeek(WEEK));
      const links = readerLinks({ secret: 's'.repeat(32), publicUrl: 'https://news.example.test', mailDomain: 'example.test', subscriberId: 3, issueId: 7 });
      const digest = await createDigestRenderer('react').render(assembleDigest(content, content.tags.map((t) => t.slug))!, links, { json: true });
      expect(digest.htmlJson!.length).toBeGreaterThan(10);
      // What makes JSON differ: quotes, back-slashes, control characters, letters above U+00FF and
      // outside the BMP, a name in the address, headers, and an empty part.
      const emails: OutgoingEmail[] = [
        { from: 'The "Weekly" <t@example.test>', to: 'Ann Ø <ann@example.test>', subject: 'Week 48 · 23–29 Nov', html: '<p class="x">a\\b ’ “q” €</p>', text: 'line\nnext\t– 😀 \u0001 \ud800', headers: { 'List-Id': 'w <weekly.example.test>', 'Message-ID': '<m@x>' }, date: new Date(0) },
        { from: 'T <t@example.test>', to: 'bob@example.test', subject: 's', html: '', text: 'x', headers: {}, date: new Date(0) },
        { from: 'T <t@example.test>', to: 'cy@example.test', subject: digest.subject, html: digest.html, htmlJson: digest.htmlJson, text: digest.text, textJson: digest.textJson, headers: {}, date: new Date(0) },
      ];
      const { outcomes } = await provider.sendBatch(emails, { idempotencyKey: 'bytes-1', folder: '1' });
      expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted']);
      // The SDK left to serialise the same emails itself, as before tagcast built the body.
      const sdk = await new Resend('re_test_key', { baseUrl: emu.url }).batch.send(emails.map(toResendEmail), { idempotencyKey: 'bytes-2', batchValidation: 'permissive' });
      expect(sdk.error).toBeNull();
      expect(emu.stats.bodies).toHaveLength(2);
      expect(emu.stats.bodies[0]!.equals(emu.stats.bodies[1]!)).toBe(true);
      expect(emu.stats.emails.map((e) => [e.html, e.text])).toEqual([...emails, ...emails].map((e) => [e.html, e.text]));
    } finally {
      await provider.close?.();
    }
  });

  it('serialises a batch held for a far slot just ahead of the slot, not when it is handed over', async () => {
    emu = await startResendEmulator();
    const provider = createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 });
    try {
      // The html getter runs when the batch is turned into the SDK's payload, right before the JSON.
      let readAt = 0;
      const email = {
        from: 'T <t@example.test>',
        to: 'late@example.test',
        subject: 's',
        get html() {
          readAt ||= Date.now();
          return '<p>x</p>';
        },
        text: 'x',
        headers: {},
        date: new Date(0),
      };
      const handedAt = Date.now();
      const notBefore = handedAt + 1000;
      const { outcomes } = await provider.sendBatch([email], { idempotencyKey: 'late-1', folder: '1', notBefore });
      expect(outcomes[0]?.status).toBe('accepted');
      // Serialised at the slot minus the lead: a waiting batch holds no JSON while the one before it is on the wire.
      expect(readAt).toBeGreaterThanOrEqual(notBefore - LEAD_MS);
      expect(emu.stats.arrivals[0]).toBeGreaterThanOrEqual(notBefore);
    } finally {
      await provider.close?.();
    }
  });

  it('stretches the lease of a batch whose request is held for a far slot, after a long retry-after', async () => {
    emu = await startResendEmulator();
    const emails = await readers(10);
    const leaseMs = 6000; // the provider timeout in these tests is 5 s: a slot over 1 s away outlives the lease
    const issue = await run({
      leaseMs,
      // As after a 429 with a 3 s retry-after: every worker's next slot is 3 s away.
      beforeStart: (h) => createPacer(h.queues.connection, `${h.queues.send.qualifiedName}:pacer`, () => 1000).hold(3000),
    });
    await eventually(() => h!.provider.calls.length > 0, { what: 'the first provider call', every: 10 });
    const { notBefore } = h!.provider.calls[0]!;
    const [lease] = await t.db.query<{ until: Date }>(`select min(lease_until) as until from deliveries where issue_id = $1`, [issue.id]);
    // Held for its slot, the batch is still leased until the request has gone and had its answer.
    expect(lease!.until.getTime()).toBeGreaterThanOrEqual(notBefore! + 5000);
    await waitForStatus(t.db, issue.id);
    expect(h!.provider.calls).toHaveLength(1);
    for (const e of emails) expect(emu.stats.accepted.get(e)).toBe(1);
  });

  it('marks exactly the deliveries the provider rejects as failed, with the reason, and sends the rest', async () => {
    const emails = await readers(50);
    emu = await startResendEmulator({ reject: new Set([emails[3]!, emails[27]!]) });
    const issue = await run({ batchSize: 20 });
    const sent = await waitForStatus(t.db, issue.id);
    expect(sent).toMatchObject({ submitted: 48, failed: 2 });
    const failed = await t.db.query<{ email: string; error: string }>(
      `select s.email, d.error from deliveries d join subscribers s on s.id = d.subscriber_id where d.issue_id = $1 and d.status = 'failed' order by s.email`,
      [issue.id],
    );
    expect(failed.map((f) => f.email).sort()).toEqual([emails[27], emails[3]].sort());
    expect(failed[0]!.error).toMatch(/Invalid `to` field/);
  });

  it('pauses the issue on a daily quota, says why, and resumes without repeating anyone', async () => {
    emu = await startResendEmulator({ dailyQuota: 60 });
    const emails = await readers(100);
    const issue = await run({ batchSize: 20 });
    const paused = await waitForStatus(t.db, issue.id, ['paused']);
    expect(paused.statusReason).toMatch(/daily_quota_exceeded/);
    const mid = await issueProgress(t.db, issue.id);
    expect(mid.submitted).toBe(60);
    emu.options.dailyQuota = 0; // the next day
    await resumeIssue(t.db, h!.queues, issue.id);
    await waitForStatus(t.db, issue.id);
    for (const e of emails) expect(emu.stats.accepted.get(e)).toBe(1);
    expect((await getIssue(t.db, issue.id))!.submitted).toBe(100);
  });

  it('sorts every provider error into retry, rate-limit, pause or final', () => {
    const kind = (name: string, statusCode: number | null, headers: Record<string, string> | null = null) =>
      classify({ name, statusCode, message: 'm' }, headers);
    expect(kind('rate_limit_exceeded', 429, { 'retry-after': '2' })).toMatchObject({ kind: 'rate-limit', retryAfterMs: 2000 });
    expect(kind('rate_limit_exceeded', 429, { 'ratelimit-reset': '3' })).toMatchObject({ kind: 'rate-limit', retryAfterMs: 3000 });
    expect(kind('daily_quota_exceeded', 429).kind).toBe('pause');
    expect(kind('monthly_quota_exceeded', 429).kind).toBe('pause');
    expect(kind('invalid_api_key', 403).kind).toBe('pause');
    expect(kind('application_error', 500).kind).toBe('retry');
    expect(kind('application_error', null).kind).toBe('retry'); // network failure
    expect(kind('internal_server_error', 503).kind).toBe('retry');
    expect(kind('concurrent_idempotent_requests', 409).kind).toBe('retry');
    expect(kind('invalid_idempotent_request', 409).kind).toBe('final');
    expect(kind('validation_error', 422).kind).toBe('final');
    // On success, the provider's own limit is read so workers can tighten theirs.
    expect(providerLimit({ 'ratelimit-limit': '5', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' })).toBe(5);
    expect(providerLimit({ 'ratelimit-remaining': '3' })).toBeUndefined();
    expect(providerLimit(null)).toBeUndefined();
  });
});
