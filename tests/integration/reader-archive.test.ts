// The public archive and the feeds over HTTP: only sent issues, newest first, paginated; an issue's
// summaries by tag; a tag across issues; Atom feeds that parse and hold what RFC 4287 requires, with
// ids that survive a restart; the private feed of exactly the reader's tags; ETag/Last-Modified and
// 304s; ARCHIVE=off turning off everything public but not what is personal.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { mailDomain } from '../../src/lib/mail.ts';
import { createToken, readerLinks } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { addSummaries, Browser, readerApp, sentIssue, subscriberByEmail, type ReaderApp } from '../support/reader.ts';
import { weekIssue } from '../support/issues.ts';

const BASE = 'https://news.example.test';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ATOM = 'application/atom+xml; charset=utf-8';

interface Entry {
  id: string;
  title: string;
  updated: string;
  link: string;
  content: string;
  categories: string[];
}

/**
 * Parses an Atom document and checks what RFC 4287 requires of it (§4.1.1, §4.1.2): one id, title and
 * updated on the feed and on every entry, an author, a self link, an alternate link per entry,
 * content typed as html, unique entry ids. Returns the parts a test compares.
 */
function atom(xml: string, selfUrl: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['entry', 'link', 'category', 'author'].includes(name) }).parse(xml);
  const feed = doc.feed;
  expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
  for (const one of ['id', 'title', 'updated']) expect(typeof feed[one], `feed ${one}`).toBe('string');
  expect(feed.id).toMatch(/^tag:news\.example\.test,\d{4}-\d{2}-\d{2}:/);
  expect(feed.updated).toMatch(RFC3339);
  expect(feed.author).toHaveLength(1);
  expect(typeof feed.author[0].name).toBe('string');
  const links = feed.link as { '@rel': string; '@href': string; '@type'?: string }[];
  expect(links.filter((l) => l['@rel'] === 'self').map((l) => l['@href'])).toEqual([selfUrl]);
  expect(links.filter((l) => l['@rel'] === 'alternate')).toHaveLength(1);
  const entries: Entry[] = ((feed.entry ?? []) as Record<string, any>[]).map((e) => {
    for (const one of ['id', 'title', 'updated']) expect(typeof e[one], `entry ${one}`).toBe('string');
    expect(e.updated).toMatch(RFC3339);
    expect(e.updated <= feed.updated).toBe(true);
    const alt = (e.link as { '@rel': string; '@href': string }[]).filter((l) => l['@rel'] === 'alternate');
    expect(alt).toHaveLength(1);
    expect(alt[0]!['@href']).toMatch(/^https:\/\/news\.example\.test\//);
    expect(e.content['@type']).toBe('html');
    return { id: e.id, title: e.title, updated: e.updated, link: alt[0]!['@href'], content: e.content['#text'] as string, categories: ((e.category ?? []) as { '@term': string }[]).map((c) => c['@term']) };
  });
  expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  return { id: feed.id as string, title: feed.title as string, updated: feed.updated as string, entries };
}

describe.sequential(`reader pages: archive and feeds on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  /** Sent issues, oldest first. */
  const sent: { id: number; week: string; finishedAt: Date }[] = [];
  let unsent: number;
  let reader: { id: number; feed: string; web: (issue: number) => string };

  beforeAll(async () => {
    t = await createTestDb();
    // Two weeks of content; 22 issues sent over them, so the archive has two pages.
    await addSummaries(t.db, '2026-W46', [
      { title: 'Vector search in Postgres', tags: ['Databases', 'AI'] },
      { title: 'Agents that plan', tags: ['AI'] },
      { title: 'Borrowing without tears', tags: ['Rust'] },
    ]);
    await addSummaries(t.db, '2026-W47', [
      { title: 'Evaluating agents', tags: ['AI'] },
      { title: 'Pattern matching in C#', tags: ['C#'] },
    ]);
    await upsertSubscribers(t.db, [{ email: 'feed@archive.example', name: null, timeZone: null, tags: ['AI', 'C#'], status: 'active', source: 'test' }]);
    // Imported before any issue went out (the archive's Last-Modified counts summary edits too).
    await t.db.query(`update summaries set imported_at = '2026-10-01T00:00:00Z', updated_at = '2026-10-01T00:00:00Z'`);
    const start = Date.parse('2026-11-01T09:00:00Z');
    for (let i = 0; i < 22; i++) {
      const week = i % 2 === 0 ? '2026-W46' : '2026-W47';
      const issue = await sentIssue(t.db, week, new Date(start + i * 3_600_000));
      sent.push({ id: issue.id, week, finishedAt: issue.finishedAt! });
    }
    // Content of a week no issue was sent for, and an issue that was never sent.
    await addSummaries(t.db, '2026-W48', [{ title: 'Not sent yet', tags: ['AI', 'Rust'] }]);
    unsent = (await weekIssue(t.db, { week: '2026-W48', engine: 'react', subject: null })).id;
    r = await readerApp(t.db);
    const id = (await subscriberByEmail(t.db, 'feed@archive.example'))!.id;
    reader = {
      id,
      feed: `/preferences/feed.xml?t=${createToken(r.config.secret, { purpose: 'feed', subscriberId: id })}`,
      web: (issue) => readerLinks({ secret: r.config.secret, publicUrl: BASE, mailDomain: mailDomain(r.config.mailFrom), subscriberId: id, issueId: issue }).web.slice(BASE.length),
    };
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  const get = (url: string, headers: Record<string, string> = {}, app: FastifyInstance = r.app) => app.inject({ method: 'GET', url, headers });
  // The issues' own headings (a correction's note links to the issue it corrects as well).
  const archiveIds = (html: string) => [...html.matchAll(/<h2[^>]*><a href="\/archive\/(\d+)">/g)].map((m) => Number(m[1]));

  it('lists only sent issues, newest first, 20 a page, with the feed linked; a page that is not one is 404', async () => {
    const first = await get('/archive');
    expect(first.statusCode).toBe(200);
    expect(first.body).toMatch(/<link rel="alternate" type="application\/atom\+xml" title="[^"]+" href="\/feed\.xml"\/>/);
    const newestFirst = [...sent].reverse().map((i) => i.id);
    expect(archiveIds(first.body)).toEqual(newestFirst.slice(0, 20));
    expect(first.body).toMatch(/href="\/archive\?page=2"/);
    expect(archiveIds(first.body)).not.toContain(unsent);
    expect(archiveIds((await get('/archive?page=1')).body)).toEqual(newestFirst.slice(0, 20));
    const second = await get('/archive?page=2');
    expect(second.statusCode).toBe(200);
    expect(archiveIds(second.body)).toEqual(newestFirst.slice(20));
    for (const page of ['0', '3', 'x', '-1', '1.5', '', '99999999']) {
      const res = await get(`/archive?page=${page}`);
      expect(res.statusCode, page).toBe(404);
      expect(res.body).toContain('There is no such page of the archive.');
    }
  });

  it('shows every summary of a sent issue by tag, and nothing of an issue not sent', async () => {
    const issue = sent[0]!; // week 46
    const page = await get(`/archive/${issue.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<link rel="alternate" type="application\/atom\+xml"[^>]* href="\/feed\.xml"\/>/);
    for (const title of ['Vector search in Postgres', 'Agents that plan', 'Borrowing without tears']) expect(page.body).toContain(title);
    expect(page.body).not.toContain('Evaluating agents');
    // Sections by tag, each an anchor; a summary under two tags appears once.
    expect([...page.body.matchAll(/<h2 id="tag-([^"]+)"/g)].map((m) => m[1])).toEqual(['ai', 'rust']);
    expect(page.body.split('<h3>Vector search in Postgres</h3>').length - 1).toBe(1);
    for (const url of [`/archive/${unsent}`, '/archive/999999', '/archive/abc', '/archive/0', '/archive/01']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
    }
  });

  it("shows a tag's summaries across sent issues, with its feed linked", async () => {
    const page = await get('/tags/ai');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<link rel="alternate" type="application\/atom\+xml"[^>]* href="\/tags\/ai\/feed\.xml"\/>/);
    for (const title of ['Vector search in Postgres', 'Agents that plan', 'Evaluating agents']) expect(page.body).toContain(title);
    expect(page.body).not.toContain('Borrowing without tears');
    expect(page.body).not.toContain('Not sent yet');
    // Newest issue first, ten issues a page.
    const ids = [...page.body.matchAll(/<h2 id="issue-(\d+)">/g)].map((m) => Number(m[1]));
    expect(ids).toEqual([...sent].reverse().slice(0, 10).map((i) => i.id));
    expect((await get('/tags/ai?page=3')).statusCode).toBe(200);
    for (const url of ['/tags/ai?page=4', '/tags/ai?page=x', '/tags/ai?page=0', '/tags/no-such-tag', '/tags/AI']) expect((await get(url)).statusCode, url).toBe(404);
    // A tag whose slug needs escaping in a URL.
    const sharp = await get('/tags/c%23');
    expect(sharp.statusCode).toBe(200);
    expect(sharp.body).toContain('Pattern matching in C#');
  });

  it('serves the archive feed as valid Atom: every sent issue, newest first, with its summaries', async () => {
    const res = await get('/feed.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(ATOM);
    const feed = atom(res.body, `${BASE}/feed.xml`);
    expect(feed.entries.map((e) => e.link)).toEqual([...sent].reverse().slice(0, 20).map((i) => `${BASE}/archive/${i.id}`));
    expect(feed.updated).toBe(sent.at(-1)!.finishedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const newest = feed.entries[0]!;
    expect(newest.updated).toBe(feed.updated);
    expect(newest.content).toContain('Evaluating agents');
    expect(newest.content).toContain('Pattern matching in C#');
    expect(newest.categories.sort()).toEqual(['AI', 'C#']);
  });

  it("serves each tag's feed: that tag's summaries, one entry each, with a self link that is its own address", async () => {
    const ai = atom((await get('/tags/ai/feed.xml')).body, `${BASE}/tags/ai/feed.xml`);
    expect(ai.title).toContain('AI');
    expect(new Set(ai.entries.map((e) => e.title))).toEqual(new Set(['Vector search in Postgres', 'Agents that plan', 'Evaluating agents']));
    for (const e of ai.entries) expect(e.link).toMatch(/^https:\/\/news\.example\.test\/archive\/\d+#tag-ai$/);
    const sharp = await get('/tags/c%23/feed.xml');
    expect(sharp.statusCode).toBe(200);
    const cs = atom(sharp.body, `${BASE}/tags/c%23/feed.xml`);
    expect(cs.entries.map((e) => e.title)).toContain('Pattern matching in C#');
    for (const e of cs.entries) expect(e.link).toMatch(/^https:\/\/news\.example\.test\/archive\/\d+#tag-c%23$/);
    expect((await get('/tags/no-such-tag/feed.xml')).statusCode).toBe(404);
  });

  it("serves the reader's private feed: exactly the sections of the tags they follow, linking only to the public archive", async () => {
    const res = await get(reader.feed);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
    // Personal: never kept by a shared cache.
    expect(res.headers['cache-control']).toMatch(/\bprivate\b/);
    expect(res.headers['cache-control']).not.toMatch(/\bpublic\b/);
    const feed = atom(res.body, `${BASE}${reader.feed}`);
    expect(feed.entries).toHaveLength(20);
    for (const [n, e] of feed.entries.entries()) {
      const issue = [...sent].reverse()[n]!;
      // Feed addresses end up in third-party feed readers: the feed opens the feed only, never a web version.
      expect(e.link).toBe(`${BASE}/archive/${issue.id}`);
      const headings = [...e.content.matchAll(/<h2 id="tag-([^"]+)"/g)].map((m) => m[1]);
      if (issue.week === '2026-W46') {
        expect(headings).toEqual(['ai']);
        expect(e.content).toContain('Vector search in Postgres');
        expect(e.content).not.toContain('Borrowing without tears');
      } else {
        expect(headings.sort()).toEqual(['ai', 'c#']);
      }
      expect(e.categories.every((c) => ['AI', 'C#'].includes(c))).toBe(true);
    }
    // No link of another purpose anywhere in it: the feed's own link (self) is its only signed one.
    expect(res.body.match(/\?t=[^"&]+/g)).toEqual([`?t=${reader.feed.split('?t=')[1]}`]);
    expect(res.body).toContain(`<link rel="alternate" type="text/html" href="${BASE}/archive"/>`);
    // Only its own token opens it.
    const prefs = createToken(r.config.secret, { purpose: 'preferences', subscriberId: reader.id });
    expect((await get(`/preferences/feed.xml?t=${prefs}`)).statusCode).toBe(400);
  });

  it('keeps the ids of feeds and entries across a restart of the server', async () => {
    const before = await Promise.all(['/feed.xml', '/tags/ai/feed.xml', reader.feed].map(async (u) => atom((await get(u)).body, `${BASE}${u}`)));
    await r.app.close();
    await t.release();
    await t.reopen();
    r = await readerApp(t.db);
    const after = await Promise.all(['/feed.xml', '/tags/ai/feed.xml', reader.feed].map(async (u) => atom((await get(u)).body, `${BASE}${u}`)));
    for (const [n, feed] of after.entries()) {
      expect(feed.id).toBe(before[n]!.id);
      expect(feed.entries.map((e) => e.id)).toEqual(before[n]!.entries.map((e) => e.id));
    }
    expect(new Set([...after.map((f) => f.id)]).size).toBe(3);
  });

  it('sends ETag and Last-Modified with archive pages and feeds, and answers 304 to a client that has them', async () => {
    for (const url of ['/archive', `/archive/${sent[0]!.id}`, '/tags/ai', '/feed.xml', '/tags/ai/feed.xml', reader.feed]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      const etag = res.headers.etag as string;
      const modified = res.headers['last-modified'] as string;
      expect(etag, url).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(new Date(modified).toUTCString(), url).toBe(modified);
      const byTag = await get(url, { 'if-none-match': etag });
      expect(byTag.statusCode, url).toBe(304);
      expect(byTag.body).toBe('');
      expect((await get(url, { 'if-none-match': `W/${etag}` })).statusCode, url).toBe(304);
      expect((await get(url, { 'if-modified-since': modified })).statusCode, url).toBe(304);
      const older = new Date(Date.parse(modified) - 1000).toUTCString();
      expect((await get(url, { 'if-modified-since': older })).statusCode, url).toBe(200);
      // A stale tag wins over a date (RFC 9110: If-None-Match takes precedence).
      expect((await get(url, { 'if-none-match': '"stale"', 'if-modified-since': modified })).statusCode, url).toBe(200);
    }
  });

  it('turns every public archive page and feed off with ARCHIVE=off, and keeps the private feed and web versions', async () => {
    const off = await readerApp(t.db, { env: { ARCHIVE: 'off' } });
    try {
      for (const url of ['/archive', '/archive?page=2', `/archive/${sent[0]!.id}`, '/tags/ai', '/tags/c%23', '/feed.xml', '/tags/ai/feed.xml']) {
        const res = await get(url, {}, off.app);
        expect(res.statusCode, url).toBe(404);
        expect(res.body).not.toContain('Agents that plan');
      }
      const home = await get('/', {}, off.app);
      expect(home.headers.location).toBe('/subscribe');
      expect((await new Browser(off.app).get('/subscribe')).body).not.toContain('href="/archive"');
      const feed = await get(reader.feed, {}, off.app);
      expect(feed.statusCode).toBe(200);
      const parsed = atom(feed.body, `${BASE}${reader.feed}`);
      expect(parsed.entries.length).toBeGreaterThan(0);
      for (const e of parsed.entries) expect(e.link).toBe(`${BASE}/`);
      expect(feed.body).not.toContain('/web/');
      expect(feed.body).not.toContain('/preferences?');
      const web = await get(reader.web(sent[0]!.id), {}, off.app);
      expect(web.statusCode).toBe(200);
      expect(web.body).toContain('Agents that plan');
    } finally {
      await off.app.close();
    }
  });
});
