// Bull Board at /admin/queues: only behind the guard it is given, read-only whatever is asked, and
// with its own Content-Security-Policy there and nowhere else.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Queues } from '../../src/queue.ts';
import { HttpError } from '../../src/web/plugins/errors.ts';
import { bullBoardPlugin } from '../../src/web/plugins/bull-board.ts';
import { BULL_BOARD_CSP, cspHeader, cspRoute, PAGE_CSP, useScopeCsp } from '../../src/web/plugins/security.ts';
import { createServer } from '../../src/web/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { deleteKeys, testPrefix, testQueues } from '../support/redis.ts';
import { READER_ENV } from '../support/reader.ts';

const ADMIN = { 'x-test-admin': 'let-me-in' };

/** What requireAdmin does: a page request without a session goes to the login; anything else is 401. */
async function guard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.headers['x-test-admin'] === 'let-me-in') return;
  if (req.method === 'GET' && String(req.headers.accept ?? '').includes('text/html')) {
    await reply.redirect('/admin/login', 303);
    return;
  }
  throw new HttpError(401, 'log in first');
}

describe.sequential(`Bull Board on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let app: FastifyInstance;
  let queues: Queues;
  let prefix: string;
  let connects = 0;

  beforeAll(async () => {
    t = await createTestDb();
    prefix = testPrefix();
    queues = await testQueues(t.db, prefix);
    await queues.send.add('send-batch', { issueId: 1, batch: 0 }, { jobId: 'send-batch-1-0', delay: 60_000 });
    app = await createServer({ db: t.db, config: loadConfig({ ...READER_ENV }, '/nonexistent'), log: pino({ level: 'silent' }) });
    // As the admin pages register it: inside their scope, whose own policy is the default there.
    await app.register(async (admin) => {
      useScopeCsp(admin, cspRoute(PAGE_CSP));
      await bullBoardPlugin(admin, {
        queues: async () => {
          connects++;
          return queues;
        },
        preHandler: guard,
      });
    });
  });
  afterAll(async () => {
    await app?.close();
    await queues?.close();
    if (prefix) await deleteKeys(prefix);
    await t?.drop();
  });

  it('answers only behind the guard, and connects to the queues only for someone it let in', async () => {
    const page = await app.inject({ method: 'GET', url: '/admin/queues', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/admin/login');
    const api = await app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(api.statusCode).toBe(401);
    const asset = await app.inject({ method: 'GET', url: '/admin/queues/static/favicon-32x32.png' });
    expect(asset.statusCode).toBe(401);
    expect(connects).toBe(0);

    const ok = await app.inject({ method: 'GET', url: '/admin/queues', headers: { ...ADMIN, accept: 'text/html' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('<base href="/admin/queues/"');
    expect(ok.body).toContain('tagcast queues');
    const list = await app.inject({ method: 'GET', url: '/admin/queues/api/queues?activeQueue=&status=latest&page=1', headers: ADMIN });
    expect(list.statusCode).toBe(200);
    const names = (list.json() as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    expect(names.map((q) => q.name).sort()).toEqual([queues.issues.name, queues.send.name].sort());
    expect(names.every((q) => q.readOnlyMode)).toBe(true);
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(ok.body)?.[1];
    expect(script).toBeDefined();
    expect((await app.inject({ method: 'GET', url: `/admin/queues/${script}`, headers: ADMIN })).statusCode).toBe(200);
    expect(connects).toBe(1);
  });

  it('refuses every action, with or without the guard, and the queue is untouched', async () => {
    const q = queues.send.name;
    const actions: [string, string][] = [
      ['PUT', `/admin/queues/api/queues/${q}/pause`],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['PUT', `/admin/queues/api/queues/${q}/empty`],
      ['PUT', `/admin/queues/api/queues/${q}/obliterate`],
      ['PUT', `/admin/queues/api/queues/${q}/send-batch-1-0/promote`],
      ['PUT', `/admin/queues/api/queues/${q}/clean/delayed`],
      ['POST', `/admin/queues/api/queues/${q}/add`],
      ['PATCH', `/admin/queues/api/queues/${q}/send-batch-1-0/update-data`],
    ];
    for (const [method, url] of actions) {
      // Without a body: the guard answers a stranger, the read-only board an editor.
      const anonymous = await app.inject({ method: method as 'PUT', url });
      expect(anonymous.statusCode, `${method} ${url} without the guard`).toBe(401);
      const admin = await app.inject({ method: method as 'PUT', url, headers: ADMIN });
      expect(admin.statusCode, `${method} ${url}`).toBe(405);
      // With the JSON body the board's own client would send: refused at the input boundary (pages
      // outside /api take forms only), before the guard or the board see it.
      for (const headers of [{}, ADMIN]) {
        const json = await app.inject({ method: method as 'PUT', url, headers: { ...headers, 'content-type': 'application/json' }, payload: '{"name":"x","data":{}}' });
        expect(json.statusCode, `${method} ${url} with JSON`).toBe(415);
      }
    }
    expect(await queues.send.isPaused()).toBe(false);
    const job = await queues.send.getJob('send-batch-1-0');
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data).toEqual({ issueId: 1, batch: 0 });
    expect(await queues.send.count()).toBe(1);
  });

  it('gives the board its own policy, and leaves every other page on the strict one', async () => {
    const board = await app.inject({ method: 'GET', url: '/admin/queues', headers: ADMIN });
    const csp = String(board.headers['content-security-policy']);
    expect(csp).toBe(cspHeader(BULL_BOARD_CSP));
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    const api = await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: ADMIN });
    expect(api.headers['content-security-policy']).toBe(cspHeader(BULL_BOARD_CSP));
    for (const url of ['/subscribe', '/archive', '/no/such/page', '/healthz']) {
      const other = await app.inject({ method: 'GET', url });
      expect(other.headers['content-security-policy'], url).toBe(cspHeader(PAGE_CSP));
    }
    // A neighbour of the board's prefix (the admin pages' own policy, or a 404) never gets the board's.
    const neighbour = await app.inject({ method: 'GET', url: '/admin/queuesx', headers: ADMIN });
    expect(neighbour.headers['content-security-policy']).not.toContain("'unsafe-inline'");
  });
});
