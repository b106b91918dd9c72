// GET /web/:issue and what every reader page shares: the web version is the reader's own digest of
// that issue as a page of the site (its header and footer, the publication's look, the page CSP), uncut
// (every "N more on the web" link of an email cut to the size budget lands on its section), with the
// email's anchors and the reader's own links, never indexed; content is escaped on every page and feed;
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
import { writeSettings } from '../../src/db/settings.ts';
import { loadSettings } from '../../src/publication.ts';
import { webPageStats } from '../../src/web/reader/web-page.tsx';
import { createToken, readerLinks, verifyToken, type Purpose } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { visibleText } from '../support/html.ts';
import { createHarness, waitForStatus, type Harness } from '../support/pipeline.ts';
import { addSummaries, Browser, forms, readerApp, subscriberByEmail, tokenOf, type ReaderApp } from '../support/reader.ts';
import { weekIssue } from '../support/issues.ts';

const PAGE_POLICY = "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'";
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
  const emailOf = (address: string) => readFileSync(path.join(h.outboxDir, String(issueId), `${outboxFileName(address)}.html`), 'utf8');
  /** The ids a page or email gives its sections and summaries (the anchors its links land on). */
  const anchors = (html: string) => new Set([...html.matchAll(/\bid="((?:tag|s)-[^"]+)"/g)].map((m) => m[1]!));
  /** Each signed link in a page: its path and query, and the purpose its token was signed for. */
  const signed = (html: string) =>
    [...html.matchAll(/href="([^"]*\?t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)[^"]*)"/g)].map((m) => ({
      href: m[1]!.replace(/&amp;/g, '&'),
      token: m[2]!,
      purpose: Buffer.from(m[2]!.split('.')[0]!, 'base64url').toString('latin1').split('.')[0] as Purpose,
    }));

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

    it('is marked noindex in a header and in the page, under the strict page CSP: no inline style or script at all', async () => {
      const page = await get(local(web('big@web.example').web));
      expect(page.statusCode).toBe(200);
      expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
      expect(page.body).toContain('<meta name="robots" content="noindex, nofollow"/>');
      expect(page.headers['content-security-policy']).toBe(PAGE_POLICY);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      // What the policy would refuse is not there to refuse: no style attribute, no <style>, no <script>.
      expect(page.body).not.toMatch(/\sstyle=|<style|<script/i);
      // Its styles are the site's own files.
      const sheets = [...page.body.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
      expect(sheets).toEqual([expect.stringMatching(/^\/assets\/site\.css\?v=/), '/assets/accent/0b6bcb.css']);
      for (const sheet of sheets) {
        const css = await get(sheet);
        expect(css.statusCode, sheet).toBe(200);
        expect(css.headers['content-type'], sheet).toMatch(/^text\/css/);
      }
      expect((await get('/assets/accent/0b6bcb.css')).body).toContain('--pub-accent:#0b6bcb');
      for (const bad of ['/assets/accent/0b6bcg.css', '/assets/accent/0b6bcb', '/assets/accent/%3Cx%3E.css']) expect((await get(bad)).statusCode, bad).toBe(404);
    });

    it("is a page of the site: the site's header and footer around the digest, with the publication's name, tagline, logo, accent, footer and address", async () => {
      const before = await get(local(web('small@web.example').web));
      const site = (html: string) => ({
        header: /<header class="site-header"><a class="brand" href="\/archive">([^<]*)<\/a><nav aria-label="Site">/.exec(html)?.[1],
        footer: /<footer class="site-footer"><p>([^<]*)<\/p><\/footer><\/body><\/html>$/.exec(html)?.[1],
        main: /<main id="main" tabindex="-1"><div class="digest">[\s\S]*<\/div><\/main>/.test(html),
      });
      // The name the settings give before an editor set one (MAIL_FROM's display name).
      const name = (await loadSettings(t.db, r.config)).name;
      expect(site(before.body)).toEqual({ header: name, footer: 'Weekly tag digests.', main: true });
      expect(before.body).toContain('<a class="skip" href="#main">');
      const archive = await get(local(web('small@web.example').preferences));
      expect(/<header class="site-header">[\s\S]*?<\/header>/.exec(before.body)![0]).toBe(/<header class="site-header">[\s\S]*?<\/header>/.exec(archive.body)![0]);
      const text = visibleText(before.body);
      expect(text).toContain('Week 44 · ');
      expect(text).toContain(`You get this digest because you follow Rust on ${name}.`);

      await writeSettings(
        t.db,
        { name: 'Signal & Noise', tagline: 'What <mattered> this week', logoUrl: 'https://cdn.example.test/brand/logo.png', accent: '#2e7d32', footer: 'You subscribed on signal.example.', postalAddress: '1 Main St\nSpringfield' },
        'test',
      );
      try {
        // The next view shows the change: the settings are read with the delivery, part of the page's cache key.
        const after = await get(local(web('small@web.example').web));
        expect(site(after.body)).toEqual({ header: 'Signal &amp; Noise', footer: 'What &lt;mattered&gt; this week', main: true });
        expect(after.body).toContain('<title>Week 44 · ');
        expect(after.body).toContain('<img class="logo" src="https://cdn.example.test/brand/logo.png" alt="Signal &amp; Noise" height="40"/>');
        expect(after.body).toContain('<link rel="stylesheet" href="/assets/accent/2e7d32.css"/>');
        const shown = visibleText(after.body);
        expect(shown).toContain('You subscribed on signal.example.');
        expect(after.body).toContain('<span class="line">1 Main St</span><span class="line">Springfield</span>');
        // The logo is the one image from elsewhere the page may load: that address only.
        expect(after.headers['content-security-policy']).toBe(PAGE_POLICY.replace("img-src 'self' data:", "img-src 'self' data: https://cdn.example.test/brand/logo.png"));
      } finally {
        await writeSettings(t.db, { name: null, tagline: null, logoUrl: null, accent: null, footer: null, postalAddress: null }, 'test');
      }
      expect(site((await get(local(web('small@web.example').web))).body).header).toBe(name);
    });

    it("carries no link of another purpose: its subscription links lead to /manage, which points back to the email", async () => {
      const links = web('big@web.example');
      const page = await get(local(links.web));
      expect(page.statusCode).toBe(200);
      // Its address gets shared: no signed link of any purpose, not even its own (the contents are in-page anchors).
      expect(signed(page.body)).toEqual([]);
      for (const tag of ['AI', 'Rust', 'Databases']) expect(visibleText(page.body)).toContain(`You get this because you follow ${tag} · Stop ${tag}`);
      expect(visibleText(page.body)).toContain('Only the links in your email change your subscription');
      // "Stop <tag>" per section, and choose your tags, brief or full, unsubscribe: each to /manage.
      const manage = [...page.body.matchAll(/<a href="([^"]*\/manage)">/g)].map((m) => m[1]!);
      expect(manage).toHaveLength(TAGS.length + 3);
      expect(new Set(manage)).toEqual(new Set([`${r.config.publicUrl}/manage`]));
      expect(page.body).not.toContain('big@web.example');
      const answer = await get('/manage');
      expect(answer.statusCode).toBe(200);
      expect(visibleText(answer.body)).toContain('use the links at the foot of the digest email');
      // Opening them changed nothing (scanners, and readers who only look).
      const [state] = await t.db.query<{ status: string; tags: number }>(
        `select status, (select count(*)::int from subscriptions where subscriber_id = s.id) as tags from subscribers s where email = 'big@web.example'`,
      );
      expect(state).toEqual({ status: 'active', tags: TAGS.length });
    });

    it("has the email's anchors: every section and summary of the email, and every link of the email into the web version, lands on its place", async () => {
      for (const address of ['small@web.example', 'big@web.example']) {
        const email = emailOf(address);
        const page = await get(local(web(address).web));
        const onPage = anchors(page.body);
        const inEmail = anchors(email);
        expect(inEmail.size, address).toBeGreaterThan(0);
        for (const id of inEmail) expect(onPage, `${address}: #${id}`).toContain(id);
        // Every link from the email to the web version with a fragment ("N more on the web", titles without a source, "read on the web").
        const fragments = [...email.matchAll(/href="https:\/\/news\.example\.test\/web\/\d+\?t=[^"#]+#([^"]+)"/g)].map((m) => m[1]!);
        for (const f of fragments) expect(onPage, `${address}: link to #${f}`).toContain(f);
        // The page's own contents link to its sections and summaries.
        const inPage = [...page.body.matchAll(/href="#((?:tag|s)-[^"]+)"/g)].map((m) => m[1]!);
        expect(new Set(inPage), address).toEqual(onPage);
        // Ids are unique on the page.
        expect([...page.body.matchAll(/\bid="((?:tag|s)-[^"]+)"/g)].length, address).toBe(onPage.size);
      }
      // A reader whose email was not cut: the same anchors, one for one.
      expect(anchors((await get(local(web('small@web.example').web))).body)).toEqual(anchors(emailOf('small@web.example')));
    });

    it('renders the issue once and only assembles per page view: more views, no React call', async () => {
      const views = () => Promise.all(['small@web.example', 'big@web.example', 'evil@web.example'].map((a) => get(local(web(a).web))));
      for (const res of await views()) expect(res.statusCode).toBe(200);
      const calls = webPageStats.calls;
      for (let n = 0; n < 3; n++) for (const res of await views()) expect(res.statusCode).toBe(200);
      expect(webPageStats.calls).toBe(calls);
    });

    it('keeps the old addresses: the link in the email that was sent opens the page, and /manage still answers', async () => {
      const email = emailOf('small@web.example');
      const sent = /href="(https:\/\/news\.example\.test\/web\/\d+\?t=[^"#]+)"/.exec(email)![1]!.replace(/&amp;/g, '&');
      const res = await get(local(sent));
      expect(res.statusCode).toBe(200);
      expect(visibleText(res.body)).toContain(titles.get('Rust')![0]);
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
      for (const p of pages) expect(p.csp, p.url).toBe(PAGE_POLICY);
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
