// The public pages' cache (src/web/page-cache.ts) across two servers on one database, as two `serve`
// processes share it: a page the second server keeps is answered again, rendered anew, the moment any
// change it shows is made through the first (an issue sent, a summary edited or hidden, the
// publication's settings), and never for a change it does not show (a reader erased, an unsubscribe):
// a reader's own pages, never cached, change at once too. Conditional GETs are answered 304 without
// rendering; public pages may be held by a CDN, private ones never. The one-click POST counts each
// reader once on the issue, whichever server answers it.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { openDb, type Db } from '../../src/db/connection.ts';
import { issueUnsubscribes } from '../../src/db/readers.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { mailDomain } from '../../src/lib/mail.ts';
import { createToken, readerLinks } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { addSummaries, readerApp, sentIssue, subscriberByEmail, type ReaderApp } from '../support/reader.ts';

const BASE = 'https://news.example.test';
const PUBLIC = ['/archive', '/tags/ai', '/feed.xml', '/tags/ai/feed.xml'];

describe.sequential(`public pages' cache across two servers on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  /** The second server's own connection to the database (on PostgreSQL; PGlite has one owner). */
  let dbB: Db;
  let a: ReaderApp;
  let b: ReaderApp;
  let token: string;
  let first: number;
  let reader: { id: number; feed: string; web: string; unsubscribe: string };

  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, '2026-W46', [
      { title: 'Vector search in Postgres', tags: ['Databases', 'AI'] },
      { title: 'Agents that plan', tags: ['AI'] },
    ]);
    await addSummaries(t.db, '2026-W47', [{ title: 'Evaluating agents', tags: ['AI'] }]);
    await upsertSubscribers(t.db, [
      { email: 'stays@cache.example', name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' },
      { email: 'erased@cache.example', name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' },
    ]);
    first = (await sentIssue(t.db, '2026-W46')).id;
    dbB = t.kind === 'postgres' ? await openDb({ databaseUrl: t.env.DATABASE_URL! }) : t.db;
    a = await readerApp(t.db);
    b = await readerApp(dbB);
    token = (await createApiToken(t.db, 'tests')).token;
    const id = (await subscriberByEmail(t.db, 'erased@cache.example'))!.id;
    const links = readerLinks({ secret: a.config.secret, publicUrl: BASE, mailDomain: mailDomain(a.config.mailFrom), subscriberId: id, issueId: first });
    reader = { id, feed: `/preferences/feed.xml?t=${createToken(a.config.secret, { purpose: 'feed', subscriberId: id })}`, web: links.web.slice(BASE.length), unsubscribe: links.unsubscribe.slice(BASE.length) };
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    if (dbB && dbB !== t.db) await dbB.close();
    await t?.drop();
  });

  const get = (app: FastifyInstance, url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const api = (method: string, url: string, body?: object) =>
    a.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
  const renders = (app: FastifyInstance) => app.pageCache.stats.renders;
  /** Every public page on server B, kept: asked twice, rendered at most once. */
  async function warm(): Promise<Record<string, string>> {
    const bodies: Record<string, string> = {};
    for (const url of [...PUBLIC, `/archive/${first}`]) {
      expect((await get(b.app, url)).statusCode, url).toBe(200);
      const before = renders(b.app);
      const again = await get(b.app, url);
      expect(renders(b.app), `${url} answered from memory`).toBe(before);
      bodies[url] = again.body;
    }
    return bodies;
  }
  async function summaryId(title: string): Promise<number> {
    const [row] = await t.db.query<{ id: number }>(`select id from summaries where title = $1`, [title]);
    return row!.id;
  }

  it('answers a conditional GET with 304 from the kept ETag or Last-Modified, without rendering', async () => {
    for (const url of [...PUBLIC, `/archive/${first}`]) {
      const page = await get(a.app, url);
      expect(page.statusCode, url).toBe(200);
      const etag = String(page.headers.etag);
      const lastModified = String(page.headers['last-modified']);
      const before = { ...a.app.pageCache.stats };
      const byTag = await get(a.app, url, { 'if-none-match': etag });
      expect(byTag.statusCode, url).toBe(304);
      expect(byTag.body).toBe('');
      expect(byTag.headers.etag).toBe(etag);
      const byDate = await get(a.app, url, { 'if-modified-since': lastModified });
      expect(byDate.statusCode, url).toBe(304);
      expect(a.app.pageCache.stats.renders, `${url} rendered for a 304`).toBe(before.renders);
      expect(a.app.pageCache.stats.notModified - before.notModified).toBe(2);
      // Another body's tag, or a date before the change: the page itself.
      expect((await get(a.app, url, { 'if-none-match': '"something-else"' })).statusCode).toBe(200);
      expect((await get(a.app, url, { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' })).statusCode).toBe(200);
    }
  });

  it('sends a client that accepts gzip the page compressed once per generation, with its own ETag and Vary', async () => {
    for (const url of [...PUBLIC, `/archive/${first}`]) {
      const plain = await get(a.app, url);
      const before = renders(a.app);
      const zipped = await get(a.app, url, { 'accept-encoding': 'gzip, br;q=0.8' });
      expect(renders(a.app), `${url} rendered again for gzip`).toBe(before);
      expect(zipped.headers['content-encoding'], url).toBe('gzip');
      expect(zipped.headers.vary, url).toBe('Accept-Encoding');
      expect(plain.headers.vary, url).toBe('Accept-Encoding');
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      expect(gunzipSync(zipped.rawPayload).toString(), url).toBe(plain.body);
      expect(zipped.rawPayload.length, url).toBeLessThan(plain.rawPayload.length);
      expect(zipped.headers.etag, url).not.toBe(plain.headers.etag);
      expect((await get(a.app, url, { 'accept-encoding': 'gzip', 'if-none-match': String(zipped.headers.etag) })).statusCode, url).toBe(304);
      // The other representation's tag names another body: the page itself.
      expect((await get(a.app, url, { 'accept-encoding': 'gzip', 'if-none-match': String(plain.headers.etag) })).statusCode, url).toBe(200);
      // Refused, or not named: as it is.
      for (const ae of ['gzip;q=0', 'identity', 'deflate', 'gzip;q=0, br;q=0, *']) {
        const res = await get(a.app, url, { 'accept-encoding': ae });
        expect(res.headers['content-encoding'], `${url} ${ae}`).toBeUndefined();
        expect(res.body, `${url} ${ae}`).toBe(plain.body);
      }
    }
  });

  it('sends a client that accepts Brotli the page in Brotli once the thread pool has compressed it, smaller than gzip', async () => {
    for (const url of [...PUBLIC, `/archive/${first}`]) {
      const plain = await get(a.app, url);
      const gzipped = await get(a.app, url, { 'accept-encoding': 'gzip' });
      await a.app.pageCache.idle();
      const before = renders(a.app);
      const br = await get(a.app, url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(renders(a.app), `${url} rendered again for Brotli`).toBe(before);
      expect(br.headers['content-encoding'], url).toBe('br');
      expect(br.headers.vary, url).toBe('Accept-Encoding');
      expect(brotliDecompressSync(br.rawPayload).toString(), url).toBe(plain.body);
      expect(br.rawPayload.length, url).toBeLessThan(gzipped.rawPayload.length);
      expect(new Set([br.headers.etag, gzipped.headers.etag, plain.headers.etag]).size, url).toBe(3);
      expect((await get(a.app, url, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) })).statusCode, url).toBe(304);
      // The weights decide; a tie, or a coding named only by `*`, goes to Brotli.
      const coding = async (ae: string) => (await get(a.app, url, { 'accept-encoding': ae })).headers['content-encoding'];
      expect(await coding('br;q=0.5, gzip'), url).toBe('gzip');
      expect(await coding('br;q=0, gzip'), url).toBe('gzip');
      expect(await coding('gzip;q=0, *'), url).toBe('br');
      expect(await coding('*'), url).toBe('br');
      expect(await coding('br'), url).toBe('br');
    }
  });

  it('lets a CDN hold the public pages and no cache hold a private one', async () => {
    for (const url of [...PUBLIC, `/archive/${first}`]) {
      const res = await get(a.app, url);
      expect(res.headers['cache-control'], url).toBe('public, max-age=60, stale-while-revalidate=60');
      const notModified = await get(a.app, url, { 'if-none-match': String(res.headers.etag) });
      expect(notModified.headers['cache-control'], url).toBe('public, max-age=60, stale-while-revalidate=60');
    }
    const prefs = `/preferences?t=${createToken(a.config.secret, { purpose: 'preferences', subscriberId: reader.id })}`;
    for (const url of [reader.feed, reader.web, prefs, reader.unsubscribe, '/subscribe', '/admin/login', '/archive/999999', '/tags/no-such-tag']) {
      const res = await get(a.app, url);
      expect(res.headers['cache-control'], url).toMatch(/\bno-store\b/);
      expect(res.headers['cache-control'], url).not.toMatch(/\bpublic\b/);
    }
  });

  it('shows an issue sent (by a worker finishing it) on the other server at once', async () => {
    const before = await warm();
    const issue = await sentIssue(t.db, '2026-W47');
    const archive = (await get(b.app, '/archive')).body;
    expect(archive).toContain(`href="/archive/${issue.id}"`);
    expect(before['/archive']).not.toContain(`href="/archive/${issue.id}"`);
    expect((await get(b.app, '/feed.xml')).body).toContain(`issue/${issue.id}`);
    expect((await get(b.app, '/tags/ai')).body).toContain('Evaluating agents');
    expect(before['/tags/ai']).not.toContain('Evaluating agents');
    expect((await get(b.app, '/tags/ai/feed.xml')).body).toContain('Evaluating agents');
  });

  it('shows a summary edited through the other server at once', async () => {
    const before = await warm();
    const res = await api('PUT', `/summaries/${await summaryId('Agents that plan')}`, { title: 'Agents that plan ahead' });
    expect(res.statusCode, res.body).toBe(200);
    for (const url of [`/archive/${first}`, '/tags/ai', '/tags/ai/feed.xml', '/feed.xml']) {
      expect(before[url], url).not.toContain('Agents that plan ahead');
      expect((await get(b.app, url)).body, url).toContain('Agents that plan ahead');
    }
  });

  it('leaves a summary hidden through the other server out at once', async () => {
    const before = await warm();
    const res = await api('POST', `/summaries/${await summaryId('Vector search in Postgres')}/hide`);
    expect(res.statusCode, res.body).toBe(200);
    for (const url of [`/archive/${first}`, '/tags/ai', '/tags/ai/feed.xml', '/feed.xml']) {
      expect(before[url], url).toContain('Vector search in Postgres');
      expect((await get(b.app, url)).body, url).not.toContain('Vector search in Postgres');
    }
  });

  it("shows the publication's settings changed through the other server at once", async () => {
    const before = await warm();
    const res = await api('PUT', '/settings', { name: 'The Weekly Cache' });
    expect(res.statusCode, res.body).toBe(200);
    for (const url of [...PUBLIC, `/archive/${first}`]) {
      expect(before[url], url).not.toContain('The Weekly Cache');
      expect((await get(b.app, url)).body, url).toContain('The Weekly Cache');
    }
    // The feeds are the publication's: their titles, entries and author carry its name.
    const feed = (await get(b.app, '/feed.xml')).body;
    expect(feed).toContain('<title>The Weekly Cache: every issue</title>');
    expect(feed).toMatch(/<entry>[\s\S]*<title>The Weekly Cache · Week 46/);
    expect(feed).toContain('<author><name>The Weekly Cache</name></author>');
    expect((await get(b.app, '/tags/ai/feed.xml')).body).toContain('<title>The Weekly Cache: AI</title>');
    expect(feed).toContain('<generator>tagcast</generator>'); // the software, not the publication
  });

  it("closes an erased reader's own pages on the other server at once, and renders no public page again for it", async () => {
    const feed = await get(b.app, reader.feed);
    expect(feed.statusCode).toBe(200);
    expect((await get(b.app, reader.web)).statusCode).toBe(200);
    await warm();
    const rendered = renders(b.app);
    const res = await api('DELETE', `/subscribers/${reader.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect((await get(b.app, reader.feed)).statusCode).toBe(404);
    expect((await get(b.app, reader.web)).statusCode).toBe(404);
    // Nothing public shows a reader: every public page is still the kept one.
    for (const url of [...PUBLIC, `/archive/${first}`]) expect((await get(b.app, url)).statusCode).toBe(200);
    expect(renders(b.app)).toBe(rendered);
  });

  it("counts a reader's one-click unsubscribe once on the issue, whichever server and however often it is posted, and renders no public page again (nor do the issue's counters)", async () => {
    await warm();
    const rendered = renders(b.app);
    const stays = (await subscriberByEmail(t.db, 'stays@cache.example'))!.id;
    const link = readerLinks({ secret: a.config.secret, publicUrl: BASE, mailDomain: mailDomain(a.config.mailFrom), subscriberId: stays, issueId: first }).unsubscribe.slice(BASE.length);
    const before = await issueUnsubscribes(t.db, first);
    const post = (app: FastifyInstance) =>
      app.inject({ method: 'POST', url: link, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    const answers = await Promise.all([post(a.app), post(b.app), post(a.app), post(b.app)]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(await issueUnsubscribes(t.db, first)).toBe(before + 1);
    expect((await post(b.app)).statusCode).toBe(200);
    expect(await issueUnsubscribes(t.db, first)).toBe(before + 1);
    // What the editor sees: the issue's count in its ledger (the API's and the admin page's).
    const shown = await api('GET', `/issues/${first}`);
    expect(shown.json().ledger.unsubscribed).toBe(before + 1);
    // Nor do the counters a sent issue keeps as the provider reports (delivered, opened …).
    await t.db.query(`update issues set delivered = delivered + 1, opened = opened + 1 where id = $1`, [first]);
    for (const url of [...PUBLIC, `/archive/${first}`]) await get(b.app, url);
    expect(renders(b.app)).toBe(rendered);
  });
});
