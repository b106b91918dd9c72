// The editor login over HTTP: the password (scrypt, constant-time), the signed session cookie and its
// attributes (`__Host-` on this https site), forged, altered, expired and old-password cookies refused,
// no session → login (pages) or 401 (posts, JSON), CSRF on the login and every editor form, the login
// rate limit, logout ending the session on the server (a copied cookie stops working), the admin
// pages' own CSP, and ADMIN_PASSWORD unset → 503 saying how to set it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminAuth, SESSION_COOKIE } from '../../src/web/admin/session.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { deleteKeys, testPrefix, testQueues } from '../support/redis.ts';
import { Browser, csrfField, forms, readerApp, type ReaderApp } from '../support/reader.ts';

const PASSWORD = 'correct horse battery staple';
/** The session cookie's name on the tests' https site. */
const COOKIE = `__Host-${SESSION_COOKIE}`;
// Written out, not read from src/: the site policy of docs/operations.md ("The web server") plus the progress script's fetch and the
// preview frame. A change to either must be a deliberate change here too.
const ADMIN_POLICY =
  "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none';connect-src 'self';frame-src 'self'";
/** docs/admin.md's "at most 5 attempts a minute per client". */
const LOGINS_A_MINUTE = 5;
let ip = 1;
/** Each editor from their own address: the login limit counts per client. */
const editor = (app: ReaderApp['app']) => new Browser(app, `198.51.100.${ip++}`);

async function login(b: Browser, password = PASSWORD, next = '') {
  return b.submit(`/admin/login${next}`, `/admin/login${next}`, { password });
}

describe.sequential(`admin login and session on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let now = new Date('2026-11-25T10:00:00Z');
  beforeAll(async () => {
    t = await createTestDb();
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD }, deps: { now: () => now } });
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  it('shows the login page with a CSRF-protected form and the admin CSP', async () => {
    const b = editor(r.app);
    const page = await b.get('/admin/login');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(ADMIN_POLICY);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(forms(page.body)).toEqual([{ method: 'post', action: '/admin/login?next=%2Fadmin', csrf: true, fields: ['_csrf', 'password'] }]);
  });

  it('logs in with the right password: a signed HttpOnly, SameSite=Strict, Secure cookie for 12 hours, back to where the editor was going', async () => {
    const b = editor(r.app);
    const res = await login(b, PASSWORD, `?next=${encodeURIComponent('/admin/subscribers?q=x')}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/subscribers?q=x');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${COOKIE}=[0-9a-z]+\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=43200$`));
    const issues = await b.get('/admin/issues');
    expect(issues.statusCode).toBe(200);
    expect(issues.body).toContain('<h1>Issues</h1>');
  });

  it('refuses a wrong password with 401 and the login page again, and sets no session', async () => {
    const b = editor(r.app);
    for (const wrong of ['correct horse battery stapl', `${PASSWORD} `, '', 'x'.repeat(5000)]) {
      const res = await login(b, wrong);
      expect(res.statusCode, wrong.slice(0, 30)).toBe(401);
      expect(res.body).toContain('That is not the password');
      expect(String(res.headers['set-cookie'] ?? '')).not.toContain(COOKIE);
    }
    expect((await b.get('/admin/issues')).statusCode).toBe(303);
  });

  it('never sends a login back to another site', async () => {
    for (const next of ['//evil.example/admin', 'https://evil.example/', '/admin/../x', '/admin//evil.example', '/adminx', '/admin\\..\\x']) {
      const res = await login(editor(r.app), PASSWORD, `?next=${encodeURIComponent(next)}`);
      expect(res.statusCode, next).toBe(303);
      expect(res.headers.location, next).toBe('/admin');
    }
  });

  it('limits login attempts per client: the sixth in a minute is 429, other clients unaffected', async () => {
    const b = editor(r.app);
    for (let n = 0; n < LOGINS_A_MINUTE; n++) expect((await login(b, 'wrong password!')).statusCode).toBe(401);
    const over = await login(b, PASSWORD);
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(over.body).toContain('too many requests');
    expect(String(over.headers['set-cookie'] ?? '')).not.toContain(COOKIE);
    expect((await login(editor(r.app))).statusCode).toBe(303);
  });

  it('refuses a login without the CSRF field or from another site (403)', async () => {
    const b = editor(r.app);
    await b.get('/admin/login');
    const noField = await b.post('/admin/login', { password: PASSWORD });
    expect(noField.statusCode).toBe(403);
    expect(noField.body).toContain('missing its security field');
    const page = await b.get('/admin/login');
    const crossSite = await b.post('/admin/login', { _csrf: csrfField(page.body)!, password: PASSWORD }, { origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(String(crossSite.headers['set-cookie'] ?? '')).not.toContain(COOKIE);
  });

  it('without a session: pages redirect to the login, posts and JSON clients get 401 with the reason', async () => {
    const b = editor(r.app);
    for (const url of ['/admin', '/admin/issues', '/admin/subscribers?q=a', '/admin/summaries', '/admin/schedule', '/admin/issues/1', '/admin/subscribers/export.csv']) {
      const res = await b.get(url);
      if (url === '/admin') {
        // /admin itself only points at the issues, which then asks for the login.
        expect(res.statusCode).toBe(302);
        continue;
      }
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
    }
    const json = await b.get('/admin/issues', { accept: 'application/json' });
    expect(json.statusCode).toBe(401);
    expect(json.json()).toEqual({ error: 'log in first' });
    const page = await b.get('/admin/login');
    for (const url of ['/admin/issues', '/admin/issues/1/send', '/admin/subscribers', '/admin/schedule/clear']) {
      const res = await b.post(url, { _csrf: csrfField(page.body)! });
      expect(res.statusCode, url).toBe(401);
      expect(res.body, url).toContain('log in first');
    }
  });

  it('checks the password exactly', () => {
    const auth = createAdminAuth({ db: t.db, password: PASSWORD, secret: r.config.secret, publicUrl: r.config.publicUrl, now: () => now });
    expect(auth.checkPassword(PASSWORD)).toBe(true);
    for (const wrong of ['', PASSWORD.slice(0, -1), `${PASSWORD}x`, PASSWORD.toUpperCase(), 'x'.repeat(2000)]) expect(auth.checkPassword(wrong), wrong.slice(0, 30)).toBe(false);
  });

  it('refuses forged, altered, expired and old-password cookies', async () => {
    // Signed with another SECRET, or under another password: both are forgeries here. (Made first:
    // a login under the real key then drops their rows, as a server with the new password would.)
    const forged = async (o: { password: string; secret: string }) =>
      (await createAdminAuth({ db: t.db, ...o, publicUrl: r.config.publicUrl, now: () => now }).startSession()).split(';')[0]!.split('=')[1]!;
    const otherSecret = await forged({ password: PASSWORD, secret: 'another-secret-0123456789abcdefghijkl' });
    const oldPassword = await forged({ password: 'the old password 123', secret: r.config.secret });
    const b = editor(r.app);
    await login(b);
    const good = b.cookies.get(COOKIE)!;
    const [exp, id, mac] = good.split('.') as [string, string, string];
    const tries: Record<string, string> = {
      'made up': `${exp}.${'A'.repeat(16)}.${'B'.repeat(43)}`,
      'longer expiry': `${(parseInt(exp, 36) + 3600).toString(36)}.${id}.${mac}`,
      'other id': `${exp}.${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}.${mac}`,
      garbage: 'yes',
    };
    tries['other secret'] = otherSecret;
    tries['old password'] = oldPassword;
    // The real name without its prefix is another cookie: a subdomain could have set it.
    const unprefixed = await r.app.inject({ method: 'GET', url: '/admin/issues', headers: { cookie: `${SESSION_COOKIE}=${good}` } });
    expect(unprefixed.statusCode).toBe(303);
    for (const [what, value] of Object.entries(tries)) {
      const res = await r.app.inject({ method: 'GET', url: '/admin/issues', headers: { cookie: `${COOKIE}=${value}` } });
      expect(res.statusCode, what).toBe(303);
    }
    const ok = await r.app.inject({ method: 'GET', url: '/admin/issues', headers: { cookie: `${COOKIE}=${good}` } });
    expect(ok.statusCode).toBe(200);
    // Twelve hours later the same cookie has expired.
    const saved = now;
    now = new Date(saved.getTime() + 12 * 3_600_000 + 1000); // docs/admin.md's 12 hours, and a second
    try {
      const late = await r.app.inject({ method: 'GET', url: '/admin/issues', headers: { cookie: `${COOKIE}=${good}`, accept: 'application/json' } });
      expect(late.statusCode).toBe(401);
      expect(late.json().error).toContain('session has expired');
    } finally {
      now = saved;
    }
  });

  it('refuses an editor form without its CSRF field even with a session (403, nothing done)', async () => {
    const b = editor(r.app);
    await login(b);
    const res = await b.post('/admin/subscribers', { email: 'csrf@example.test' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('missing its security field');
    expect(await t.db.query(`select 1 from subscribers where email = 'csrf@example.test'`)).toEqual([]);
  });

  it('logs out: the session ends on the server, the cookie is cleared and the pages ask for the login again', async () => {
    const b = editor(r.app);
    await login(b);
    const copied = b.cookies.get(COOKIE)!;
    const other = editor(r.app);
    await login(other);
    const page = await b.get('/admin/issues');
    expect(forms(page.body)[0]).toMatchObject({ action: '/admin/logout', csrf: true });
    const out = await b.post('/admin/logout', { _csrf: csrfField(page.body)! });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/admin/login?done=out');
    expect(String(out.headers['set-cookie'])).toMatch(new RegExp(`^${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0$`));
    expect((await b.get('/admin/issues')).statusCode).toBe(303);
    // A copy of the cookie taken before the logout opens nothing now, pages or JSON, though its
    // signature and expiry are still good.
    const copy = (headers: Record<string, string> = {}) => r.app.inject({ method: 'GET', url: '/admin/issues', headers: { cookie: `${COOKIE}=${copied}`, ...headers } });
    expect((await copy()).statusCode).toBe(303);
    const json = await copy({ accept: 'application/json' });
    expect(json.statusCode).toBe(401);
    expect(json.json().error).toBe('this session has ended (logged out): log in again');
    // Another editor's session is their own: still open.
    expect((await other.get('/admin/issues')).statusCode).toBe(200);
    expect((await b.get('/admin/login?done=out')).body).toContain('You are logged out');
  });

  it('puts Bull Board behind the same login: without a session it asks for one, with one it opens', async () => {
    const prefix = testPrefix();
    const queues = await testQueues(t.db, prefix);
    const withQueues = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD }, deps: { queues: async () => queues } });
    try {
      const b = editor(withQueues.app);
      expect((await b.get('/admin/queues')).statusCode).toBe(303);
      expect((await b.get('/admin/queues/api/queues', { accept: 'application/json' })).statusCode).toBe(401);
      await login(b);
      expect((await b.get('/admin/queues')).statusCode).toBe(200);
      const api = await b.get('/admin/queues/api/queues', { accept: 'application/json' });
      expect(api.statusCode).toBe(200);
      expect(JSON.stringify(api.json())).toContain(queues.send.name);
    } finally {
      await withQueues.app.close();
      await queues.close();
      await deleteKeys(prefix);
    }
  });

  it('answers 503 with how to set ADMIN_PASSWORD when it is unset', async () => {
    const off = await readerApp(t.db);
    try {
      for (const [method, url] of [
        ['GET', '/admin'],
        ['GET', '/admin/login'],
        ['POST', '/admin/login'],
        ['GET', '/admin/issues/1'],
      ] as const) {
        const res = await off.app.inject({ method, url });
        expect(res.statusCode, url).toBe(503);
        expect(res.body, url).toContain('ADMIN_PASSWORD');
      }
    } finally {
      await off.app.close();
    }
  });
});
