// The emulator is as strict as Resend documents itself (see the sources in tests/support/resend-emulator.ts):
// keys forgotten after 24 hours, 409 concurrent_idempotent_requests while a key is in flight, 409
// invalid_idempotent_request for a different body, whole-second retry-after, 500s on replays too. Then
// the path a slow Resend forces: the first request outlives RESEND_TIMEOUT_MS, the retry meets the
// in-flight 409, a later one the replay, and every reader is sent exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSettings } from '../../src/db/settings.ts';
import { loadConfig } from '../../src/config.ts';
import { createIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { createProvider } from '../../src/send/index.ts';
import { ProviderError } from '../../src/send/provider.ts';
import { createResend } from '../../src/send/resend.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, waitForStatus, type Harness } from '../support/pipeline.ts';
import { addSummaries } from '../support/reader.ts';
import { KEY_TTL_MS, startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { eventually } from '../support/eventually.ts';

const WEEK = '2026-W46';
const email = (to: string) => ({ from: 'T <t@example.test>', to: [to], subject: 's', html: '<p>x</p>', text: 'x' });

/** One raw batch request, as the SDK makes it. */
async function post(emu: Emulator, key: string, body: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/emails/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emu.options.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe.sequential('the Resend emulator, as strict as Resend', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu?.close();
  });

  it('replays a key for 24 hours and then forgets it, as Resend does', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    emu = await startResendEmulator({ now: () => now });
    const body = [email('ttl@example.test')];
    const first = await post(emu, 'ttl-1', body);
    now += KEY_TTL_MS - 1;
    expect(await post(emu, 'ttl-1', body)).toMatchObject({ status: 200, json: first.json });
    expect(emu.stats.accepted.get('ttl@example.test')).toBe(1);
    now += 1;
    const again = await post(emu, 'ttl-1', body);
    expect(again.status).toBe(200);
    expect(again.json).not.toEqual(first.json); // a new email, not the stored answer
    expect(emu.stats.accepted.get('ttl@example.test')).toBe(2);
  });

  it("answers 409 concurrent_idempotent_requests while the key's first request is in flight, and the SDK's answer is retry", async () => {
    emu = await startResendEmulator({ latencyMs: ({ index }) => (index === 0 || index === 2 ? 1500 : 0) });
    const inFlight = (n: number) => eventually(() => emu.stats.requests >= n, { what: `${n} requests at the emulator`, every: 10 });
    // Through the real SDK and our mapping: the batch is retried later, never failed.
    const provider = createResend({ apiKey: emu.options.apiKey, baseUrl: emu.url, timeoutMs: 5000 });
    try {
      const emails = [{ ...email('sdk@example.test'), to: 'sdk@example.test', headers: {}, date: new Date(0) }];
      const slow = provider.sendBatch(emails, { idempotencyKey: 'sdk-1', folder: '1' });
      await inFlight(1);
      const again = provider.sendBatch(emails, { idempotencyKey: 'sdk-1', folder: '1' }).catch((e: unknown) => e);
      expect(await again).toBeInstanceOf(ProviderError);
      expect(await again).toMatchObject({ kind: 'retry', message: expect.stringMatching(/^concurrent_idempotent_requests \(409\)/) });
      expect((await slow).outcomes[0]).toMatchObject({ status: 'accepted' });
    } finally {
      await provider.close?.();
    }
    // The answer as Resend documents it.
    const body = [email('raw@example.test')];
    const first = post(emu, 'raw-1', body);
    await inFlight(3);
    expect(await post(emu, 'raw-1', body)).toMatchObject({
      status: 409,
      json: { statusCode: 409, name: 'concurrent_idempotent_requests', message: 'Same idempotency key used while original request is still in progress.' },
    });
    expect(emu.stats.concurrent).toBe(2);
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(await post(emu, 'raw-1', body)).toMatchObject({ status: 200, json: answered.json });
    expect(emu.stats.accepted.get('raw@example.test')).toBe(1);
    expect(emu.stats.accepted.get('sdk@example.test')).toBe(1);
  });

  it('answers 409 invalid_idempotent_request to the same key with a different body', async () => {
    emu = await startResendEmulator();
    await post(emu, 'k-1', [email('one@example.test')]);
    expect(await post(emu, 'k-1', [email('two@example.test')])).toMatchObject({
      status: 409,
      json: { statusCode: 409, name: 'invalid_idempotent_request', message: 'Same idempotency key used with a different request payload.' },
    });
    expect(emu.stats.accepted.has('two@example.test')).toBe(false);
  });

  it('asks for whole seconds in retry-after on a 429', async () => {
    emu = await startResendEmulator({ rateLimit: 1 });
    await post(emu, 'r-1', [email('r1@example.test')]);
    const limited = await post(emu, 'r-2', [email('r2@example.test')]);
    expect(limited).toMatchObject({ status: 429, json: { statusCode: 429, name: 'rate_limit_exceeded' } });
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited.headers.get('ratelimit-reset')).toMatch(/^[1-9]\d*$/);
  });

  it('can answer a replay with a 500 too, and the key still holds the first answer', async () => {
    emu = await startResendEmulator();
    const body = [email('five@example.test')];
    const first = await post(emu, 'f-1', body);
    emu.options.failRate = 1;
    expect(await post(emu, 'f-1', body)).toMatchObject({ status: 500, json: { statusCode: 500, name: 'application_error' } });
    emu.options.failRate = 0;
    expect(await post(emu, 'f-1', body)).toMatchObject({ status: 200, json: first.json });
    expect(emu.stats.accepted.get('five@example.test')).toBe(1);
  });
});

describe.sequential(`a request that outlives RESEND_TIMEOUT_MS, on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let emu: Emulator | undefined;
  let h: Harness | undefined;
  let cwd: string;
  beforeAll(async () => {
    t = await createTestDb();
    // A real provider sends only with a postal address in the settings (src/publication.ts).
    await writeSettings(t.db, { postalAddress: '1 Test Street, Testville' }, 'test');
    cwd = mkdtempSync(path.join(tmpdir(), 'tagcast-emulator-strict-'));
    await addSummaries(t.db, WEEK, [{ title: 'Slow but sure', tags: ['AI'] }]);
  });
  afterAll(async () => {
    await h?.close();
    await emu?.close();
    await t?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('is abandoned, its retry meets the in-flight 409 and a later one the replay: every reader exactly once', async () => {
    // Every batch's first request takes 4 s; tagcast gives up after 1 s and retries under the same key.
    const seen = new Set<string>();
    emu = await startResendEmulator({ latencyMs: ({ key }) => (key && !seen.has(key) ? (seen.add(key), 4000) : 0) });
    const config = loadConfig({ RESEND_API_KEY: emu.options.apiKey, RESEND_BASE_URL: emu.url, RESEND_TIMEOUT_MS: '1000', SECRET: 'test-secret-0123456789abcdef-0123456789' }, cwd);
    expect(config.resend.timeoutMs).toBe(1000);
    const readers = Array.from({ length: 30 }, (_, i) => `slow${i}@strict.example`);
    await upsertSubscribers(t.db, readers.map((e) => ({ email: e, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' })));
    h = await createHarness(t.db, createProvider(config), { batchSize: 10 });
    const issue = await createIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    await sendIssueNow(t.db, h.queues, issue.id);
    h.start();
    const sent = await waitForStatus(t.db, issue.id);

    expect(sent).toMatchObject({ submitted: 30, failed: 0 });
    for (const e of readers) expect(emu.stats.accepted.get(e), e).toBe(1);
    const keys = [...seen];
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      const answers = emu.stats.answers.filter((a) => a.key === key).map((a) => a.name ?? String(a.status));
      // First the slow request (answered to nobody), then at least one 409 while it ran, last the replay.
      expect(answers[0], key).toBe('200');
      expect(answers.slice(1, -1).length, key).toBeGreaterThan(0);
      expect(new Set(answers.slice(1, -1)), key).toEqual(new Set(['concurrent_idempotent_requests']));
      expect(answers.at(-1), key).toBe('replay');
    }
    // The ledger holds the ids of the emails the slow requests were accepted with, from the replays.
    const ids = await t.db.query<{ id: string }>(`select provider_id as id from deliveries where issue_id = $1 order by 1`, [issue.id]);
    expect(ids.map((r) => r.id)).toEqual(emu.stats.emails.map((e) => e.id).sort());
  });
});
