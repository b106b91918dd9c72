// /metrics and the request log: a real issue sent through the Resend emulator by workers whose
// provider counts go to Redis, scraped from a server process that sent nothing itself; the bearer
// token; BullMQ's queue figures; and that neither the metrics nor the request log ever show a
// reader's address or a link token.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSettings } from '../../src/db/settings.ts';
import { loadConfig } from '../../src/config.ts';
import { installationId } from '../../src/db/installation.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { ensureTags } from '../../src/db/summaries.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { metricsKey } from '../../src/lib/redis-keys.ts';
import { ProviderRequestCounts } from '../../src/metrics.ts';
import { instrumentProvider } from '../../src/send/index.ts';
import { ProviderError, type Provider } from '../../src/send/provider.ts';
import { createResend } from '../../src/send/resend.ts';
import { createToken } from '../../src/lib/reader-links.ts';
import { createServer } from '../../src/web/app.ts';
import { HttpError } from '../../src/web/plugins/errors.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { createHarness, testConfig, type Harness } from '../support/pipeline.ts';
import { READER_ENV } from '../support/reader.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { Redis } from 'ioredis';
import { weekIssue } from '../support/issues.ts';
import { eventually } from '../support/eventually.ts';

const WEEK = '2026-W48';
const METRICS_TOKEN = `mt_${randomBytes(16).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const READERS = ['ada@metrics.example', 'bob@metrics.example', 'refused@metrics.example'];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The Prometheus text format, read strictly: every line is a HELP, a TYPE or a sample; each family's
 * HELP and TYPE appear once, before its samples; a sample's value is a number.
 */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const seen = new Map<string, Set<string>>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const kinds = seen.get(meta[2]!) ?? new Set();
      if (kinds.has(meta[1]!)) throw new Error(`second ${meta[1]} for ${meta[2]}`);
      kinds.add(meta[1]!);
      seen.set(meta[2]!, kinds);
      if (meta[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3]!)) throw new Error(`bad type: ${line}`);
        typed.add(meta[2]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/gy;
    let at = 0;
    for (let l = re.exec(body); l; l = re.exec(body)) {
      labels[l[1]!] = l[2]!;
      at = re.lastIndex;
      if (at >= body.length) break;
    }
    if (at !== body.length) throw new Error(`bad labels: ${line}`);
    const family = m[1]!.replace(/_(bucket|sum|count)$/, '');
    if (!typed.has(m[1]!) && !typed.has(family)) throw new Error(`sample before its TYPE: ${line}`);
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

describe.sequential(`/metrics and request logs on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let emu: Emulator;
  let h: Harness;
  let app: FastifyInstance;
  let redis: Redis;
  /** What a worker process counts: shared through Redis, never read by the server directly. */
  const workerCounts = new ProviderRequestCounts();
  const logLines: string[] = [];
  let issueId: number;
  let readerIds: number[];

  beforeAll(async () => {
    t = await createTestDb();
    // A real provider sends only with a postal address in the settings (src/publication.ts).
    await writeSettings(t.db, { postalAddress: '1 Test Street, Testville' }, 'test');
    emu = await startResendEmulator({ reject: new Set([READERS[2]!]) });
    await ensureTags(t.db, ['AI']);
    await t.db.exec(`insert into summaries (source_key, content_hash, week, title, signal, case_points, take)
      values ('m1', 'h', '${WEEK}', 'Metrics summary', 'S', '["c"]', 'T')`);
    await t.db.exec(`insert into summary_tags (summary_id, tag_id, position) select s.id, t.id, 0 from summaries s, tags t`);
    await upsertSubscribers(t.db, READERS.map((email) => ({ email, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' })));
    readerIds = (await t.db.query<{ id: number }>(`select id from subscribers order by id`)).map((r) => r.id);

    h = await createHarness(t.db, instrumentProvider(createResend({ apiKey: 're_test_key', baseUrl: emu.url, timeoutMs: 5000 }), workerCounts));
    // Counting keeps what the provider is: Resend joins its bodies from the JSON pieces, so batches compose them.
    expect(h.provider.joinsJson).toBe(true);
    workerCounts.share(h.queues.connection, metricsKey(h.prefix, await installationId(t.db)));
    redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });

    const config = {
      ...loadConfig({ ...READER_ENV, METRICS_TOKEN, RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET, QUEUE_PREFIX: h.prefix }, '/nonexistent'),
      secret: testConfig.secret,
    };
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    app = await createServer({
      db: t.db,
      config,
      log: pino({ level: 'info' }, sink),
      redis,
      queues: async () => h.queues,
      rateLimits: { global: { max: 100_000, timeWindow: 60_000 }, publicPost: { max: 100_000, timeWindow: 60_000 } },
    });
    // A route whose refusal quotes what the client sent, as a 400 that repeats a bad address does.
    app.get('/test/refuse', async () => {
      throw new HttpError(400, `"${READERS[2]}" cannot be used here`);
    });
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await h?.close();
    await emu?.close();
    await t?.drop();
  });

  const scrape = async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: r.body, samples: parseExposition(r.body) };
  };

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const none = await app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` } });
    expect(wrong.statusCode).toBe(401);
    const basic = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Basic ${METRICS_TOKEN}` } });
    expect(basic.statusCode).toBe(401);
    expect(none.body).not.toContain('tagcast_');
  });

  it('counts a real send through the provider, from the ledger and from every worker', async () => {
    const before = (await scrape()).samples;
    expect(value(before, 'tagcast_deliveries_submitted_total')).toBe(0);
    expect(value(before, 'tagcast_provider_requests_total')).toBe(0);
    expect(value(before, 'tagcast_subscribers', { status: 'active' })).toBe(3);
    expect(value(before, 'tagcast_subscribers', { status: 'bounced' })).toBe(0);

    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    issueId = issue.id;
    await sendIssueNow(t.db, h.queues, issue.id);
    h.start();
    // The ledger is what these figures read: wait until it holds no pending delivery.
    const settled = async () =>
      (await t.db.query<{ n: number; pending: number }>(`select count(*)::int as n, count(*) filter (where status = 'pending')::int as pending from deliveries where issue_id = $1`, [issue.id]))[0]!;
    await eventually(
      async () => {
        const s = await settled();
        return s.n > 0 && s.pending === 0;
      },
      { what: 'a ledger with no pending delivery', every: 50 },
    );
    // The ledger is written inside the job; BullMQ marks the job completed just after it returns.
    await eventually(async () => ((await h.queues.send.getJobCounts('completed')).completed ?? 0) > 0, { what: 'a send-batch job completed', every: 20 });
    await workerCounts.flush();
    expect(emu.stats.acceptedTotal).toBe(2);

    const { samples, text } = await scrape();
    expect(value(samples, 'tagcast_deliveries_submitted_total')).toBe(2);
    expect(value(samples, 'tagcast_deliveries_failed_total', { reason: 'provider_rejected' })).toBe(1);
    expect(value(samples, 'tagcast_deliveries_failed_total')).toBe(1);
    // The server process made no provider request: these came from the worker's counts in Redis.
    expect(value(samples, 'tagcast_provider_requests_total', { outcome: 'ok' })).toBe(emu.stats.requests);
    expect(value(samples, 'tagcast_provider_requests_total', { outcome: 'ok' })).toBeGreaterThan(0);
    // BullMQ's figures for both queues, under one HELP/TYPE each (parseExposition refuses repeats).
    const installation = await installationId(t.db);
    expect(value(samples, 'bullmq_job_count', { queue: `send-${installation}`, state: 'completed' })).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'bullmq_job_count' && s.labels.queue === `issues-${installation}`)).toBe(true);
    for (const r of READERS) expect(text).not.toContain(r);
    expect(text).not.toContain('@');
  });

  it('classes provider errors without their messages', async () => {
    const counts = new ProviderRequestCounts();
    const failing = (e: Error): Provider => ({ name: 'failing', maxBatch: 1, sendBatch: () => Promise.reject(e) });
    const cases: [Error, string][] = [
      [new ProviderError('rate-limit', 'rate_limit_exceeded (429): slow down a@b.example', 1000), 'rate_limited'],
      [new ProviderError('retry', 'application_error (500): x'), 'error_transient'],
      [new ProviderError('pause', 'daily_quota_exceeded (429): y'), 'error_account'],
      [new ProviderError('final', 'validation_error (422): z'), 'error_final'],
      [new Error('socket hang up'), 'error_other'],
    ];
    for (const [err] of cases) {
      await expect(instrumentProvider(failing(err), counts).sendBatch([], { idempotencyKey: 'k', folder: 'f' })).rejects.toBe(err);
    }
    expect(counts.local()).toEqual({ ok: 0, rate_limited: 1, error_transient: 1, error_account: 1, error_final: 1, error_other: 1 });
  });

  it('counts verified webhook events by a bounded type, and replays not at all', async () => {
    const post = (id: string, type: string) => {
      const at = new Date();
      const payload = JSON.stringify({ type, created_at: at.toISOString(), data: { email_id: 'nope', to: [READERS[0]] } });
      return app.inject({
        method: 'POST',
        url: '/webhooks/resend',
        headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new Webhook(WEBHOOK_SECRET).sign(id, at, payload) },
        payload,
      });
    };
    expect((await post('msg_m1', 'email.delivered')).statusCode).toBe(200);
    expect((await post('msg_m1', 'email.delivered')).statusCode).toBe(200); // a replay
    expect((await post('msg_m2', `x.${READERS[1]}`)).statusCode).toBe(200);
    const { samples, text } = await scrape();
    expect(value(samples, 'tagcast_webhook_events_total', { type: 'email.delivered' })).toBe(1);
    expect(value(samples, 'tagcast_webhook_events_total', { type: 'other' })).toBe(1);
    expect(text).not.toContain(READERS[1]);
  });

  it('measures requests by route pattern and logs them without tokens, addresses or query strings', async () => {
    const token = createToken(testConfig.secret, { purpose: 'unsubscribe', subscriberId: readerIds[0]!, issueId });
    const web = createToken(testConfig.secret, { purpose: 'web', subscriberId: readerIds[0]!, issueId });
    const forged = `${token.slice(0, -3)}AAA`;
    logLines.length = 0;
    expect((await app.inject({ method: 'GET', url: `/unsubscribe?t=${token}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/unsubscribe?t=${forged}` })).statusCode).toBeGreaterThanOrEqual(400);
    expect((await app.inject({ method: 'GET', url: `/web/${issueId}?t=${web}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/no/such/${READERS[0]}?t=${token}` })).statusCode).toBe(404);
    await app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(READERS[1]!)}&tags=ai`,
    });
    expect((await app.inject({ method: 'GET', url: '/test/refuse' })).statusCode).toBe(400);

    const { samples, text } = await scrape();
    expect(value(samples, 'tagcast_http_request_duration_seconds_count', { route: '/unsubscribe', method: 'GET', status_code: '200' })).toBe(1);
    expect(value(samples, 'tagcast_http_request_duration_seconds_count', { route: '/web/:issue', status_code: '200' })).toBe(1);
    expect(value(samples, 'tagcast_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })).toBe(1);
    for (const secret of [token, forged, web, ...READERS, METRICS_TOKEN, '?t=']) expect(text).not.toContain(secret);

    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = logged.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(5);
    expect(requests.find((l) => l.route === '/web/:issue')).toMatchObject({ method: 'GET', statusCode: 200, reqId: expect.any(String) });
    expect(requests.every((l) => typeof l.ms === 'number' && typeof l.reqId === 'string')).toBe(true);
    expect(logged.find((l) => l.msg === 'request refused')).toMatchObject({ statusCode: 400, reason: '"<address>" cannot be used here' });
    const all = logLines.join('\n');
    for (const secret of [token, forged, web, ...READERS, encodeURIComponent(READERS[1]!), '?t=', 'metrics.example']) expect(all).not.toContain(secret);
  });

  it('answers only this machine when no token is set (judged by the TCP peer), and never rate-limits it', async () => {
    const open = await createServer({
      db: t.db,
      // A loopback PUBLIC_URL: the only kind that may leave METRICS_TOKEN unset.
      config: loadConfig({ ...READER_ENV, PUBLIC_URL: 'http://127.0.0.1:3000', METRICS_TOKEN: undefined }, '/nonexistent'),
      log: pino({ level: 'silent' }),
      rateLimits: { global: { max: 2, timeWindow: 60_000 } },
      // Even a server that believes X-Forwarded-For judges /metrics by the TCP peer.
      trustProxy: 'loopback',
    });
    const scrape = (remoteAddress: string, headers: Record<string, string> = {}) => open.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
    try {
      for (let i = 0; i < 4; i++) expect((await scrape('127.0.0.1')).statusCode).toBe(200);
      for (const local of ['::1', '::ffff:127.0.0.1', '127.8.9.10']) expect((await scrape(local)).statusCode, local).toBe(200);
      for (const remote of ['203.0.113.5', '10.0.0.1', '::ffff:192.0.2.1', '2001:db8::1']) {
        const refused = await scrape(remote);
        expect(refused.statusCode, remote).toBe(403);
        expect(refused.json().error).toMatch(/METRICS_TOKEN/);
        expect(refused.body).not.toMatch(/tagcast_/);
      }
      // Another machine claiming to be this one, and a request a local reverse proxy passed on.
      expect((await scrape('203.0.113.5', { 'x-forwarded-for': '127.0.0.1' })).statusCode).toBe(403);
      for (const h of [{ 'x-forwarded-for': '203.0.113.5' }, { forwarded: 'for=203.0.113.5' }, { 'x-real-ip': '203.0.113.5' }] as Record<string, string>[]) {
        expect((await scrape('127.0.0.1', h)).statusCode, JSON.stringify(h)).toBe(403);
      }
      expect((await open.inject({ method: 'GET', url: '/archive' })).statusCode).toBe(200);
      expect((await open.inject({ method: 'GET', url: '/archive' })).statusCode).toBe(200);
      expect((await open.inject({ method: 'GET', url: '/archive' })).statusCode).toBe(429); // the limit is there, /metrics is outside it
    } finally {
      await open.close();
    }
  });

  it('tells a stranger nothing about who subscribed: the pending count is not theirs to read', async () => {
    const site = await createServer({
      db: t.db,
      config: loadConfig({ ...READER_ENV, PUBLIC_URL: 'http://127.0.0.1:3000', METRICS_TOKEN: undefined }, '/nonexistent'),
      log: pino({ level: 'silent' }),
    });
    const pending = async () => value(parseExposition((await site.inject({ method: 'GET', url: '/metrics' })).body), 'tagcast_subscribers', { status: 'pending' });
    try {
      const before = await pending();
      await upsertSubscribers(t.db, [{ email: 'new-reader@metrics.example', name: null, timeZone: null, tags: ['AI'], status: 'pending', source: 'test' }]);
      // The figure moves for a new address: exactly why only this machine (or a token holder) may read it.
      expect(await pending()).toBe(before + 1);
      const stranger = await site.inject({ method: 'GET', url: '/metrics', remoteAddress: '198.51.100.20' });
      expect(stranger.statusCode).toBe(403);
      expect(stranger.body).not.toContain('tagcast_subscribers');
    } finally {
      await site.close();
    }
  });
});
