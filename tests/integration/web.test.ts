// The web baseline every route shares: security headers, rate limits, and one format for errors.
// Test-only routes are registered on each app built here; production code has none of them.
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createServer, type ServerDeps } from '../../src/web/app.ts';
import { HttpError } from '../../src/web/plugins/errors.ts';
import { useScopeRateLimit } from '../../src/web/plugins/rate-limit.ts';
import { cspRoute, EMAIL_PAGE_CSP, PAGE_CSP, useScopeCsp } from '../../src/web/plugins/security.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';

// Written out, not computed from PAGE_CSP: a change to the policy must be a deliberate change here too.
const PAGE_POLICY = "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";
const EMAIL_POLICY = "default-src 'none';style-src 'self' 'unsafe-inline';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JSON_ACCEPT = { accept: 'application/json' };
const HTML_ACCEPT = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function expectSecurityHeaders(r: LightMyRequestResponse) {
  expect(r.headers['content-security-policy']).toBe(PAGE_POLICY);
  expect(r.headers['referrer-policy']).toBe('no-referrer');
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['x-frame-options']).toBe('DENY');
  expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(r.headers['cache-control']).toBe('no-store');
}

describe.sequential(`web baseline on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let config: Config;
  const apps: FastifyInstance[] = [];
  let logLines: string[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    config = loadConfig({ LOG_LEVEL: 'silent' }, '/nonexistent');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await t?.drop();
  });

  /** An app as production builds it, plus the test routes; its log lines land in logLines. */
  async function build(deps: Partial<ServerDeps> = {}, routes?: (app: FastifyInstance) => void | Promise<void>): Promise<FastifyInstance> {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    const app = await createServer({ db: t.db, config, log: pino({ level: 'info' }, sink), ...deps });
    app.get('/t/page', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><p>a page</p>'));
    await routes?.(app);
    apps.push(app);
    return app;
  }

  describe('security headers', () => {
    it('sends the strict page policy and the other headers on a page, a 404 and a 500, without HSTS over http', async () => {
      const app = await build({}, (a) => {
        a.get('/t/boom', async () => {
          throw new Error('boom');
        });
      });
      for (const url of ['/t/page', '/nope', '/t/boom', '/healthz']) {
        const r = await app.inject({ url, headers: HTML_ACCEPT });
        expectSecurityHeaders(r);
        expect(r.headers['strict-transport-security']).toBeUndefined();
      }
    });

    it('sends HSTS only when PUBLIC_URL is https', async () => {
      const app = await build({ config: { ...config, publicUrl: 'https://news.example.com' } });
      const r = await app.inject({ url: '/t/page' });
      expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
      expectSecurityHeaders(r);
      expect((await app.inject({ url: '/nope' })).headers['strict-transport-security']).toBe('max-age=31536000');
    });

    it('lets a route or a scope choose another policy, and a route opt into a script nonce', async () => {
      const app = await build({}, async (a) => {
        a.get('/t/web-version', { helmet: cspRoute(EMAIL_PAGE_CSP) }, async (_req, reply) => reply.type('text/html').send('<p style="color:red">x</p>'));
        a.get('/t/nonce', { helmet: cspRoute(PAGE_CSP, { nonce: true }) }, async (_req, reply) => ({ nonce: reply.cspNonce.script }));
        await a.register(async (scope) => {
          useScopeCsp(scope, cspRoute({ ...PAGE_CSP, 'img-src': ["'self'", 'https:'] }));
          scope.get('/t/scoped', async () => ({ ok: true }));
        });
      });
      const web = await app.inject({ url: '/t/web-version' });
      expect(web.headers['content-security-policy']).toBe(EMAIL_POLICY);
      expect(web.headers['referrer-policy']).toBe('no-referrer'); // only the CSP changed

      const nonced = await app.inject({ url: '/t/nonce' });
      const nonce = nonced.json().nonce as string;
      expect(nonce).toMatch(/^[0-9a-f]{32}$/);
      expect(nonced.headers['content-security-policy']).toContain(`script-src 'self' 'nonce-${nonce}'`);

      expect((await app.inject({ url: '/t/scoped' })).headers['content-security-policy']).toContain("img-src 'self' https:;");
      // The scope's policy stays in its scope.
      expect((await app.inject({ url: '/t/page' })).headers['content-security-policy']).toBe(PAGE_POLICY);
    });
  });

  describe('rate limits', () => {
    const small = { global: { max: 3, timeWindow: 60_000 }, publicPost: { max: 2, timeWindow: 60_000 } };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    it('answers 429 with retry-after and a reason once a client used up a tight route, counting each client apart', async () => {
      const app = await build({ rateLimits: small }, (a) => {
        a.post('/t/form', { config: { rateLimit: a.rateLimits.publicPost } }, async (req) => ({ got: req.body }));
      });
      const send = (remoteAddress = '198.51.100.7', headers: Record<string, string> = {}) =>
        app.inject({ method: 'POST', url: '/t/form', remoteAddress, headers: { ...form, ...headers }, payload: 'email=a%40example.com' });
      expect((await send()).json()).toEqual({ got: { email: 'a@example.com' } });
      expect((await send()).statusCode).toBe(200);
      const refused = await send('198.51.100.7', JSON_ACCEPT);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.json()).toEqual({ error: expect.stringMatching(/^too many requests: try again in \d+ (seconds?|minutes?)$/) });
      expectSecurityHeaders(refused);
      const page = await send('198.51.100.7', HTML_ACCEPT);
      expect(page.statusCode).toBe(429);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('too many requests');
      // Another client is not refused for the first one's requests.
      expect((await send('198.51.100.8')).statusCode).toBe(200);
    });

    it("holds the documented defaults (docs/operations.md, The web server): 10 posts a minute per client to a public form, 300 requests a minute across the site", async () => {
      // Written out, not read from DEFAULT_RATE_LIMITS: docs/operations.md promises these numbers.
      const app = await build();
      const post = (remoteAddress: string) => app.inject({ method: 'POST', url: '/subscribe', remoteAddress, headers: form, payload: 'email=a%40example.com' });
      const answers = [];
      for (let i = 0; i < 11; i++) answers.push((await post('198.51.100.30')).statusCode);
      expect(answers.slice(0, 10).filter((s) => s === 429)).toEqual([]);
      expect(answers[10]).toBe(429);
      const refused = await post('198.51.100.30');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect((await post('198.51.100.31')).statusCode).not.toBe(429);
      const get = () => app.inject({ url: '/t/page', remoteAddress: '198.51.100.32' });
      for (let i = 0; i < 300; i++) expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(429);
    });

    it('applies the global limit to every route without its own, 404s included, and never to health checks, webhooks or opted-out routes', async () => {
      const app = await build({ rateLimits: small }, async (a) => {
        a.get('/t/open', { config: { rateLimit: false } }, async () => ({ ok: true }));
        a.get('/t/generous', { config: { rateLimit: { max: 1000, timeWindow: 60_000 } } }, async () => ({ ok: true }));
        await a.register(async (scope) => {
          useScopeRateLimit(scope, { max: 1, timeWindow: 60_000 });
          scope.get('/t/scoped', async () => ({ ok: true }));
        });
      });
      const get = (url: string) => app.inject({ url, remoteAddress: '203.0.113.9' });
      expect((await get('/t/page')).statusCode).toBe(200);
      expect((await get('/nope')).statusCode).toBe(404);
      expect((await get('/t/page')).statusCode).toBe(200);
      expect((await get('/t/page')).statusCode).toBe(429);
      expect((await get('/nope')).statusCode).toBe(429);
      for (let i = 0; i < 10; i++) {
        expect((await get('/healthz')).statusCode).toBe(200);
        expect((await get('/readyz')).statusCode).toBe(200);
        expect((await get('/t/open')).statusCode).toBe(200);
        expect((await get('/t/generous')).statusCode).toBe(200);
        // Not configured in this app (no secret): 503, but never 429.
        expect((await app.inject({ method: 'POST', url: '/webhooks/resend', remoteAddress: '203.0.113.9', headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(503);
      }
      expect((await get('/t/scoped')).statusCode).toBe(200);
      expect((await get('/t/scoped')).statusCode).toBe(429);
    });

    it('counts the client named by X-Forwarded-For only when the proxy it came through is trusted', async () => {
      const limits = { global: { max: 1, timeWindow: 60_000 } };
      const viaProxy = (app: FastifyInstance, client: string) => app.inject({ url: '/t/page', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': client } });

      const trusting = await build({ rateLimits: limits, trustProxy: '10.0.0.0/8' });
      expect((await viaProxy(trusting, '192.0.2.1')).statusCode).toBe(200);
      expect((await viaProxy(trusting, '192.0.2.1')).statusCode).toBe(429);
      expect((await viaProxy(trusting, '192.0.2.2')).statusCode).toBe(200);

      // Untrusted: the header is ignored, so a client cannot dodge its limit by inventing addresses.
      const direct = await build({ rateLimits: limits });
      expect((await viaProxy(direct, '192.0.2.1')).statusCode).toBe(200);
      expect((await viaProxy(direct, '192.0.2.2')).statusCode).toBe(429);
    });

    it('counts a request whose client hung up (no address left) under one shared key instead of failing it', async () => {
      const app = await build({ rateLimits: { global: { max: 2, timeWindow: 60_000 } } }, (a) => {
        // What Node leaves a request whose socket closed before its hooks ran: no peer address.
        a.addHook('onRequest', async (req) => {
          if (req.headers['x-test-gone']) Object.defineProperty(req, 'ip', { value: undefined });
        });
      });
      logLines = [];
      const gone = () => app.inject({ url: '/t/page', headers: { 'x-test-gone': '1' } });
      expect((await gone()).statusCode).toBe(200);
      expect((await gone()).statusCode).toBe(200);
      // Hanging up early is no way around the limit: those requests share one count.
      expect((await gone()).statusCode).toBe(429);
      expect(logLines.join('')).not.toContain('TypeError');
      // A client with an address keeps its own count.
      expect((await app.inject({ url: '/t/page', remoteAddress: '192.0.2.77' })).statusCode).toBe(200);
    });

    it('shares one count between server processes through Redis, and lets requests through when Redis is down', async () => {
      const prefix = testPrefix();
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        const shared = { redis, rateLimits: { global: { max: 2, timeWindow: 60_000 } }, config: { ...config, queuePrefix: prefix } };
        const a = await build(shared);
        const b = await build(shared);
        const get = (app: FastifyInstance) => app.inject({ url: '/t/page', remoteAddress: '192.0.2.50' });
        expect((await get(a)).statusCode).toBe(200);
        expect((await get(b)).statusCode).toBe(200);
        expect((await get(a)).statusCode).toBe(429);
        expect((await get(b)).statusCode).toBe(429);
        expect(await deleteKeys(prefix)).toBeGreaterThan(0); // the count lived in Redis, under this installation's prefix
      } finally {
        redis.disconnect();
      }
      // Nothing listens on port 1; without an offline queue every command fails at once.
      const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        const app = await build({ redis: down, rateLimits: { global: { max: 1, timeWindow: 60_000 } } });
        for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/t/page' })).statusCode).toBe(200);
      } finally {
        down.disconnect();
      }
    });
  });

  describe('errors', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await build({}, (a) => {
        a.get('/t/db-error', async () => t.db.query('select secret_column from no_such_table_x'));
        // JSON bodies are for machine clients: a page takes forms only (see the input plugin).
        a.post('/api/t/json', async (req) => ({ got: req.body }));
        a.post('/t/form', async (req) => ({ got: req.body }));
        a.post(
          '/api/t/validated',
          { schema: { body: { type: 'object', required: ['email'], properties: { email: { type: 'string', minLength: 3 } } } } },
          async () => ({ ok: true }),
        );
        a.get('/t/item/:id', async () => ({ ok: true }));
        a.get('/t/refuse', async () => {
          throw new HttpError(409, '<img src=x onerror=alert(1)> & "more"');
        });
      });
    });

    it('answers a database error with 500, a generic reason and the request id, and logs the real error under that id', async () => {
      logLines = [];
      const r = await app.inject({ url: '/t/db-error', headers: JSON_ACCEPT });
      expect(r.statusCode).toBe(500);
      const body = r.json();
      expect(body).toEqual({ error: 'something went wrong on our side', requestId: expect.stringMatching(UUID) });
      expect(r.body).not.toMatch(/no_such_table|secret_column|relation|select|postgres|pglite|\.ts\b|\bat\s/i);
      expectSecurityHeaders(r);
      const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.reqId === body.requestId && l.err);
      expect(logged?.err.message).toMatch(/no_such_table_x/);

      const page = await app.inject({ url: '/t/db-error', headers: HTML_ACCEPT });
      expect(page.statusCode).toBe(500);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('something went wrong on our side');
      expect(page.body).toMatch(/Request id: <code>[0-9a-f-]{36}<\/code>/);
      expect(page.body).not.toMatch(/no_such_table|secret_column|relation|select|\.ts\b|\bat\s/i);
    });

    it('keeps the reason of a malformed, empty, oversized or wrongly typed body, and of a validation error', async () => {
      const post = (url: string, payload: string | Buffer, contentType: string) =>
        app.inject({ method: 'POST', url, headers: { 'content-type': contentType, ...JSON_ACCEPT }, payload });
      const bad = await post('/api/t/json', '{"email": ', 'application/json');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ error: 'the body is not valid JSON' });
      expectSecurityHeaders(bad);
      expect((await post('/api/t/json', '{"__proto__": {"admin": true}}', 'application/json')).statusCode).toBe(400);
      const empty = await post('/api/t/json', '', 'application/json');
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error).toMatch(/empty/);
      const big = await post('/api/t/json', JSON.stringify({ x: 'y'.repeat(1024 * 1024) }), 'application/json');
      expect(big.statusCode).toBe(413);
      expect(big.json()).toEqual({ error: 'the body is too large' });
      const bigForm = await post('/t/form', `x=${'y'.repeat(101 * 1024)}`, 'application/x-www-form-urlencoded');
      expect(bigForm.statusCode).toBe(413);
      expect((await post('/t/form', 'a=1&b=2', 'application/x-www-form-urlencoded')).json()).toEqual({ got: { a: '1', b: '2' } });
      const csv = await post('/api/t/json', 'a,b\n1,2', 'text/csv');
      expect(csv.statusCode).toBe(415);
      expect(csv.json()).toEqual({ error: 'this address does not take a body of type text/csv' });
      const invalid = await post('/api/t/validated', '{"email": "x"}', 'application/json');
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error).toMatch(/email/);

      const page = await app.inject({ method: 'POST', url: '/t/form', headers: { 'content-type': 'application/x-www-form-urlencoded', ...HTML_ACCEPT }, payload: 'a=%zz' });
      expect(page.statusCode).toBe(400);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('a broken %-escape');
      // A page answers JSON with 415, on its own page.
      const json = await app.inject({ method: 'POST', url: '/t/form', headers: { 'content-type': 'application/json', ...HTML_ACCEPT }, payload: '{}' });
      expect(json.statusCode).toBe(415);
      expect(json.body).toContain('takes a form post');
      expectSecurityHeaders(json);
    });

    it('answers an unknown address with 404, JSON or an escaped HTML page by Accept, never repeating the query', async () => {
      const json = await app.inject({ url: '/nope?t=SECRET-TOKEN', headers: JSON_ACCEPT });
      expect(json.statusCode).toBe(404);
      expect(json.json()).toEqual({ error: 'not found: GET /nope' });
      const api = await app.inject({ url: '/api/v1/nope' }); // an API path answers JSON whatever Accept says
      expect(api.statusCode).toBe(404);
      expect(api.json()).toEqual({ error: 'not found: GET /api/v1/nope' });

      const html = await app.inject({ url: '/a"b<i>c?t=SECRET-TOKEN', headers: HTML_ACCEPT });
      expect(html.statusCode).toBe(404);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.body).toMatch(/^<!doctype html>/);
      expect(html.body).toContain('<h1>Not Found</h1>');
      expect(html.body).not.toContain('SECRET-TOKEN');
      expectSecurityHeaders(html);
    });

    it('escapes what an HTML error page repeats', async () => {
      const thrown = await app.inject({ url: '/t/refuse', headers: HTML_ACCEPT });
      expect(thrown.statusCode).toBe(409);
      // Whichever page renders it (the minimal default or the site layout), the markup arrives escaped.
      expect(thrown.body).toMatch(/(&lt;|&#60;)img src=x onerror=alert\(1\)(&gt;|&#62;) (&amp;|&#38;) (&quot;|&#34;)more(&quot;|&#34;)/);
      expect(thrown.body).not.toContain('<img');
      const typed = await app.inject({ method: 'POST', url: '/t/form', headers: { 'content-type': 'text/x-<script>', ...HTML_ACCEPT }, payload: 'x' });
      expect(typed.statusCode).toBe(415);
      expect(typed.body).toMatch(/text\/x-(&lt;|&#60;)script(&gt;|&#62;)/);
      expect(typed.body).not.toContain('<script');
    });

    it('answers a malformed URL with 400 in the same format', async () => {
      const r = await app.inject({ url: '/t/item/%E0%A4%A', headers: JSON_ACCEPT });
      expect(r.statusCode).toBe(400);
      // Fastify's own message would repeat the URL, and with it any token in the query.
      expect(r.json()).toEqual({ error: 'the address has a broken %-escape or is not UTF-8' });
      expectSecurityHeaders(r); // refused before any hook runs, yet with the same headers
    });
  });
});
