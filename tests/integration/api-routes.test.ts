// The editor JSON API through app.inject, on a real database and Redis: tokens (401 without, with a
// wrong or revoked one), every route's good path, a bad body or query naming the field (400), unknown
// ids (404), wrong states (409), the per-token rate limit, and the OpenAPI document covering every route
// with the very schemas that validate.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createApiToken, findApiToken, hashToken, listApiTokens, revokeApiToken } from '../../src/db/api-tokens.ts';
import { getIssue } from '../../src/db/issues.ts';
import type { Queues } from '../../src/queue.ts';
import { createProvider } from '../../src/send/index.ts';
import { createServer } from '../../src/web/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { deleteKeys, testPrefix, testQueues } from '../support/redis.ts';
import { signalLines } from '../support/summary-files.ts';

const signal = (tag: string, title: string) => `${signalLines({ tag: [`Tag: ${tag}`], title: [title], tags: ['Tags', `Tag: ${tag}`] }).join('\n')}\n`;

describe.sequential(`JSON API on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let config: Config;
  let queues: Queues;
  let app: FastifyInstance;
  let token: string;
  const prefix = testPrefix();
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    config = loadConfig({ LOG_LEVEL: 'silent', TEMPLATE_ENGINE: 'mjml' }, '/nonexistent');
    queues = await testQueues(t.db, prefix);
    app = await createServer({ db: t.db, config, log: pino({ level: 'silent' }), queues: async () => queues, now: () => new Date() });
    apps.push(app);
    token = (await createApiToken(t.db, 'tests')).token;
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await queues?.close();
    await deleteKeys(prefix);
    await t?.drop();
  });

  const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
    });
  const json = (r: LightMyRequestResponse) => r.json() as Record<string, any>;
  /** A 400 whose issues name exactly these fields. */
  const expect400 = (r: LightMyRequestResponse, ...paths: string[]) => {
    expect(r.statusCode, r.body).toBe(400);
    const b = json(r);
    expect(b.issues.map((i: { path: string }) => i.path).sort()).toEqual([...paths].sort());
    for (const p of paths) expect(b.error).toContain(p);
  };

  describe('tokens', () => {
    it('refuses a request without a token with 401 and WWW-Authenticate: Bearer', async () => {
      const r = await app.inject({ url: '/api/v1/issues' });
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="tagcast"');
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(json(r).error).toMatch(/needs a token/);
      // The security headers come from the baseline, as on every answer.
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    });

    it('refuses a wrong token, another scheme, and a revoked token with 401 invalid_token', async () => {
      for (const authorization of [`Bearer tc_${'x'.repeat(43)}`, `Bearer ${token}x`, `Basic ${Buffer.from('a:b').toString('base64')}`]) {
        const r = await app.inject({ url: '/api/v1/issues', headers: { authorization } });
        expect(r.statusCode, authorization).toBe(401);
      }
      const other = await createApiToken(t.db, 'soon revoked');
      expect((await app.inject({ url: '/api/v1/issues', headers: { authorization: `Bearer ${other.token}` } })).statusCode).toBe(200);
      await revokeApiToken(t.db, other.row.id);
      const r = await app.inject({ url: '/api/v1/issues', headers: { authorization: `Bearer ${other.token}` } });
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="tagcast", error="invalid_token"');
      expect(json(r).error).toBe('the token is unknown or revoked');
    });

    it('stores only the hash and notes when a token was last used', async () => {
      expect((await call('GET', '/weeks')).statusCode).toBe(200);
      const rows = await t.db.query<{ hash: string }>('select hash from api_tokens');
      expect(rows.map((r) => r.hash)).toContain(hashToken(token));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(token).toMatch(/^tc_[A-Za-z0-9_-]{43}$/);
      const mine = (await listApiTokens(t.db)).find((x) => x.name === 'tests')!;
      expect(mine.lastUsedAt).toBeInstanceOf(Date);
      expect(await findApiToken(t.db, 'tc_nope')).toBeUndefined();
    });

    it('counts requests per token, not per address, and strangers on a smaller allowance', async () => {
      const second = (await createApiToken(t.db, 'second')).token;
      const a1 = await call('GET', '/weeks');
      const a2 = await call('GET', '/weeks');
      const b1 = await app.inject({ url: '/api/v1/weeks', headers: { authorization: `Bearer ${second}` } });
      expect(a1.headers['x-ratelimit-limit']).toBe('600');
      expect(Number(a2.headers['x-ratelimit-remaining'])).toBe(Number(a1.headers['x-ratelimit-remaining']) - 1);
      // Same address, another token: a counter of its own.
      expect(b1.headers['x-ratelimit-remaining']).toBe('599');
      const anon = await app.inject({ url: '/api/v1/weeks' });
      expect(anon.headers['x-ratelimit-limit']).toBe('60');
    });
  });

  describe('issues', () => {
    let id: number;

    it('creates an issue, and refuses a bad week, engine or subject naming the field', async () => {
      const r = await call('POST', '/issues', { week: '2026-W48', subject: 'Hello' });
      expect(r.statusCode, r.body).toBe(201);
      expect(json(r).issue).toMatchObject({ week: '2026-W48', engine: 'mjml', status: 'draft', subject: 'Hello' });
      id = json(r).issue.id;
      expect400(await call('POST', '/issues', { week: '2026-W60' }), 'body.week');
      expect400(await call('POST', '/issues', { week: '2026-W48', engine: 'jinja', subject: 'a\r\nBcc: x@example.com' }), 'body.engine', 'body.subject');
      expect400(await call('POST', '/issues', {}), 'body.week');
      expect400(await call('POST', '/issues', { week: '2026-W48', weeks: 1 }), 'body');
      // Not JSON at all: the errors plugin's reason, still JSON.
      const bad = await call('POST', '/issues', '{', { 'content-type': 'application/json' });
      expect(bad.statusCode).toBe(400);
      expect(json(bad).error).toBe('the body is not valid JSON');
      // Only JSON: a form post (the site's other body type) is refused, not read.
      const form = await call('POST', '/issues', 'week=2026-W48', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.statusCode).toBe(415);
      expect(json(form).error).toBe('this address takes application/json, not application/x-www-form-urlencoded');
    });

    it('lists issues and reads one with its progress; an unknown id is 404, a bad one 400', async () => {
      const list = json(await call('GET', '/issues'));
      expect(list.issues.map((i: { id: number }) => i.id)).toContain(id);
      const one = await call('GET', `/issues/${id}`);
      expect(one.statusCode).toBe(200);
      expect(json(one)).toMatchObject({ issue: { id }, progress: { submitted: 0, total: 0, failed: 0, skipped: 0, pending: 0 }, failures: [] });
      const none = await call('GET', '/issues/999999');
      expect(none.statusCode).toBe(404);
      expect(json(none).error).toBe('issue 999999 does not exist');
      expect400(await call('GET', '/issues/abc'), 'params.id');
    });

    it('reports delivery progress and failure reasons from the ledger', async () => {
      const [s1] = await t.db.query<{ id: number }>(`insert into subscribers (email, status) values ('p1@example.com', 'active') returning id`);
      const [s2] = await t.db.query<{ id: number }>(`insert into subscribers (email, status) values ('p2@example.com', 'active') returning id`);
      const [s3] = await t.db.query<{ id: number }>(`insert into subscribers (email, status) values ('p3@example.com', 'active') returning id`);
      const issue = json(await call('POST', '/issues', { week: '2026-W47' })).issue;
      await t.db.query(
        `insert into deliveries (issue_id, subscriber_id, batch, sections, status, error) values
         ($1, $2, 0, '{}', 'submitted', null), ($1, $3, 0, '{}', 'failed', 'render: boom'), ($1, $4, null, '{}', 'skipped', 'no tag')`,
        [issue.id, s1!.id, s2!.id, s3!.id],
      );
      const d = json(await call('GET', `/issues/${issue.id}`));
      expect(d.progress).toEqual({ submitted: 1, total: 2, failed: 1, skipped: 1, pending: 0 });
      expect(d.failures).toEqual([{ reason: 'render: boom', failed: 1 }]);
    });

    it('schedules (409 once cancelled), sends, pauses, resumes and cancels', async () => {
      expect400(await call('POST', `/issues/${id}/schedule`, { at: '2026-12-01T08:00:00' }), 'body.at');
      const at = new Date(Date.now() + 86_400_000).toISOString();
      const s = await call('POST', `/issues/${id}/schedule`, { at });
      expect(s.statusCode, s.body).toBe(200);
      expect(json(s).issue).toMatchObject({ status: 'scheduled', sendAt: at });
      expect(await queues.issues.getJobCountByTypes('delayed')).toBeGreaterThan(0);

      const p = await call('POST', `/issues/${id}/pause`);
      expect(json(p).issue.status).toBe('paused');
      const again = await call('POST', `/issues/${id}/pause`);
      expect(again.statusCode).toBe(409);
      expect(json(again).error).toBe(`issue ${id} is paused; only a scheduled or sending issue can be paused`);

      const r = await call('POST', `/issues/${id}/resume`);
      expect(r.statusCode, r.body).toBe(200);
      expect(json(r)).toMatchObject({ issue: { status: 'scheduled' }, batches: 0 });

      const send = await call('POST', `/issues/${id}/send`);
      expect(send.statusCode, send.body).toBe(200);
      expect(new Date(json(send).issue.sendAt).getTime()).toBeLessThanOrEqual(Date.now());

      const c = await call('POST', `/issues/${id}/cancel`);
      expect(json(c).issue.status).toBe('cancelled');
      for (const action of ['cancel', 'pause', 'resume', 'send']) {
        const x = await call('POST', `/issues/${id}/${action}`);
        expect(x.statusCode, action).toBe(409);
      }
      const x = await call('POST', `/issues/${id}/schedule`, { at });
      expect(x.statusCode).toBe(409);
      expect(json(x).error).toMatch(/cancelled/);
      expect((await getIssue(t.db, id))!.status).toBe('cancelled');
      for (const action of ['send', 'pause', 'resume', 'cancel']) expect((await call('POST', `/issues/424242/${action}`)).statusCode, action).toBe(404);
    });

    it("schedules at the readers' local time, naming a bad field", async () => {
      const i = json(await call('POST', '/issues', { week: '2026-W49' })).issue;
      expect400(await call('POST', `/issues/${i.id}/schedule-local`, { localTime: '9:00', date: '2026-02-30' }), 'body.localTime', 'body.date');
      const date = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      const r = await call('POST', `/issues/${i.id}/schedule-local`, { localTime: '09:00', date });
      expect(r.statusCode, r.body).toBe(200);
      expect(json(r).issue.status).toBe('scheduled');
      const past = await call('POST', `/issues/${i.id}/schedule-local`, { localTime: '09:00', date: '2020-01-01' });
      expect(past.statusCode).toBe(409);
      expect((await call('POST', '/issues/424242/schedule-local', { localTime: '09:00', date })).statusCode).toBe(404);
    });

    it('answers 503 for queue actions on a server without queues, and for a test send without a provider', async () => {
      const bare = await createServer({ db: t.db, config, log: pino({ level: 'silent' }) });
      apps.push(bare);
      const r = await bare.inject({ method: 'POST', url: `/api/v1/issues/${id}/send`, headers: { authorization: `Bearer ${token}` } });
      expect(r.statusCode).toBe(503);
      expect(json(r).error).toMatch(/no job queues/);
      expect400(await call('POST', `/issues/${id}/test`, { to: 'x' }), 'body.to');
      expect((await call('POST', '/issues/424242/test', { to: 'ed@example.com' })).statusCode).toBe(404);
      const noProvider = await call('POST', `/issues/${id}/test`, { to: 'ed@example.com' });
      expect(noProvider.statusCode).toBe(503);
      expect(json(noProvider).error).toMatch(/no email provider/);
    });
  });

  describe('summaries', () => {
    it('imports files sent as JSON with FILE:LINE reports, and lists them by week', async () => {
      const r = await call('POST', '/summaries/import', {
        files: [
          { name: '2026-W48/rust.txt', content: signal('Rust', 'Ownership at scale') },
          { name: '2026-W48/bad.txt', content: 'Good\nThe Signal\nS\n' },
        ],
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(json(r)).toMatchObject({
        files: 2,
        created: 1,
        failed: 1,
        errors: ['2026-W48/bad.txt:1: expected the first line to be "Tag: NAME" (the primary tag)'],
        results: [
          { name: '2026-W48/rust.txt', outcome: 'created' },
          { name: '2026-W48/bad.txt', outcome: 'error' },
        ],
      });
      const again = json(await call('POST', '/summaries/import', { files: [{ name: '2026-W48/rust.txt', content: signal('Rust', 'Ownership at scale') }] }));
      expect(again).toMatchObject({ unchanged: 1, created: 0 });
      const weeks = json(await call('GET', '/weeks'));
      expect(weeks.weeks).toContainEqual({ week: '2026-W48', summaries: 1 });
      const list = json(await call('GET', '/summaries?week=2026-W48'));
      expect(list.summaries.map((s: { title: string }) => s.title)).toEqual(['Ownership at scale']);
      expect400(await call('GET', '/summaries?week=last'), 'query.week');
    });

    it('refuses a bad name, an oversized file and too many files naming the field', async () => {
      expect400(await call('POST', '/summaries/import', { files: [{ name: 'x.exe', content: '' }] }), 'body.files.0.name');
      expect400(await call('POST', '/summaries/import', { files: [{ name: 'big.md', content: 'x'.repeat(300 * 1024) }] }), 'body.files.0.content');
      expect400(await call('POST', '/summaries/import', { files: Array.from({ length: 201 }, (_, n) => ({ name: `${n}.md`, content: '' })) }), 'body.files');
      expect400(await call('POST', '/summaries/import', { files: [] }), 'body.files');
    });
  });

  describe('test sends', () => {
    it('sends one test of an issue through the provider; refuses a bad address, an unknown reader and too many', async () => {
      const outbox = mkdtempSync(path.join(tmpdir(), 'tagcast-api-outbox-'));
      try {
        const withProvider = await createServer({
          db: t.db,
          config: { ...config, outboxDir: outbox },
          log: pino({ level: 'silent' }),
          provider: createProvider({ ...config, emailProvider: 'outbox', outboxDir: outbox }),
        });
        apps.push(withProvider);
        const send = (id: number, body: object) =>
          withProvider.inject({ method: 'POST', url: `/api/v1/issues/${id}/test`, headers: { authorization: `Bearer ${token}` }, payload: body });
        const issue = json(await call('POST', '/issues', { week: '2026-W48' })).issue;
        const ok = await send(issue.id, { to: 'Editor@Example.com' });
        expect(ok.statusCode, ok.body).toBe(200);
        expect(json(ok)).toHaveProperty('providerId');
        expect(readdirSync(outbox, { recursive: true }).join(' ')).toContain('editor@example.com.eml');
        const bad = await send(issue.id, { to: 'ed@nowhere' });
        expect(bad.statusCode).toBe(400);
        expect(json(bad).error).toMatch(/^cannot send a test there: /);
        expect((await send(issue.id, { to: 'ed@example.com', subscriberId: 999999 })).statusCode).toBe(404);
        let limited: LightMyRequestResponse | undefined;
        for (let n = 0; n < 12 && !limited; n++) {
          const r = await send(issue.id, { to: 'ed@example.com' });
          if (r.statusCode === 429) limited = r;
          else expect(r.statusCode, r.body).toBe(200);
        }
        expect(limited, 'the test-send limit never answered 429').toBeDefined();
        expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        rmSync(outbox, { recursive: true, force: true });
      }
    });
  });

  describe('subscribers', () => {
    it('adds, searches with pages, and refuses a bad address naming the problem', async () => {
      const a = await call('POST', '/subscribers', { email: 'Ada@Example.com', tags: ['Rust', 'AI'], timeZone: 'Europe/London', name: 'Ada', createTags: true });
      expect(a.statusCode, a.body).toBe(201);
      expect(json(a)).toEqual({ created: true, id: expect.any(Number), email: 'ada@example.com', tags: ['Rust', 'AI'] });
      const again = await call('POST', '/subscribers', { email: 'ada@example.com', tags: ['Go'], createTags: true });
      expect(again.statusCode).toBe(200);
      expect(json(again).created).toBe(false);
      expect400(await call('POST', '/subscribers', { email: 'ada@example.com', tags: [], timeZone: 'Mars/Olympus' }), 'body.tags', 'body.timeZone');
      const bad = await call('POST', '/subscribers', { email: 'nope', tags: ['AI'] });
      expect(bad.statusCode).toBe(400);
      expect(json(bad).error).toContain('"nope" is not an email address');

      await call('POST', '/subscribers', { email: 'grace@example.com', tags: ['AI'], name: 'Grace 100%' });
      const found = json(await call('GET', '/subscribers?q=ADA'));
      expect(found).toMatchObject({ total: 1, limit: 100, offset: 0 });
      expect(found.subscribers[0]).toMatchObject({ email: 'ada@example.com', name: 'Ada', tags: ['AI', 'Go', 'Rust'] });
      // LIKE's wildcards are literal: "100%" finds Grace only, "_" finds nobody.
      expect(json(await call('GET', '/subscribers?q=100%25')).total).toBe(1);
      expect(json(await call('GET', '/subscribers?q=_')).total).toBe(0);
      const page = json(await call('GET', '/subscribers?limit=1&offset=1'));
      expect(page.subscribers).toHaveLength(1);
      expect(page.total).toBeGreaterThanOrEqual(2);
      expect(json(await call('GET', '/subscribers?status=unsubscribed')).total).toBe(0);
      expect400(await call('GET', '/subscribers?limit=0&offset=-1&status=gone'), 'query.limit', 'query.offset', 'query.status');
    });

    it('imports CSV as text/csv or JSON with rejected rows by line, and exports CSV', async () => {
      const csv = 'email,tags\nlinus@example.com,Rust\nnope,AI\n';
      const r = await call('POST', '/subscribers/import', csv, { 'content-type': 'text/csv' });
      expect(r.statusCode, r.body).toBe(200);
      expect(json(r)).toMatchObject({ rows: 2, created: 1, errors: [{ line: 3, problem: '"nope" is not an email address' }] });
      const j = json(await call('POST', '/subscribers/import', { csv: 'email\nken@example.com\n', name: 'ken.csv' }));
      expect(j).toMatchObject({ rows: 1, created: 1, errors: [] });
      expect400(await call('POST', '/subscribers/import', { csv: '' }), 'body.csv');
      const e = await call('GET', '/subscribers/export');
      expect(e.statusCode).toBe(200);
      expect(e.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(e.body.split(/\r?\n/)[0]).toBe('email,name,tags,time_zone,status,created_at');
      expect(e.body).toContain('linus@example.com');
    });
  });

  describe('schedule', () => {
    it('sets, shows and clears the recurring schedule, naming a bad field', async () => {
      expect(json(await call('GET', '/schedule'))).toEqual({ schedule: null, runs: [] });
      expect400(await call('PUT', '/schedule', { weekday: 8, time: '9:00', timeZone: 'Europe/Berlin' }), 'body.weekday', 'body.time');
      const s = await call('PUT', '/schedule', { weekday: 1, time: '09:00', timeZone: 'Europe/Berlin', local: false, engine: null });
      expect(s.statusCode, s.body).toBe(200);
      expect(json(s).schedule).toMatchObject({ weekday: 1, time: '09:00', timeZone: 'Europe/Berlin', local: false });
      expect(json(await call('GET', '/schedule')).schedule).toMatchObject({ weekday: 1, time: '09:00' });
      const d = await call('DELETE', '/schedule');
      expect(json(d)).toEqual({ cleared: true });
      expect(json(await call('DELETE', '/schedule'))).toEqual({ cleared: false });
      expect(json(await call('GET', '/schedule')).schedule).toBeNull();
    });
  });

  describe('OpenAPI', () => {
    it('is served without a token and lists every registered /api/v1 route', async () => {
      const r = await app.inject({ url: '/api/v1/openapi.json' });
      expect(r.statusCode).toBe(200);
      const doc = json(r);
      expect(doc.openapi).toBe('3.1.0');
      // Every route Fastify knows below /api/v1, read from its own route table: a tree whose lines
      // are a segment (appended to the parent's path) and its methods, indented four per level.
      const registered = new Set<string>();
      const stack: string[] = [];
      for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
        const m = /^([\s│├└─]*)(\S+) \(([A-Z, ]+)\)$/.exec(line);
        if (!m) continue;
        const depth = m[1]!.length / 4;
        stack.length = depth;
        const full = (stack[depth - 1] ?? '') + m[2]!;
        stack[depth] = full;
        if (!full.startsWith('/api/v1/')) continue;
        for (const method of m[3]!.split(', ')) if (method !== 'HEAD') registered.add(`${method} ${full.replace(/:([a-z]+)/gi, '{$1}')}`);
      }
      const documented = new Set(Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
      expect(registered.size).toBeGreaterThanOrEqual(20);
      const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect([...registered].sort()).toEqual([...documented].sort());
    });

    it("describes each body with the schema that validates it: an empty body is refused naming the document's required fields", async () => {
      const doc = json(await app.inject({ url: '/api/v1/openapi.json' }));
      let checked = 0;
      for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
        for (const [method, op] of Object.entries(ops)) {
          const schema = op.requestBody?.content?.['application/json']?.schema;
          if (!schema) continue;
          const url = p.replace('/api/v1', '').replace('{id}', '1');
          const r = await call(method.toUpperCase(), url, {});
          const required: string[] = schema.required ?? [];
          if (required.length === 0) {
            // A body of optional fields that needs at least one of them (PUT /tags/:slug, PUT /summaries/:id) says so.
            expect(schema.minProperties, `${method} ${p}`).toBe(1);
            expect400(r, 'body');
          } else {
            expect400(r, ...required.map((f) => `body.${f}`));
          }
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(8);
    });
  });
});
