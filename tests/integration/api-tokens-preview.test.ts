// `tokens` and `preview` as editor operations: the API routes through app.inject, and the CLI's typed
// client over a listening server giving what the operations give in this process (the same Editor).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEditor } from '../../src/cli/clients/index.ts';
import { apiClient } from '../../src/cli/clients/http.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createApiToken, findApiToken } from '../../src/db/api-tokens.ts';
import { localEditor, type Editor } from '../../src/editor/index.ts';
import { EditorError } from '../../src/editor/errors.ts';
import { planIssue, transitionIssue } from '../../src/db/issues.ts';
import { createServer } from '../../src/web/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { signalLines } from '../support/summary-files.ts';

const WEEK = '2026-W48';

describe.sequential(`tokens and preview through the API on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let config: Config;
  let app: FastifyInstance;
  let token: string;
  let local: Editor;
  let remote: Editor;

  beforeAll(async () => {
    t = await createTestDb();
    config = loadConfig({ LOG_LEVEL: 'silent', TEMPLATE_ENGINE: 'mjml', SECRET: 'tokens-preview-secret-0123456789abcdef' }, '/nonexistent');
    app = await createServer({ db: t.db, config, log: pino({ level: 'silent' }), now: () => new Date() });
    token = (await createApiToken(t.db, 'tests')).token;
    local = localEditor({ db: t.db, config, now: () => new Date(), actor: 'cli' });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    remote = apiEditor(apiClient({ url, token }));
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const call = (method: string, url: string, body?: unknown) =>
    app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
  const json = (r: LightMyRequestResponse) => r.json() as Record<string, any>;

  it('creates (the secret once), lists without secrets, revokes by id and by name; refusals carry the status of their kind', async () => {
    const created = await call('POST', '/tokens', { name: ' ci ' });
    expect(created.statusCode, created.body).toBe(200);
    const c = json(created);
    expect(c.token).toMatch(/^tc_[A-Za-z0-9_-]{43}$/);
    expect(c.row).toMatchObject({ name: 'ci', revokedAt: null });
    expect(await findApiToken(t.db, c.token)).toMatchObject({ id: c.row.id });

    const list = await call('GET', '/tokens');
    expect(json(list).tokens.map((x: { name: string }) => x.name)).toEqual(['tests', 'ci']);
    expect(list.body).not.toContain(c.token);

    expect(await call('POST', '/tokens', { name: '@local' })).toMatchObject({ statusCode: 400 });
    expect(json(await call('POST', '/tokens', { name: '  ' })).error).toMatch(/needs a name/);
    expect(json(await call('POST', '/tokens', { name: 'x'.repeat(101) })).issues[0].path).toBe('body.name');

    const byId = await call('DELETE', `/tokens/${c.row.id}`);
    expect(json(byId)).toMatchObject({ by: 'id', token: { id: c.row.id, name: 'ci' } });
    expect(json(byId).token.revokedAt).toEqual(expect.any(String));
    expect(await findApiToken(t.db, c.token)).toBeUndefined();
    expect(await call('DELETE', '/tokens/999999')).toMatchObject({ statusCode: 404 });
    expect(json(await call('DELETE', '/tokens/999999')).error).toBe('token 999999 does not exist');

    await call('POST', '/tokens', { name: "Anna's laptop" });
    await call('POST', '/tokens', { name: "Anna's laptop" });
    expect(json(await call('DELETE', `/tokens/named/${encodeURIComponent("Anna's laptop")}`))).toEqual({ by: 'name', name: "Anna's laptop", count: 2 });
    const gone = await call('DELETE', `/tokens/named/${encodeURIComponent("Anna's laptop")}`);
    expect(gone.statusCode).toBe(404);
    expect(json(gone).error).toBe(`no active token is named "Anna's laptop"`);
  });

  it('the typed client answers as the operations do here: dates as Dates, refusals as the same EditorError', async () => {
    const here = await local.tokens.list();
    const there = await remote.tokens.list();
    expect(there).toEqual(here);
    expect(there[0]!.createdAt).toBeInstanceOf(Date);
    const made = await remote.tokens.create({ name: 'script' });
    expect(made.row.createdAt).toBeInstanceOf(Date);
    expect(await remote.tokens.revoke({ name: 'script' })).toEqual({ by: 'name', name: 'script', count: 1 });
    const refusal = await remote.tokens.revoke({ id: 424242 }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(EditorError);
    expect(refusal).toMatchObject({ kind: 'not-found', exitCode: 1, message: 'token 424242 does not exist' });
    await expect(remote.tokens.create({ name: '@x' })).rejects.toMatchObject({ kind: 'invalid', exitCode: 2 });
  });

  it("previews a reader's digest: the same bytes here and through the API; no content, unknown reader and bad input answered", async () => {
    const file = `${signalLines({ title: ['Ownership at scale'] }).join('\n')}\n`;
    expect((await call('POST', '/summaries/import', { files: [{ name: `${WEEK}/rust.txt`, content: file }] })).statusCode).toBeLessThan(300);
    expect((await call('POST', '/subscribers', { email: 'ada@example.com', tags: ['Rust'], createTags: true })).statusCode).toBeLessThan(300);
    expect((await call('POST', '/subscribers', { email: 'bo@example.com', tags: ['Go'], createTags: true })).statusCode).toBeLessThan(300);

    const r = await call('GET', `/preview?week=${WEEK}&subscriber=Ada%40Example.com&format=text`);
    expect(r.statusCode, r.body).toBe(200);
    const p = json(r);
    expect(p).toMatchObject({ email: 'ada@example.com', week: WEEK, engine: 'mjml' });
    expect(p.body).toContain('Ownership at scale');
    expect(p.subject).toEqual(expect.any(String));

    for (const format of ['html', 'text'] as const) {
      for (const engine of ['react', 'mjml'] as const) {
        const input = { week: WEEK, subscriber: 'ada@example.com', engine, format };
        expect(await remote.preview.digest(input)).toEqual(await local.preview.digest(input));
      }
    }
    const eml = await remote.preview.digest({ week: WEEK, subscriber: 'ada@example.com', format: 'eml' });
    expect(eml.body).toMatch(/^[\s\S]*\r\nSubject: /);

    expect(json(await call('GET', `/preview?week=${WEEK}&subscriber=bo@example.com`))).toEqual({ email: 'bo@example.com', week: WEEK, issue: null, engine: 'mjml', frozen: false, subject: null, body: null, tags: ['go'] });
    const unknown = await call('GET', `/preview?week=${WEEK}&subscriber=nobody@example.com`);
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).error).toBe('there is no subscriber nobody@example.com');
    await expect(remote.preview.digest({ week: WEEK, subscriber: 'nobody@example.com', format: 'html' })).rejects.toMatchObject({ kind: 'not-found', exitCode: 1 });
    expect(json(await call('GET', `/preview?week=${WEEK}&subscriber=not-an-address`))).toMatchObject({ error: expect.stringContaining('not an email address') });
    expect(json(await call('GET', `/preview?week=last&subscriber=ada@example.com`)).issues[0].path).toBe('query.week');
    expect(json(await call('GET', `/preview?week=${WEEK}&subscriber=ada@example.com&format=pdf`)).issues[0].path).toBe('query.format');
  });

  it('previews as sent: with the publication as it is set; an issue as planned, its frozen sections after the reader changes tags', async () => {
    // The reader of the previous test: Rust, with one summary in WEEK.
    expect((await call('PUT', '/settings', { name: 'The Rustacean Weekly', postalAddress: '1 Ferris Way, Crabtown' })).statusCode).toBe(200);
    const week = await local.preview.digest({ week: WEEK, subscriber: 'ada@example.com', format: 'html' });
    expect(week.body).toContain('The Rustacean Weekly');
    expect(week.body).toContain('1 Ferris Way, Crabtown');

    const issue = await local.issues.create({ week: WEEK });
    const draft = await remote.preview.digest({ issue: issue.id, subscriber: 'ada@example.com', format: 'text' });
    expect(draft).toMatchObject({ issue: issue.id, week: WEEK, frozen: false });
    expect(draft.body).toContain('Ownership at scale');
    // Planned as the plan job plans it (the queues are not part of this server).
    expect(await transitionIssue(t.db, issue.id, ['draft'], 'scheduled')).toBeDefined();
    expect((await planIssue(t.db, issue.id, 10))?.plannedAt).toBeInstanceOf(Date);
    // After planning the reader follows Go instead; the planned issue still sends them Rust.
    const [ada] = await t.db.query<{ id: number }>(`select id from subscribers where email = 'ada@example.com'`);
    const moved = await call('PUT', `/subscribers/${ada!.id}`, { tags: ['Go'], timeZone: null });
    expect(moved.statusCode, moved.body).toBeLessThan(300);
    const frozen = await remote.preview.digest({ issue: issue.id, subscriber: 'ada@example.com', format: 'text' });
    expect(frozen).toMatchObject({ issue: issue.id, frozen: true });
    expect(frozen.body).toContain('Ownership at scale');
    expect(frozen).toEqual(await local.preview.digest({ issue: issue.id, subscriber: 'ada@example.com', format: 'text' }));
    // The week, by the reader's tags now, has nothing for them.
    expect(await local.preview.digest({ week: WEEK, subscriber: 'ada@example.com', format: 'text' })).toMatchObject({ body: null, tags: ['go'] });
    // bo follows Go, which had nothing that week: planned, but skipped. cy came after the plan: no delivery.
    expect(json(await call('GET', `/preview?issue=${issue.id}&subscriber=bo@example.com`))).toMatchObject({ issue: issue.id, frozen: true, body: null });
    expect((await call('POST', '/subscribers', { email: 'cy@example.com', tags: ['Rust'] })).statusCode).toBeLessThan(300);
    const late = await call('GET', `/preview?issue=${issue.id}&subscriber=cy@example.com`);
    expect(late.statusCode).toBe(404);
    expect(json(late).error).toBe('cy@example.com has no delivery in this issue: they were not an active subscriber when it was planned');

    for (const q of [`week=${WEEK}&issue=${issue.id}`, '']) {
      const r = await call('GET', `/preview?${q}&subscriber=ada@example.com`);
      expect(r.statusCode, q).toBe(400);
      expect(json(r).issues[0].message, q).toBe('give either week or issue, not both');
    }
    expect((await call('GET', `/preview?issue=999999&subscriber=ada@example.com`)).statusCode).toBe(404);
    expect(json(await call('GET', `/preview?issue=0x10&subscriber=ada@example.com`)).issues[0].path).toBe('query.issue');
  });
});
