// The smaller holes of issue 16, each with its siblings: path ids and query numbers written only one
// way; every malformed or made-up API credential answered by the limiter before it costs a database
// query; logging out (and a new ADMIN_PASSWORD) ending sessions on the server; `__Host-` cookies on an
// https site only; and the OpenAPI document listing every status the routes really answer.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createApiToken } from '../../src/db/api-tokens.ts';
import type { Db } from '../../src/db/connection.ts';
import { createServer } from '../../src/web/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { Browser, readerApp, type ReaderApp } from '../support/reader.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';

/** The database the app is given, counting the statements it runs (each still runs for real). */
function counting(db: Db): Db & { statements: number } {
  const c = {
    kind: db.kind,
    statements: 0,
    query: (sql: string, params?: unknown[]) => (c.statements++, db.query(sql, params)),
    run: (sql: string, params?: unknown[]) => (c.statements++, db.run(sql, params)),
    exec: (sql: string) => (c.statements++, db.exec(sql)),
    tx: <T,>(fn: (db: Db) => Promise<T>) => (c.statements++, db.tx(fn)),
    close: () => db.close(),
  };
  return c as Db & { statements: number };
}

let address = 1;
/** A client address of its own, so each test starts with a fresh allowance. */
const nextAddress = () => `192.0.2.${address++}`;

describe.sequential(`smaller holes on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let db: Db & { statements: number };
  let config: Config;
  let app: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    t = await createTestDb();
    db = counting(t.db);
    config = loadConfig({ LOG_LEVEL: 'silent' }, '/nonexistent');
    app = await createServer({ db, config, log: pino({ level: 'silent' }), now: () => new Date() });
    token = (await createApiToken(t.db, 'holes')).token;
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const api = (method: string, url: string, o: { headers?: Record<string, string>; payload?: string; remoteAddress?: string } = {}) =>
    app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      remoteAddress: o.remoteAddress ?? '198.51.100.1',
      headers: { authorization: `Bearer ${token}`, ...o.headers },
      ...(o.payload === undefined ? {} : { payload: o.payload }),
    });
  const issuesOf = (r: LightMyRequestResponse) => (r.json() as { issues?: { path: string; message: string }[] }).issues ?? [];

  describe('numbers in paths and queries', () => {
    // Each would otherwise be read as another number (1e3 → 1000, 0x10 → 16, " 5" → 5, 5.0 → 5) or
    // reach the database out of range.
    const bad = ['1e3', '0x10', '+5', ' 5', '5 ', '05', '5.0', '-1', '0', '9999999999999999999', '2147483648', '1_000', 'Infinity', 'NaN', '', '٣'];

    it('refuses every non-canonical id in every path with 400 and a reason, never a 500', async () => {
      const routes = [
        ['GET', '/issues/:id'],
        ['POST', '/issues/:id/send'],
        ['POST', '/issues/:id/pause'],
        ['POST', '/issues/:id/resume'],
        ['POST', '/issues/:id/cancel'],
        ['POST', '/issues/:id/schedule'],
        ['POST', '/issues/:id/schedule-local'],
        ['POST', '/issues/:id/test'],
      ];
      for (const [method, url] of routes) {
        // (An empty id is another route, or none.)
        for (const id of bad.filter(Boolean)) {
          const r = await api(method!, url!.replace(':id', encodeURIComponent(id)));
          const what = `${method} ${url} with ${JSON.stringify(id)}`;
          expect(r.statusCode, what).toBe(400);
          expect(issuesOf(r).map((i) => i.path), what).toContain('params.id');
          expect(r.json().error, what).toMatch(/params\.id: must be (a whole number from 1 in plain digits|at most 2147483647)/);
        }
      }
      // The canonical form still reaches the route: an id that does not exist is 404, not 400.
      expect((await api('GET', '/issues/2147483647')).statusCode).toBe(404);
    });

    it('refuses non-canonical limits and offsets with 400 naming the field; canonical ones page', async () => {
      for (const n of bad) {
        for (const field of ['limit', 'offset']) {
          if (field === 'offset' && n === '0') continue;
          const r = await api('GET', `/subscribers?${field}=${encodeURIComponent(n)}`);
          expect(r.statusCode, `${field}=${JSON.stringify(n)}`).toBe(400);
          expect(issuesOf(r).map((i) => i.path), `${field}=${JSON.stringify(n)}`).toEqual([`query.${field}`]);
        }
      }
      // Twice the same field is not one number either.
      expect((await api('GET', '/subscribers?limit=5&limit=6')).statusCode).toBe(400);
      const ok = await api('GET', '/subscribers?limit=1000&offset=0');
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ limit: 1000, offset: 0 });
      expect((await api('GET', '/subscribers?limit=1001')).json().error).toContain('query.limit: must be at most 1000');
      expect((await api('GET', '/subscribers?offset=2147483647')).statusCode).toBe(200);
    });

    it('refuses a subscriber id in a body past what the database holds, and weeks written another way', async () => {
      const big = await api('POST', '/issues/1/test', { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ to: 'a@example.com', subscriberId: 9999999999999999999 }) });
      expect(big.statusCode).toBe(400);
      expect(issuesOf(big).map((i) => i.path)).toEqual(['body.subscriberId']);
      for (const week of ['2026-w48', '2026-W048', ' 2026-W48', '2026-W48 ', '+2026-W48', '2026W48', '2026-W4']) {
        const r = await api('GET', `/summaries?week=${encodeURIComponent(week)}`);
        expect(r.statusCode, week).toBe(400);
        expect(issuesOf(r).map((i) => i.path), week).toEqual(['query.week']);
      }
    });
  });

  describe('credentials before the database', () => {
    it('answers every malformed Authorization with 401 and no database query, then 429', async () => {
      const forms = [
        undefined,
        'Basic dGFnOmNhc3Q=',
        `Token ${token}`,
        'Bearer',
        'Bearer ',
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, -1)}=`,
        `Bearer ${token.replace('tc_', 'tk_')}`,
        `Bearer tc_${'é'.repeat(43)}`,
        `Bearer tc_${'a'.repeat(10_000)}`,
        `Bearer ${token} ${token}`,
      ];
      const from = nextAddress();
      const before = db.statements;
      let n = 0;
      for (const authorization of forms) {
        const r = await api('GET', '/issues', { remoteAddress: from, headers: authorization === undefined ? { authorization: '' } : { authorization } });
        expect(r.statusCode, String(authorization).slice(0, 40)).toBe(401);
        expect(r.headers['www-authenticate'], String(authorization).slice(0, 40)).toMatch(/^Bearer realm="tagcast"/);
        n++;
      }
      // The rest of the allowance (60 a minute per address), then the limiter answers.
      for (; n < 60; n++) expect((await api('GET', '/issues', { remoteAddress: from, headers: { authorization: 'Basic eA==' } })).statusCode).toBe(401);
      const over = await api('GET', '/issues', { remoteAddress: from, headers: { authorization: 'Basic eA==' } });
      expect(over.statusCode).toBe(429);
      expect(over.headers['retry-after']).toBeDefined();
      expect(db.statements - before).toBe(0);
    });

    it('looks a well-formed made-up token up only while the address has allowance left: then 429 without a query', async () => {
      const from = nextAddress();
      const madeUp = (i: number) => `Bearer tc_${String(i).padStart(43, 'x')}`;
      const before = db.statements;
      for (let i = 0; i < 60; i++) {
        const r = await api('GET', '/issues', { remoteAddress: from, headers: { authorization: madeUp(i) } });
        expect(r.statusCode).toBe(401);
        expect(r.headers['www-authenticate']).toBe('Bearer realm="tagcast", error="invalid_token"');
      }
      // One indexed lookup each so far.
      expect(db.statements - before).toBe(60);
      const spent = db.statements;
      for (let i = 60; i < 80; i++) {
        const r = await api('GET', '/issues', { remoteAddress: from, headers: { authorization: madeUp(i) } });
        expect(r.statusCode).toBe(429);
        expect(r.json().error).toMatch(/^too many requests: try again in \d+ seconds$/);
      }
      // Even the real token from that address waits: telling it apart would take the query.
      expect((await api('GET', '/issues', { remoteAddress: from })).statusCode).toBe(429);
      expect(db.statements - spent).toBe(0);
      // Another address, with the real token, is unaffected.
      expect((await api('GET', '/issues', { remoteAddress: nextAddress() })).statusCode).toBe(200);
    });

    it('shares the stranger allowance between server processes through Redis, still before any query', async () => {
      const prefix = testPrefix();
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const servers: FastifyInstance[] = [];
      try {
        for (let i = 0; i < 2; i++) servers.push(await createServer({ db, config: { ...config, queuePrefix: prefix }, log: pino({ level: 'silent' }), redis }));
        const from = nextAddress();
        const ask = (i: number) => servers[i % 2]!.inject({ url: '/api/v1/issues', remoteAddress: from, headers: { authorization: `Bearer tc_${String(i).padStart(43, 'y')}` } });
        for (let i = 0; i < 60; i++) expect((await ask(i)).statusCode).toBe(401);
        const before = db.statements;
        expect((await ask(60)).statusCode).toBe(429);
        expect((await ask(61)).statusCode).toBe(429);
        expect(db.statements - before).toBe(0);
        expect(await deleteKeys(prefix)).toBeGreaterThan(0);
      } finally {
        for (const s of servers) await s.close();
        redis.disconnect();
      }
    });
  });

  describe('sessions and cookies', () => {
    const PASSWORD = 'the first editor password';
    const apps: ReaderApp[] = [];
    const site = async (env: Record<string, string>) => {
      const a = await readerApp(t.db, { env });
      apps.push(a);
      return a;
    };
    afterAll(async () => {
      for (const a of apps) await a.app.close();
    });
    const login = (b: Browser) => b.submit('/admin/login', '/admin/login', { password: PASSWORD });
    const cookies = (r: LightMyRequestResponse) => {
      const set = r.headers['set-cookie'];
      return Array.isArray(set) ? set : set ? [set] : [];
    };

    it('ends every session made under an old ADMIN_PASSWORD, even when that password comes back', async () => {
      const first = await site({ ADMIN_PASSWORD: PASSWORD });
      const b = new Browser(first.app, nextAddress());
      expect((await login(b)).statusCode).toBe(303);
      const cookie = b.cookieHeader!;
      const open = (a: ReaderApp) => a.app.inject({ method: 'GET', url: '/admin/issues', headers: { cookie, accept: 'application/json' } });
      expect((await open(first)).statusCode).toBe(200);
      // The server restarted with a new password: the old cookie is refused.
      const second = await site({ ADMIN_PASSWORD: 'a new editor password' });
      expect((await open(second)).statusCode).toBe(401);
      // Someone logs in under the new password; then the old password is put back. The first session
      // stays ended: its row went at that login.
      const c = new Browser(second.app, nextAddress());
      expect((await c.submit('/admin/login', '/admin/login', { password: 'a new editor password' })).statusCode).toBe(303);
      const back = await site({ ADMIN_PASSWORD: PASSWORD });
      const again = await open(back);
      expect(again.statusCode).toBe(401);
      expect(again.json().error).toBe('this session has ended (logged out): log in again');
    });

    it('on https: every cookie the site sets is __Host- (Secure, Path=/, no Domain); on http plain, for localhost', async () => {
      for (const [url, https] of [
        ['https://news.example.test', true],
        ['http://localhost:3000', false],
      ] as const) {
        const a = await site({ ADMIN_PASSWORD: PASSWORD, PUBLIC_URL: url });
        const b = new Browser(a.app, nextAddress());
        const answers = [await b.get('/subscribe'), await b.get('/admin/login'), await b.get('/preferences?t=x')];
        // Browser sends the https Origin; a plain-http site is reached under its own host.
        const origin = new URL(url).origin;
        const page = await b.get('/admin/login');
        answers.push(page);
        const loggedIn = await b.post('/admin/login', { _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!, password: PASSWORD }, { origin });
        expect(loggedIn.statusCode, url).toBe(303);
        answers.push(loggedIn);
        const issues = await b.get('/admin/issues');
        expect(issues.statusCode, url).toBe(200);
        answers.push(await b.post('/admin/logout', { _csrf: /name="_csrf" value="([^"]+)"/.exec(issues.body)![1]! }, { origin }));
        const set = answers.flatMap(cookies);
        const names = new Set(set.map((c) => c.split('=')[0]));
        expect([...names].sort(), url).toEqual(https ? ['__Host-tagcast_admin', '__Host-tagcast_csrf'] : ['tagcast_admin', 'tagcast_csrf']);
        for (const c of set) {
          const attributes = c.split('; ').slice(1);
          expect(attributes.some((x) => /^domain=/i.test(x)), c).toBe(false);
          expect(attributes, c).toContain('HttpOnly');
          if (https) {
            expect(attributes, c).toContain('Secure');
            expect(attributes, c).toContain('Path=/');
          } else {
            // A Secure cookie would never come back over http://localhost.
            expect(attributes, c).not.toContain('Secure');
            expect(attributes, c).toContain(c.startsWith('tagcast_admin=') ? 'Path=/admin' : 'Path=/');
          }
        }
      }
    });
  });

  describe('the OpenAPI document', () => {
    it('lists, on each operation, every status that operation really answers: 400, 401, 404, 409, 413, 415, 429, 503…', async () => {
      const doc = (await app.inject({ url: '/api/v1/openapi.json', remoteAddress: nextAddress() })).json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
      const seen: string[] = [];
      let operations = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (path.endsWith('/openapi.json')) continue;
          operations++;
          const url = (id: string) => path.replace('/api/v1', '').replace('{id}', id);
          const M = method.toUpperCase();
          const json = { 'content-type': 'application/json' };
          const tries: [string, LightMyRequestResponse][] = [
            ['no token', await api(M, url('999999'), { headers: { authorization: '' }, remoteAddress: nextAddress() })],
            ['as it is', await api(M, url('999999'))],
          ];
          if (path.includes('{id}')) tries.push(['id 1e3', await api(M, url('1e3'))]);
          if (path.endsWith('/subscribers') && M === 'GET') tries.push(['limit 0x10', await api(M, `${url('')}?limit=0x10`)]);
          if (path.endsWith('/summaries') && M === 'GET') tries.push(['no week', await api(M, url(''))]);
          if (M !== 'GET') {
            const body = (type: string, payload: string) => api(M, url('999999'), { headers: { 'content-type': type }, payload });
            const oversize = await body('application/json', JSON.stringify({ pad: 'x'.repeat(21 * 1024 * 1024) }));
            expect(oversize.statusCode, `${M} ${path} oversize`).toBe(413);
            const xml = await body('application/xml', '<issue/>');
            expect(xml.statusCode, `${M} ${path} xml`).toBe(415);
            tries.push(['oversize', oversize], ['xml', xml], ['form', await body('application/x-www-form-urlencoded', 'week=2026-W48')]);
            tries.push(['text', await body('text/plain', 'hello')], ['broken JSON', await api(M, url('999999'), { headers: json, payload: '{' })]);
            tries.push(['empty object', await api(M, url('999999'), { headers: json, payload: '{}' })]);
          }
          for (const [what, r] of tries) {
            expect(r.statusCode, `${M} ${path} ${what}: ${r.body.slice(0, 200)}`).not.toBe(500);
            if (r.statusCode < 300) continue;
            seen.push(String(r.statusCode));
            expect(Object.keys(op.responses), `${M} ${path} ${what} answered ${r.statusCode}: ${r.body.slice(0, 200)}`).toContain(String(r.statusCode));
          }
        }
      }
      expect(operations).toBeGreaterThanOrEqual(16);
      // The battery did reach each kind of answer.
      expect(new Set(seen)).toEqual(new Set(['400', '401', '404', '413', '415', '503']));
      // And the limiter's: an address past its allowance.
      const from = nextAddress();
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i <= 60; i++) last = await api('DELETE', '/schedule', { headers: { authorization: '' }, remoteAddress: from });
      expect(last!.statusCode).toBe(429);
      expect(Object.keys(doc.paths['/api/v1/schedule']!.delete!.responses)).toContain('429');
    });
  });
});

