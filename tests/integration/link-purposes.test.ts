// Each signed link opens only its purpose, on every route the app has. The routes come from the app
// itself (printRoutes), so a route added later is covered without a change here; the purposes come
// from reader-links.ts, and each must have a row in POLICY (what docs/decisions.md, "What each link purpose
// may do", says it may show). For every route × every purpose's token: the status, the site's
// headers, and that the answer holds no signed link of a purpose it may not hand out, no link of
// another reader, and the reader's address only where that purpose may show it.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotice } from '../../src/db/notices.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { createToken, PURPOSES, type Purpose } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { addSummaries, Browser, csrfField, forms, readerApp, sentIssue, subscriberByEmail, type FormFields, type ReaderApp } from '../support/reader.ts';

const WEEK = '2026-W44';

/** What an answer to a link of each purpose may show: the reader's address, and signed links of which purposes. */
const POLICY: Record<string, { address: boolean; links: Purpose[] }> = {
  // In every digest, and digests are forwarded: nothing about the reader, only its own forms and undo.
  unsubscribe: { address: false, links: ['unsubscribe', 'undo'] },
  undo: { address: false, links: [] },
  // The reader's hub, from their own inbox.
  preferences: { address: true, links: ['preferences', 'web', 'feed'] },
  // A copy of the email made to be shared.
  web: { address: false, links: ['web'] },
  // Ends up in third-party feed readers.
  feed: { address: false, links: ['feed'] },
  // Emailed to the address it confirms.
  confirm: { address: true, links: ['preferences'] },
  export: { address: true, links: [] },
  delete: { address: true, links: ['delete'] },
  // Under each section of every digest: forwarded like an unsubscribe link. Its own form, and for the
  // reader's last tag the digest's own one-click unsubscribe (same reader, same issue).
  unfollow: { address: false, links: ['unfollow', 'unsubscribe'] },
  // In every digest's footer: the choice and its own form, nothing else of the reader.
  density: { address: false, links: ['density'] },
  // An editor's test email, forwarded or not: the test's digest and pages that say it is a test.
  test: { address: false, links: ['test'] },
};

/** An answer to no link, or to a link a route refuses: nothing of any reader. */
const NOTHING = { address: false, links: [] as Purpose[] };

interface Reader {
  id: number;
  email: string;
  b: Browser;
  csrf: string;
  token(purpose: Purpose): string;
}

interface Opens {
  purpose: Purpose;
  /** The status a fresh, active reader's own link answers. */
  status: number;
  body?: FormFields;
  /** The link as the reader gets it, when not simply signed for them (an undo comes from a one-click answer). */
  link?(r: Reader): Promise<string>;
}

/** The routes a link opens. Every other route must answer a request with a link exactly as one without. */
const OPENS: Record<string, Opens> = {
  'GET /confirm': { purpose: 'confirm', status: 200 },
  'GET /preferences': { purpose: 'preferences', status: 200 },
  'POST /preferences': { purpose: 'preferences', status: 303, body: { action: 'pause', weeks: '1' } },
  'GET /preferences/export': { purpose: 'export', status: 200 },
  'GET /preferences/delete': { purpose: 'delete', status: 200 },
  'POST /preferences/delete': { purpose: 'delete', status: 200 },
  'GET /preferences/feed.xml': { purpose: 'feed', status: 200 },
  'GET /unsubscribe': { purpose: 'unsubscribe', status: 200 },
  'POST /unsubscribe': { purpose: 'unsubscribe', status: 200, body: { 'List-Unsubscribe': 'One-Click' } },
  'POST /unsubscribe/preferences-link': { purpose: 'unsubscribe', status: 200 },
  'POST /unsubscribe/undo': {
    purpose: 'undo',
    status: 200,
    async link(r) {
      const done = await r.b.post(`/unsubscribe?t=${r.token('unsubscribe')}`, { 'List-Unsubscribe': 'One-Click' });
      const action = forms(done.body).find((f) => f.action.startsWith('/unsubscribe/undo?'))?.action;
      if (!action) throw new Error('the one-click answer offers no undo');
      return new URL(action, 'https://x.test').searchParams.get('t')!;
    },
  },
  'GET /web/:issue': { purpose: 'web', status: 200 },
  'GET /unfollow': { purpose: 'unfollow', status: 200 },
  // The reader follows one tag: its last is kept, and the answer offers to unsubscribe instead.
  'POST /unfollow': { purpose: 'unfollow', status: 409 },
  'GET /density': { purpose: 'density', status: 200 },
  'POST /density': { purpose: 'density', status: 303, body: { density: 'brief' } },
  'GET /test/:issue': { purpose: 'test', status: 200 },
  'GET /test/:issue/preferences': { purpose: 'test', status: 200 },
  'GET /test/:issue/unsubscribe': { purpose: 'test', status: 200 },
};

/** Every route of the app, from its own route tree (HEAD is GET's twin, OPTIONS the CORS preflight's). */
function routesOf(app: FastifyInstance): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack[depth] = path;
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD' && x !== 'OPTIONS')) out.push({ method, path });
  }
  return out;
}

/** The purpose and subscriber of each signed link in a text (a page, a feed, a JSON, a header). */
function signedLinks(text: string): { purpose: string; subscriberId: number }[] {
  const found: { purpose: string; subscriberId: number }[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{24}(?![A-Za-z0-9_-])/g)) {
    const payload = Buffer.from(m[0].split('.')[0]!, 'base64url').toString('latin1');
    const claims = /^([a-z]+)\.([0-9a-z]+)\./.exec(payload);
    if (claims) found.push({ purpose: claims[1]!, subscriberId: parseInt(claims[2]!, 36) });
  }
  return found;
}

describe.sequential(`every route × every link purpose on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let issueId: number;
  let aiTag: number;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [{ title: 'Agents that plan', tags: ['AI'] }]);
    issueId = (await sentIssue(t.db, WEEK)).id;
    aiTag = (await t.db.query<{ id: number }>(`select id from tags where slug = 'ai'`))[0]!.id;
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: 'admin-password-for-link-purposes' } });
    await r.app.ready();
    routes = routesOf(r.app);
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  let n = 0;
  /** A fresh, active reader who was sent the issue, with the emailed links a reader can hold. */
  async function reader(): Promise<Reader> {
    const email = `purpose-${++n}@links.example`;
    await upsertSubscribers(t.db, [{ email, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' }]);
    const id = (await subscriberByEmail(t.db, email))!.id;
    await t.db.query(`insert into deliveries (issue_id, subscriber_id, batch, sections, status, submitted_at) values ($1, $2, 0, '{ai}', 'submitted', now())`, [issueId, id]);
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const notice = { confirm: await createNotice(t.db, id, 'confirm', { tags: ['ai'] }), export: await createNotice(t.db, id, 'export'), delete: await createNotice(t.db, id, 'delete') };
    const [{ v }] = (await t.db.query<{ v: number }>(`select status_version as v from subscribers where id = $1`, [id])) as [{ v: number }];
    const claims = (purpose: Purpose) => {
      switch (purpose) {
        case 'unsubscribe':
        case 'web':
        case 'test':
          return { issueId };
        case 'preferences':
        case 'feed':
        case 'density':
          return {};
        case 'unfollow':
          return { issueId, ref: aiTag };
        case 'undo':
          return { expires, ref: v };
        case 'confirm':
        case 'export':
        case 'delete':
          return { expires, ref: notice[purpose]! };
        default:
          return { issueId, expires, ref: 1 };
      }
    };
    const b = new Browser(r.app);
    const csrf = csrfField((await b.get('/subscribe')).body)!;
    return { id, email, b, csrf, token: (purpose) => createToken(r.config.secret, { purpose, subscriberId: id, ...claims(purpose) }) };
  }

  async function state(id: number) {
    const [row] = await t.db.query(`select status, status_version as v, paused_until as paused, density, array(select tag_id from subscriptions where subscriber_id = $1 order by tag_id) as tags from subscribers where id = $1`, [id]);
    return row;
  }

  const urlFor = (path: string) =>
    path
      .replace(/:issue\b/, String(issueId))
      .replace(/:slug\b/, 'ai')
      .replace(/:name\b/, 'site.css')
      .replace(/:\w+/g, '1')
      .replace(/\*$/, 'x');
  const withToken = (url: string, token: string | null) => (token === null ? url : `${url}${url.includes('?') ? '&' : '?'}t=${token}`);

  let ips = 0;
  /**
   * The request from the reader's browser; each from an address of its own, so the editor routes' limits
   * on failed logins answer as to a first attempt (a 429 would hide what the route does with a link).
   */
  function send(me: Reader, method: string, url: string, body: FormFields | undefined): Promise<LightMyRequestResponse> {
    ips++;
    const b = new Browser(r.app, `198.18.${Math.floor(ips / 250)}.${(ips % 250) + 1}`);
    for (const [k, v] of me.b.cookies) b.cookies.set(k, v);
    if (method === 'GET') return b.get(url);
    if (method === 'POST') return b.post(url, { _csrf: me.csrf, ...body });
    return r.app.inject({ method: method as 'PUT', url, remoteAddress: b.remoteAddress, headers: { origin: 'https://news.example.test' }, payload: {} });
  }

  /** What every answer must hold to: the site's headers, and nothing the link's purpose may not show. */
  function check(what: string, res: LightMyRequestResponse, me: Reader, may: { address: boolean; links: Purpose[] }, personal: boolean) {
    expect(res.headers['referrer-policy'], what).toBe('no-referrer');
    expect(res.headers['x-content-type-options'], what).toBe('nosniff');
    // DENY everywhere but the admin's own preview frame (SAMEORIGIN).
    expect(res.headers['x-frame-options'], what).toMatch(/^(DENY|SAMEORIGIN)$/);
    expect(String(res.headers['content-security-policy']), what).toMatch(/^default-src 'none';/);
    // An answer to a reader's own link is theirs alone: no shared cache keeps it.
    if (personal) expect(String(res.headers['cache-control']), what).toMatch(/\b(no-store|private)\b/);
    if (personal && res.statusCode === 200 && String(res.headers['content-type']).startsWith('text/html')) {
      expect(`${res.headers['x-robots-tag'] ?? ''} ${/<meta name="robots" content="([^"]+)"/.exec(res.body)?.[1] ?? ''}`, what).toContain('noindex');
    }
    const text = `${res.body}\n${String(res.headers.location ?? '')}`;
    for (const l of signedLinks(text)) {
      expect(l.subscriberId, `${what} hands out a link of another reader`).toBe(me.id);
      expect(may.links, `${what} hands out a ${l.purpose} link`).toContain(l.purpose);
    }
    if (!may.address) {
      expect(text.includes(me.email) || text.includes(encodeURIComponent(me.email)), `${what} shows the address`).toBe(false);
    }
  }

  it('has a row in the policy for every purpose reader-links.ts knows, and every route it names exists', () => {
    expect(Object.keys(POLICY).sort(), 'say in POLICY (and docs/decisions.md) what a new purpose may show').toEqual([...PURPOSES].sort());
    const known = new Set(routes.map((x) => `${x.method} ${x.path}`));
    for (const key of Object.keys(OPENS)) expect(known, key).toContain(key);
    expect(routes.length).toBeGreaterThan(40);
  });

  it('opens each route that takes a link with its own purpose only, and shows only what that purpose may', async () => {
    for (const [key, o] of Object.entries(OPENS)) {
      const [method, path] = key.split(' ') as [string, string];
      const me = await reader();
      const before = await state(me.id);
      for (const purpose of PURPOSES.filter((p) => p !== o.purpose)) {
        const res = await send(me, method, withToken(urlFor(path), me.token(purpose)), o.body);
        expect(res.statusCode, `${key} with a ${purpose} link`).toBe(400);
        check(`${key} with a ${purpose} link`, res, me, NOTHING, true);
      }
      expect(await state(me.id), `${key}: a link of another purpose changed the reader`).toEqual(before);
      const token = o.link ? await o.link(me) : me.token(o.purpose);
      const beforeOwn = await state(me.id);
      const own = await send(me, method, withToken(urlFor(path), token), o.body);
      expect(own.statusCode, `${key} with its own link`).toBe(o.status);
      check(`${key} with its own link`, own, me, POLICY[o.purpose]!, true);
      // A GET never changes anything; the double opt-in confirm link is the one exception (and this reader is confirmed already).
      if (method === 'GET') expect(await state(me.id), `${key} changed the reader`).toEqual(beforeOwn);
    }
  });

  it('answers every other route the same with any link as with none, showing nothing of the reader', async () => {
    const me = await reader();
    const before = await state(me.id);
    let checked = 0;
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      if (OPENS[key]) continue;
      const url = urlFor(path);
      const none = await send(me, method, url, undefined);
      check(`${key} without a link`, none, me, NOTHING, false);
      for (const purpose of PURPOSES) {
        const res = await send(me, method, withToken(url, me.token(purpose)), undefined);
        expect(res.statusCode, `${key} with a ${purpose} link (a route that takes links belongs in OPENS)`).toBe(none.statusCode);
        check(`${key} with a ${purpose} link`, res, me, NOTHING, false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(await state(me.id)).toEqual(before);
  });

  it("follows every link a page hands out: what each opens holds to the opened link's purpose", async () => {
    // From each page a reader's own link opens, one step further: a link handed on must not open more.
    const me = await reader();
    const seen = new Set<string>();
    const queue = ['GET /preferences', 'GET /web/:issue', 'GET /unsubscribe', 'GET /preferences/feed.xml', 'GET /confirm', 'GET /test/:issue'].map((k) => withToken(urlFor(k.split(' ')[1]!), me.token(OPENS[k]!.purpose)));
    while (queue.length > 0) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await me.b.get(url);
      const purpose = signedLinks(url)[0]?.purpose;
      check(`GET ${url}`, res, me, purpose ? POLICY[purpose]! : NOTHING, purpose !== undefined);
      for (const m of res.body.matchAll(/href="([^"]+)"/g)) {
        const href = m[1]!.replace(/&amp;/g, '&').replace(r.config.publicUrl, '');
        if (href.startsWith('/') && !href.startsWith('/assets/') && signedLinks(href).length > 0) queue.push(href.split('#')[0]!);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });
});
