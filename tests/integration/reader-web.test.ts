// GET /web/:issue and what every reader page shares: the web version is the reader's own digest of
// that issue, uncut (every "N more on the web" link of an email cut to the size budget lands on its
// section), never indexed, styled inline with no script; content is escaped on every page and feed;
// every page carries the CSP and every form its CSRF field. (Each signed link opening only what its
// purpose names, on every route: link-purposes.test.ts.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotice } from '../../src/db/notices.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { HTML_BUDGET } from '../../src/digest/budget.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { mailDomain } from '../../src/lib/mail.ts';
import { outboxFileName } from '../../src/send/outbox.ts';
import { createToken, readerLinks } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { visibleText } from '../support/html.ts';
import { createHarness, waitForStatus, type Harness } from '../support/pipeline.ts';
import { addSummaries, Browser, forms, readerApp, subscriberByEmail, tokenOf, type ReaderApp } from '../support/reader.ts';
import { weekIssue } from '../support/issues.ts';

const PAGE_POLICY = "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";
const EMAIL_POLICY = "default-src 'none';style-src 'self' 'unsafe-inline';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";
const BASE = 'https://news.example.test';
const WEEK = '2026-W44';
const TAGS = ['AI', 'Rust', 'Databases'];
const XSS_TITLE = '<script>alert(1)</script>';
const XSS_TAG = '<i>Evil</i>';

describe.sequential(`reader pages: web version and security on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let h: Harness;
  let issueId: number;
  const titles = new Map<string, string[]>();
  const who = new Map<string, number>();
  const web = (email: string, issue = issueId) =>
    readerLinks({ secret: r.config.secret, publicUrl: BASE, mailDomain: mailDomain(r.config.mailFrom), subscriberId: who.get(email)!, issueId: issue });

  beforeAll(async () => {
    t = await createTestDb();
    // Enough under the followed tags that the email has to be cut to stay under the budget.
    const long = (n: number) => `${'Signal sentence with enough words to weigh something in an email. '.repeat(20)}(${n})`;
    for (const tag of TAGS) {
      const list = Array.from({ length: 12 }, (_, i) => `${tag} summary number ${i + 1}`);
      titles.set(tag, list);
      await addSummaries(
        t.db,
        WEEK,
        list.map((title, i) => ({ title, tags: [tag], signal: long(i), case: Array.from({ length: 6 }, (_, k) => `Point ${k} ${'with detail '.repeat(15)}`), take: long(i) })),
      );
    }
    await addSummaries(t.db, WEEK, [{ title: XSS_TITLE, tags: ['AI', XSS_TAG], signal: '<img src=x onerror=alert(2)>', case: ['<b>bold</b> & "quoted"'], take: "it's <em>fine</em>" }]);
    titles.get('AI')!.push(XSS_TITLE);
    await upsertSubscribers(t.db, [
      { email: 'big@web.example', name: null, timeZone: null, tags: TAGS, status: 'active', source: 'test' },
      { email: 'small@web.example', name: null, timeZone: null, tags: ['Rust'], status: 'active', source: 'test' },
      { email: 'evil@web.example', name: '<b>Mallory</b>', timeZone: null, tags: [XSS_TAG], status: 'active', source: 'test' },
    ]);
    for (const email of ['big@web.example', 'small@web.example', 'evil@web.example']) who.set(email, (await subscriberByEmail(t.db, email))!.id);
    // The issue goes out through the real queue to the outbox, as `tagcast issue send` sends it.
    h = await createHarness(t.db);
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    issueId = issue.id;
    await sendIssueNow(t.db, h.queues, issue.id);
    h.start();
    await waitForStatus(t.db, issue.id);
    r = await readerApp(t.db);
  });
  afterAll(async () => {
    await r?.app.close();
    await h?.close();
    await t?.drop();
  });

  const get = (url: string, headers: Record<string, string> = {}) => r.app.inject({ method: 'GET', url, headers });
  const local = (url: string) => url.slice(BASE.length);

  describe('GET /web/:issue', () => {
    it("holds the reader's whole digest: every section an email cut links to, and every summary", async () => {
      const email = readFileSync(path.join(h.outboxDir, String(issueId), `${outboxFileName('big@web.example')}.html`), 'utf8');
      expect(Buffer.byteLength(email)).toBeLessThanOrEqual(HTML_BUDGET);
      const more = [...email.matchAll(/<a\b[^>]*href="(https:\/\/news\.example\.test\/web\/\d+\?t=[^"#]+)#(tag-[^"]+)"[^>]*>([^<]*)</g)];
      expect(more.length).toBeGreaterThan(0); // the email was cut
      for (const m of more) expect(visibleText(m[3]!)).toMatch(/^\d+ more on the web/);
      const shownInEmail = [...TAGS.flatMap((tag) => titles.get(tag)!)].filter((title) => visibleText(email).includes(title));
      expect(shownInEmail.length).toBeLessThan(37);

      const links = new Set(more.map((m) => m[1]));
      expect(links).toEqual(new Set([web('big@web.example').web]));
      const page = await get(local(web('big@web.example').web));
      expect(page.statusCode).toBe(200);
      expect(Buffer.byteLength(page.body)).toBeGreaterThan(HTML_BUDGET);
      for (const m of more) expect(page.body, m[2]).toContain(`id="${m[2]}"`);
      const text = visibleText(page.body);
      for (const tag of TAGS) for (const title of titles.get(tag)!) expect(text, title).toContain(title);
      expect(text).not.toMatch(/more on the web/);
    });

    it('is marked noindex in a header and in the page, and allows inline styles but no script', async () => {
      const page = await get(local(web('big@web.example').web));
      expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
      expect(page.body).toMatch(/<head[^>]*><meta name="robots" content="noindex, nofollow">/);
      expect(page.headers['content-security-policy']).toBe(EMAIL_POLICY);
      expect(page.headers['content-security-policy']).not.toMatch(/script-src/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
    });

    it('carries no link to the subscription: its address is shared, so preferences and unsubscribe lead to a page that points to the email', async () => {
      const links = web('big@web.example');
      const page = await get(local(links.web));
      expect(page.statusCode).toBe(200);
      // The email itself has them (it went to the reader's inbox)…
      const email = readFileSync(path.join(h.outboxDir, String(issueId), `${outboxFileName('big@web.example')}.html`), 'utf8');
      expect(email).toContain(tokenOf(links.preferences));
      expect(email).toContain(tokenOf(links.unsubscribe));
      // …its web copy does not: only the web version's own link is signed.
      expect(page.body).not.toContain(tokenOf(links.preferences));
      expect(page.body).not.toContain(tokenOf(links.unsubscribe));
      expect(page.body).not.toContain('big@web.example');
      expect(new Set([...page.body.matchAll(/\?t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]))).toEqual(new Set([tokenOf(links.web)]));
      expect(page.body).toContain(`href="${BASE}/manage"`);
      const manage = await get('/manage');
      expect(manage.statusCode).toBe(200);
      expect(visibleText(manage.body)).toContain('use the links at the foot of the digest email');
    });

    it("opens only the reader's own digest of that one issue", async () => {
      const small = await get(local(web('small@web.example').web));
      expect(small.statusCode).toBe(200);
      const text = visibleText(small.body);
      for (const title of titles.get('Rust')!) expect(text).toContain(title);
      for (const title of [...titles.get('AI')!, ...titles.get('Databases')!]) expect(text).not.toContain(title);
      // The token names issue and reader: another issue in the path, or a token for another issue, opens nothing.
      const token = tokenOf(web('big@web.example').web);
      for (const other of [issueId + 1, 999, 0]) {
        const res = await get(`/web/${other}?t=${token}`);
        expect(res.statusCode, String(other)).toBe(400);
        expect(res.body).toContain('This link is not valid');
      }
      expect((await get(`/web/abc?t=${token}`)).statusCode).toBe(400);
      const elsewhere = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
      const forOther = await get(local(web('big@web.example', elsewhere.id).web));
      expect(forOther.statusCode).toBe(404); // a genuine link, but no digest of that issue for this reader
      expect(forOther.body).not.toContain('summary number');
    });
  });

  describe('every page', () => {
    let pages: { url: string; status: number; body: string; csp: unknown }[];
    beforeAll(async () => {
      const big = who.get('big@web.example')!;
      const delNotice = (await createNotice(t.db, big, 'delete'))!;
      const expires = Math.floor(Date.now() / 1000) + 3600;
      const evil = web('evil@web.example');
      const urls = [
        '/subscribe',
        '/subscribe?tags=%3Cscript%3E',
        local(evil.preferences),
        `/preferences?t=${tokenOf(evil.preferences)}&done=%3Cscript%3E`,
        local(evil.unsubscribe),
        local(evil.web),
        local(web('big@web.example').web),
        `/preferences/delete?t=${createToken(r.config.secret, { purpose: 'delete', subscriberId: big, ref: delNotice, expires })}`,
        '/archive',
        `/archive/${issueId}`,
        '/tags/ai',
        '/tags/i-evil-i',
        '/confirm?t=nonsense',
        `/confirm?t=${createToken(r.config.secret, { purpose: 'confirm', subscriberId: big, ref: 1, expires: 1 })}`,
        '/no-such-page',
        '/archive/99999',
        '/unsubscribe?t=%3Cscript%3Ealert(1)%3C/script%3E',
      ];
      pages = [];
      for (const url of urls) {
        const res = await new Browser(r.app).get(url);
        pages.push({ url, status: res.statusCode, body: res.body, csp: res.headers['content-security-policy'] });
      }
    });

    it('escapes content: a summary, tag or name holding markup shows as text on every page', async () => {
      for (const p of pages.filter((x) => x.status === 200)) {
        expect(p.body, p.url).not.toContain('<script>alert');
        expect(p.body, p.url).not.toContain('<img src=x');
        expect(p.body, p.url).not.toContain('<i>Evil</i>');
        expect(p.body, p.url).not.toContain('<b>Mallory</b>');
      }
      const shows = (url: string, text: string) => expect(visibleText(pages.find((p) => p.url === url)!.body), url).toContain(text);
      shows(`/archive/${issueId}`, XSS_TITLE);
      shows(`/archive/${issueId}`, '<img src=x onerror=alert(2)>');
      shows('/tags/ai', XSS_TITLE);
      shows('/tags/i-evil-i', XSS_TAG);
      shows('/subscribe', XSS_TAG);
      shows(local(web('evil@web.example').preferences), XSS_TAG);
      shows(local(web('evil@web.example').web), XSS_TITLE);
      shows(local(web('big@web.example').web), XSS_TITLE);
      // In the feeds, the HTML carried in <content type="html"> holds the markup as text too.
      const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (n) => n === 'entry' });
      const evilFeed = `/preferences/feed.xml?t=${createToken(r.config.secret, { purpose: 'feed', subscriberId: who.get('evil@web.example')! })}`;
      for (const url of ['/feed.xml', '/tags/ai/feed.xml', '/tags/i-evil-i/feed.xml', evilFeed]) {
        const xml = (await get(url)).body;
        const entries = parser.parse(xml).feed.entry as { title: string; content: { '#text': string } }[];
        const html = entries.map((e) => e.content['#text']).join('');
        expect(html, url).not.toContain('<script>');
        expect(html, url).not.toContain('<img');
        expect(html + entries.map((e) => e.title).join(''), url).toMatch(/&lt;script&gt;|<script>alert\(1\)<\/script>/);
      }
    });

    it('carries the Content-Security-Policy on every page, errors included', async () => {
      for (const p of pages) {
        const emailPage = p.url.startsWith('/web/') && p.status === 200;
        expect(p.csp, p.url).toBe(emailPage ? EMAIL_POLICY : PAGE_POLICY);
      }
      expect(pages.filter((p) => p.status >= 400).map((p) => p.status)).toEqual(expect.arrayContaining([400, 404, 410]));
    });

    it('puts the CSRF field in every form that changes something (the one-click form alone has none)', async () => {
      let seen = 0;
      for (const p of pages) {
        for (const f of forms(p.body)) {
          seen++;
          expect(f.method, p.url).toBe('post');
          // The one-click form: its field and the optional reason, never a CSRF field.
          if (f.action.startsWith('/unsubscribe?')) expect([...new Set(f.fields)], p.url).toEqual(['List-Unsubscribe', 'reason']);
          else expect(f.csrf, `${p.url} → ${f.action}`).toBe(true);
        }
      }
      expect(seen).toBeGreaterThanOrEqual(8);
      // The answer to the one-click POST offers undo and a preferences link by email, each with its CSRF field.
      const done = await new Browser(r.app).post(local(web('small@web.example').unsubscribe), { 'List-Unsubscribe': 'One-Click' });
      expect(forms(done.body)).toEqual([
        expect.objectContaining({ action: expect.stringMatching(/^\/unsubscribe\/undo\?t=/), csrf: true }),
        expect.objectContaining({ action: expect.stringMatching(/^\/unsubscribe\/preferences-link\?t=/), csrf: true }),
      ]);
      await t.db.query(`update subscribers set status = 'active' where email = 'small@web.example'`);
    });
  });
  // Which route each link purpose opens, on every route the app has: tests/integration/link-purposes.test.ts.
});
