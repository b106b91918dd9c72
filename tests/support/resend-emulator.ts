// The project's own Resend API emulator: the endpoints tagcast uses (POST /emails, POST /emails/batch)
// with the real API's error shapes, idempotency keys, 429s with ratelimit-* and retry-after headers at a
// set rate (counted when a request's headers arrive, as an API's edge counts, not after its body is
// parsed), injected 5xx, slow answers, connections dropped after the emails were accepted, and daily
// quotas. It records every email it accepted, so a test can count exactly-once delivery.
//
// As strict as Resend documents it, never friendlier (checked 2026-12 against
// https://resend.com/docs/dashboard/emails/idempotency-keys, https://resend.com/docs/api-reference/errors
// and https://resend.com/docs/api-reference/introduction#rate-limit):
// - errors are `{ statusCode, name, message }`;
// - a key is kept 24 hours, then forgotten (the same key then sends again); `now` makes that testable;
// - the same key with a different body: 409 `invalid_idempotent_request`; while the first request under
//   a key is still being processed: 409 `concurrent_idempotent_requests` ("safe to retry later") — which
//   is what a client that gave up on a slow request meets when it retries (`latencyMs`);
// - 429 `rate_limit_exceeded` with `retry-after` in whole seconds (HTTP's delay-seconds);
// - an injected 500 can hit any request, a replay too: it is decided before the key is looked at.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorOptions {
  apiKey: string;
  /** Requests per second before 429 (0 = unlimited). */
  rateLimit: number;
  /** Share of requests answered 500 before anything is accepted. */
  failRate: number;
  /** Share of requests whose emails are accepted and whose connection is then dropped unanswered. */
  dropAfterAcceptRate: number;
  /** Emails per day before 429 daily_quota_exceeded (0 = unlimited). */
  dailyQuota: number;
  /** Offsets where in the request sequence the evenly spaced faults fall. */
  seed: number;
  /** Recipients the API refuses as invalid (a validation error for that email only). */
  reject: Set<string>;
  /** Keep each accepted email's content (tests read it); benchmarks keep only counts. */
  keepBodies: boolean;
  /** Send ratelimit-* headers on successful answers too, as Resend does. */
  advertiseLimit: boolean;
  /** Keep the raw bodies of the first N accepted batch requests (GET /__bodies/I serves them): a
   * benchmark replays exactly the bytes tagcast sent. */
  captureBodies: number;
  /** How long the API works on a request before it answers (its key is in flight meanwhile); the
   * emails are accepted at the end, whether or not the client is still waiting. */
  latencyMs: (request: { index: number; key: string | null }) => number;
  /** The clock idempotency keys age by (ms since the epoch); a test moves it past 24 hours. */
  now: () => number;
}

export interface EmulatorStats {
  requests: number;
  rateLimited: number;
  failed: number;
  dropped: number;
  replayed: number;
  /** 409 invalid_idempotent_request: a key reused with a different body. */
  conflicts: number;
  /** 409 concurrent_idempotent_requests: a key used again while its first request was in flight. */
  concurrent: number;
  /** Emails accepted, by recipient address: more than 1 is a duplicate. */
  accepted: Map<string, number>;
  acceptedTotal: number;
  /** Every accepted email, in order (when keepBodies). */
  emails: { id: string; to: string; subject: string; html: string; text: string; headers: Record<string, string> }[];
  /** Raw bodies of the first captureBodies accepted batch requests. */
  bodies: Buffer[];
  /** When each API request's headers arrived (ms since the epoch), in order. */
  arrivals: number[];
  /** Each API request once answered (or dropped): when it arrived, its key, and the answer. */
  answers: Answer[];
}

export interface Answer {
  at: number;
  key: string | null;
  /** 0: the connection was dropped unanswered. */
  status: number;
  /** The error's name, or 'replay' for an answer from a stored key. */
  name: string | null;
  /** The retry-after header's seconds, on a 429. */
  retryAfter: number | null;
}

export interface Emulator {
  url: string;
  stats: EmulatorStats;
  options: EmulatorOptions;
  close(): Promise<void>;
}

interface Stored {
  hash: string;
  state: 'in-flight' | 'done';
  /** When the key was first used, by the `now` clock. */
  at: number;
  status: number;
  body: string;
}

/** How long Resend keeps an idempotency key. */
export const KEY_TTL_MS = 24 * 3600_000;

const ADDRESS = /^(?:[^<>]*<)?([^<>@\s]+@[^<>@\s]+\.[a-z]{2,})>?$/i;

export async function startResendEmulator(opts: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const options: EmulatorOptions = { apiKey: 're_test_key', rateLimit: 0, failRate: 0, dropAfterAcceptRate: 0, dailyQuota: 0, seed: 1, reject: new Set(), keepBodies: true, advertiseLimit: true, captureBodies: 0, latencyMs: () => 0, now: Date.now, ...opts };
  const stats: EmulatorStats = { requests: 0, rateLimited: 0, failed: 0, dropped: 0, replayed: 0, conflicts: 0, concurrent: 0, accepted: new Map(), acceptedTotal: 0, emails: [], bodies: [], arrivals: [], answers: [] };
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const idempotent = new Map<string, Stored>();
  let window = { start: 0, count: 0 };
  // Faults are evenly spaced at exactly the configured rate (every 20th request for 0.05), so a test
  // always sees them and a rerun sees the same ones.
  const counters = { fail: options.seed, drop: options.seed * 7 };
  const due = (which: 'fail' | 'drop', rate: number) => {
    const n = ++counters[which];
    return Math.floor(n * rate) > Math.floor((n - 1) * rate);
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    // A client that gave up on a slow request has gone: its answer goes nowhere.
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, name: string, message: string, headers: Record<string, string> = {}) =>
    send(res, status, { statusCode: status, name, message }, headers);

  const rateHeaders = (remaining: number, resetSeconds: number) => ({
    'ratelimit-limit': String(options.rateLimit),
    'ratelimit-remaining': String(Math.max(0, remaining)),
    'ratelimit-reset': String(resetSeconds),
  });

  /** `arrived`: when the request's headers came in. The limiter counts a request then, as an API's
   * edge does, not after its body has been read and parsed. */
  async function handle(req: IncomingMessage, res: ServerResponse, arrived: number): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    if (req.method === 'GET' && req.url === '/__stats') {
      // For a test or benchmark that runs the emulator in another process.
      return send(res, 200, { ...stats, accepted: stats.accepted.size, duplicates: [...stats.accepted.values()].filter((n) => n > 1).length, emails: undefined, bodies: stats.bodies.length, arrivals: stats.arrivals, answers: undefined });
    }
    const captured = req.method === 'GET' ? /^\/__bodies\/(\d+)$/.exec(req.url ?? '') : null;
    if (captured) {
      const body = stats.bodies[Number(captured[1])];
      if (!body) return error(res, 404, 'not_found', 'No body captured at that index.');
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(body);
    }
    const index = stats.requests++;
    stats.arrivals.push(arrived);
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const answer: Answer = { at: arrived, key, status: 0, name: null, retryAfter: null };
    stats.answers.push(answer);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}, name: string | null = null) => {
      Object.assign(answer, { status, name, retryAfter: headers['retry-after'] ? Number(headers['retry-after']) : null });
      send(res, status, body, headers);
    };
    const fail = (status: number, name: string, message: string, headers: Record<string, string> = {}) =>
      reply(status, { statusCode: status, name, message }, headers, name);

    const batch = req.url === '/emails/batch';
    if (req.method !== 'POST' || (req.url !== '/emails' && !batch)) return fail(404, 'not_found', 'The requested endpoint does not exist.');
    const auth = req.headers.authorization;
    if (!auth) return fail(401, 'missing_api_key', 'Missing API key in the authorization header.');
    if (auth !== `Bearer ${options.apiKey}`) return fail(403, 'invalid_api_key', 'API key is invalid.');

    // Rate limit: a fixed one-second window, as Resend's headers describe it.
    let rate: Record<string, string> = {};
    if (options.rateLimit > 0) {
      const now = arrived;
      if (now - window.start >= 1000) window = { start: now, count: 0 };
      window.count++;
      // Whole seconds, as HTTP's Retry-After and Resend's headers carry them: never less than asked.
      const reset = Math.max(1, Math.ceil((window.start + 1000 - now) / 1000));
      rate = rateHeaders(options.rateLimit - window.count, reset);
      if (window.count > options.rateLimit) {
        stats.rateLimited++;
        return fail(429, 'rate_limit_exceeded', `Too many requests. You can only make ${options.rateLimit} requests per second.`, { ...rate, 'retry-after': String(reset) });
      }
    }

    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return fail(422, 'validation_error', 'Invalid JSON body.');
    }
    const list = batch ? payload : [payload];
    if (!Array.isArray(list)) return fail(422, 'validation_error', 'The batch body must be an array of emails.');
    if (batch && list.length > 100) return fail(422, 'validation_error', 'Too many emails in the batch: the maximum is 100.');

    // Before the key is looked at, so a replay can meet a 500 as well as a first request can.
    if (due('fail', options.failRate)) {
      stats.failed++;
      return fail(500, 'application_error', 'An unexpected error occurred.');
    }

    const hash = createHash('sha256').update(req.url!).update(raw).digest('hex');
    if (key !== null) {
      if (key.length < 1 || key.length > 256) return fail(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
      const seen = idempotent.get(key);
      if (seen && options.now() - seen.at >= KEY_TTL_MS) idempotent.delete(key); // forgotten after 24 hours
      else if (seen) {
        if (seen.hash !== hash) {
          stats.conflicts++;
          return fail(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.');
        }
        if (seen.state === 'in-flight') {
          stats.concurrent++;
          return fail(409, 'concurrent_idempotent_requests', 'Same idempotency key used while original request is still in progress.');
        }
        stats.replayed++;
        return reply(seen.status, seen.body, options.advertiseLimit ? rate : {}, 'replay');
      }
    }

    if (options.dailyQuota > 0 && stats.acceptedTotal + list.length > options.dailyQuota) {
      return fail(429, 'daily_quota_exceeded', 'You have reached your daily email sending quota.');
    }

    const stored: Stored | undefined = key !== null ? { hash, state: 'in-flight', at: options.now(), status: 200, body: '' } : undefined;
    if (stored) idempotent.set(key!, stored);
    const latency = options.latencyMs({ index, key });
    if (latency > 0) await sleep(latency); // the key stays in flight meanwhile
    const permissive = req.headers['x-batch-validation'] === 'permissive';
    const problems: { index: number; message: string }[] = [];
    list.forEach((e: Record<string, unknown>, index) => {
      const to = Array.isArray(e?.to) ? e.to : [e?.to];
      if (!e?.from || typeof e.subject !== 'string' || (!e.html && !e.text)) problems.push({ index, message: 'Missing `from`, `subject` or content.' });
      else if (!to.every((t) => typeof t === 'string' && ADDRESS.test(t) && !options.reject.has(ADDRESS.exec(t)![1]!.toLowerCase()))) problems.push({ index, message: `Invalid \`to\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.` });
    });
    if (problems.length > 0 && !permissive) {
      if (key !== null) idempotent.delete(key);
      return fail(422, 'validation_error', problems[0]!.message);
    }
    const data: { id: string }[] = [];
    list.forEach((e: Record<string, unknown>, index) => {
      if (problems.some((p) => p.index === index)) return;
      const id = randomUUID();
      const to = String(Array.isArray(e.to) ? e.to[0] : e.to);
      const addr = ADDRESS.exec(to)![1]!.toLowerCase();
      stats.accepted.set(addr, (stats.accepted.get(addr) ?? 0) + 1);
      if (options.keepBodies) {
        stats.emails.push({ id, to, subject: String(e.subject), html: String(e.html ?? ''), text: String(e.text ?? ''), headers: (e.headers ?? {}) as Record<string, string> });
      }
      stats.acceptedTotal++;
      data.push({ id });
    });
    const body = JSON.stringify(batch ? (permissive ? { data, errors: problems } : { data }) : data[0]);
    if (stored) Object.assign(stored, { state: 'done', body });
    if (batch && stats.bodies.length < options.captureBodies) stats.bodies.push(bytes);
    if (due('drop', options.dropAfterAcceptRate)) {
      stats.dropped++;
      req.socket.destroy(); // accepted, but the client never hears so
      return;
    }
    reply(200, body, options.advertiseLimit ? rate : {});
  }

  const server: Server = createServer((req, res) => {
    handle(req, res, Date.now()).catch((e) => error(res, 500, 'internal_server_error', String(e)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    options,
    close: () =>
      new Promise<void>((r) => {
        // Slow requests still being worked on end with the emulator, not seconds into the next test.
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
