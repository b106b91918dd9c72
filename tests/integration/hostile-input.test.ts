// Hostile input on every route the app has: the routes come from the app itself (its onRoute list),
// so a route added later is covered without touching this file. Each request carries one hostile
// member of a class (NUL, a lone surrogate, bytes that are not UTF-8, an overlong form, a broken
// %-escape, a 100 KB field) in the query, a path parameter, a form body, a JSON body or a multipart
// body, with a signed-in editor's cookie and an API token, so that input which got past the boundary
// would reach the handlers and the database. Expected: a 4xx (400 for the bad-text classes), the
// site's security headers, and nothing of the input (nor the reader token beside it) in the log.
import { Socket, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { DEFAULT_API_LIMITS } from '../../src/web/api/index.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import type { Queues } from '../../src/queue.ts';
import { Browser, csrfField, multipartBody, ORIGIN, readerApp, type ReaderApp } from '../support/reader.ts';
import { deleteKeys, testPrefix, testQueues } from '../support/redis.ts';

const PASSWORD = 'correct horse battery staple';
/** In every hostile request; must never reach a log line. */
const MARK = 'QX7hostile';
const TOKEN = `${MARK}token`;

/** The hostile members of each class, %-encoded as they travel in a URL or a form body. */
const ENCODED: Record<string, string> = {
  'NUL': `${MARK}%00`,
  'NUL alone': '%00',
  'encoded surrogate (CESU)': `${MARK}%ED%A0%80`,
  'invalid UTF-8 byte': `${MARK}%FF`,
  'truncated UTF-8 sequence': `${MARK}%C3`,
  'overlong NUL': `${MARK}%C0%80`,
  'overlong slash': `${MARK}%E0%80%AF`,
  'above U+10FFFF': `${MARK}%F4%90%80%80`,
  'broken %': `${MARK}%zz`,
  'half %': `${MARK}%4`,
  'trailing %': `${MARK}%`,
};

/** The same classes as JSON strings (a JSON string can also hold a lone surrogate). */
const JSON_STRINGS: Record<string, string> = {
  'NUL': `"${MARK}\\u0000"`,
  'lone high surrogate': `"${MARK}\\ud800"`,
  'lone low surrogate': `"${MARK}\\udfff"`,
};

/** Raw bytes in a body that are not UTF-8. */
const RAW_BYTES: Record<string, Buffer> = {
  'byte FF': Buffer.from([0xff]),
  'overlong NUL': Buffer.from([0xc0, 0x80]),
  'encoded surrogate': Buffer.from([0xed, 0xa0, 0x80]),
  'cut sequence': Buffer.from([0xe2, 0x82]),
};

const FIELDS = ['t', 'q', 'next', 'email', 'tags', 'name', 'password', 'week', 'status', 'page', '_csrf', 'List-Unsubscribe'];

const SITE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

interface Route {
  method: string;
  url: string;
}

describe.sequential(`hostile input on every route on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let app: FastifyInstance;
  let routes: Route[];
  let auth: Record<string, string>;
  let editor: Browser;
  let queues: Queues;
  const prefix = testPrefix();
  const logLines: string[] = [];
  /** Every answer that broke a rule, with the request that got it; one assertion shows them all. */
  let broken: string[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    // Queues too, so the editor's actions that schedule or send reach their handlers rather than a 503.
    queues = await testQueues(t.db, prefix);
    r = await readerApp(t.db, {
      env: { ADMIN_PASSWORD: PASSWORD, RESEND_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 7).toString('base64')}` },
      // Every API route takes dozens of hostile requests in a minute: past the per-token limit, which api-routes.test.ts tests.
      deps: { log: pino({ level: 'trace' }, sink), queues: async () => queues, apiLimits: { token: 100_000, anonymous: 100_000, timeWindow: 60_000 } },
    });
    app = r.app;
    await app.ready();
    routes = app.routeList.filter((x) => x.method !== 'HEAD');
    editor = new Browser(app, nextAddress());
    const login = await editor.submit('/admin/login', '/admin/login', { password: PASSWORD });
    expect(login.statusCode).toBe(303);
    const { token } = await createApiToken(t.db, 'hostile');
    auth = { cookie: editor.cookieHeader!, authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await r?.app.close();
    await queues?.close();
    await deleteKeys(prefix);
    await t?.drop();
  });

  /** The route's URL with every parameter (and a wildcard) set to `value`, and `query` after it. */
  const urlOf = (route: Route, value: string, query = '') => `${route.url.replace(/:[A-Za-z0-9_]+/g, value).replace(/\*$/, value)}${query ? `?${query}` : ''}`;
  const isMachine = (url: string) => /^\/(api|webhooks|healthz|readyz|metrics)(\/|$)/.test(url);

  function check(what: string, res: LightMyRequestResponse, statuses: number[]) {
    const problems: string[] = [];
    if (!statuses.includes(res.statusCode)) problems.push(`status ${res.statusCode}, expected ${statuses.join('|')}: ${res.body.slice(0, 160)}`);
    for (const [k, v] of Object.entries(SITE_HEADERS)) if (res.headers[k] !== v) problems.push(`${k}: ${String(res.headers[k])}`);
    // The admin's digest preview is framed by the admin's own page; nothing else may be framed.
    if (!['DENY', 'SAMEORIGIN'].includes(String(res.headers['x-frame-options']))) problems.push(`x-frame-options: ${String(res.headers['x-frame-options'])}`);
    if (!String(res.headers['content-security-policy'] ?? '').includes("default-src 'none'")) problems.push('no CSP');
    if (res.body.includes(TOKEN)) problems.push('the answer repeats the reader token');
    if (problems.length > 0) broken.push(`${what}: ${problems.join('; ')}`);
  }

  /** API requests made with the current token: a fresh token before its per-minute allowance runs out (every route adds to the count). */
  let spent = 0;
  let tokens = 0;
  async function send(route: Route, url: string, body?: { type: string; payload: string | Buffer }, headers: Record<string, string> = {}) {
    if (url.startsWith('/api/') && ++spent > DEFAULT_API_LIMITS.token - 10) {
      auth = { ...auth, authorization: `Bearer ${(await createApiToken(t.db, `hostile-${++tokens}`)).token}` };
      spent = 1;
    }
    return app.inject({
      method: route.method as 'GET',
      url,
      // Each request from its own address: the API's and the login's rate limits count per client.
      remoteAddress: nextAddress(),
      headers: { ...auth, accept: 'text/html', ...(body ? { 'content-type': body.type } : {}), ...headers },
      ...(body ? { payload: body.payload } : {}),
    });
  }

  const hasBody = (route: Route) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);


  it('collects the routes from the app itself', () => {
    const names = routes.map((x) => `${x.method} ${x.url}`);
    // A few of each kind, so an empty or partial list cannot pass the tests below.
    for (const n of ['POST /subscribe', 'POST /unsubscribe', 'GET /web/:issue', 'POST /admin/login', 'POST /admin/summaries/import', 'GET /api/v1/subscribers', 'POST /webhooks/resend', 'GET /metrics']) {
      expect(names).toContain(n);
    }
  });

  it('refuses each bad-text class in the query, in a field value or a field name, with 400 on every route', async () => {
    broken = [];
    for (const route of routes) {
      for (const [name, bad] of Object.entries(ENCODED)) {
        const field = rotate(FIELDS);
        check(`${route.method} ${route.url} query ${field}=${name}`, await send(route, urlOf(route, '1', `t=${TOKEN}&${field}=${bad}`)), [400]);
        check(`${route.method} ${route.url} query name ${name}`, await send(route, urlOf(route, '1', `t=${TOKEN}&${bad}=1`)), [400]);
      }
    }
    expect(broken).toEqual([]);
  });

  it('refuses each bad-text class in a path segment with 400, %00 and %C0%80 included', async () => {
    broken = [];
    for (const route of routes.filter((x) => /[:*]/.test(x.url))) {
      for (const [name, bad] of Object.entries(ENCODED)) {
        check(`${route.method} ${route.url} path ${name}`, await send(route, urlOf(route, bad, `t=${TOKEN}`)), [400]);
      }
    }
    // Static paths too: a bad segment in an address that exists nowhere is still refused as bad.
    for (const path of ['/subscribe%00', '/archive/%C0%80', '/tags/%ED%A0%80/feed.xml', '/admin/%FF', '/api/v1/%zz']) {
      check(`GET ${path}`, await send({ method: 'GET', url: path }, `${path}?t=${TOKEN}`), [400]);
    }
    expect(broken).toEqual([]);
  });

  it('refuses each bad-text class in a form body, a JSON body and raw body bytes with 400 (a page refuses JSON with 415)', async () => {
    broken = [];
    for (const route of routes.filter(hasBody)) {
      const url = urlOf(route, '1', `t=${TOKEN}`);
      const page = !isMachine(route.url);
      // Webhooks take the provider's raw JSON and verify its signature before reading a field of it
      // (a signed body with bad bytes is stored as U+FFFD: tests/integration/webhooks.test.ts).
      const json = page ? [415] : route.url.startsWith('/webhooks/') ? [401] : [400];
      for (const [name, bad] of Object.entries(ENCODED)) {
        const field = rotate(FIELDS);
        const form = { type: 'application/x-www-form-urlencoded', payload: `_csrf=x&${field}=${bad}&${field}=again` };
        check(`${route.method} ${route.url} form ${field}=${name}`, await send(route, url, form), [400]);
        check(`${route.method} ${route.url} form name ${name}`, await send(route, url, { type: 'application/x-www-form-urlencoded', payload: `${bad}=1` }), [400]);
      }
      for (const [name, bad] of Object.entries(JSON_STRINGS)) {
        const field = rotate(FIELDS);
        check(`${route.method} ${route.url} JSON ${field}=${name}`, await send(route, url, { type: 'application/json', payload: `{"${field}": ${bad}}` }), json);
        check(`${route.method} ${route.url} JSON deep ${name}`, await send(route, url, { type: 'application/json', payload: `{"tags": ["a", ${bad}], "nested": {"deep": [[${bad}]]}}` }), json);
        check(`${route.method} ${route.url} JSON name ${name}`, await send(route, url, { type: 'application/json', payload: `{${bad}: 1}` }), json);
      }
      for (const [name, bytes] of Object.entries(RAW_BYTES)) {
        const raw = (prefix: string, suffix: string) => Buffer.concat([Buffer.from(prefix), bytes, Buffer.from(suffix)]);
        check(`${route.method} ${route.url} raw form ${name}`, await send(route, url, { type: 'application/x-www-form-urlencoded', payload: raw(`q=${MARK}`, '&x=1') }), [400]);
        check(`${route.method} ${route.url} raw JSON ${name}`, await send(route, url, { type: 'application/json', payload: raw(`{"q": "${MARK}`, '"}') }), json);
      }
    }
    expect(broken).toEqual([]);
  });

  it('takes a 100 KB field anywhere without a 5xx', async () => {
    broken = [];
    const big = `${MARK}${'a'.repeat(100 * 1024)}`;
    for (const route of routes) {
      check(`${route.method} ${route.url} 100 KB query`, await send(route, urlOf(route, '1', `t=${TOKEN}&q=${big}&next=${big}`)), range(400, 499).concat(range(200, 399)));
      check(`${route.method} ${route.url} 100 KB path`, await send(route, urlOf(route, big, `t=${TOKEN}`)), range(400, 499).concat(range(200, 399)));
      if (!hasBody(route)) continue;
      const url = urlOf(route, '1', `t=${TOKEN}`);
      for (const field of [rotate(FIELDS), rotate(FIELDS)]) {
        check(`${route.method} ${route.url} 100 KB form ${field}`, await send(route, url, { type: 'application/x-www-form-urlencoded', payload: `${field}=${big}` }), range(400, 499));
        if (isMachine(route.url)) check(`${route.method} ${route.url} 100 KB JSON ${field}`, await send(route, url, { type: 'application/json', payload: JSON.stringify({ [field]: big }) }), range(200, 499));
      }
    }
    expect(broken).toEqual([]);
  });

  it('refuses JSON, text and lies about the content type on the pages with 415, and takes no multipart where no route asked for it', async () => {
    broken = [];
    for (const route of routes.filter((x) => hasBody(x) && !isMachine(x.url))) {
      const url = urlOf(route, '1', `t=${TOKEN}`);
      for (const type of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/vnd.api+json', 'text/csv', 'application/xml']) {
        check(`${route.method} ${route.url} ${type}`, await send(route, url, { type, payload: '{"List-Unsubscribe": "One-Click", "email": "a@example.com"}' }), [415]);
        check(`${route.method} ${route.url} empty ${type}`, await send(route, url, { type, payload: '' }), [415]);
      }
      // The form's own type over a JSON body: a form with odd field names, refused for what it lacks.
      check(`${route.method} ${route.url} JSON labelled a form`, await send(route, url, { type: 'application/x-www-form-urlencoded', payload: '{"email": "a@example.com"}' }), range(400, 499));
      // A length far beyond the limit is refused before a byte is read.
      check(`${route.method} ${route.url} huge content-length`, await send(route, url, { type: 'application/x-www-form-urlencoded', payload: 'a=1' }, { 'content-length': '99999999999' }), [413]);
    }
    expect(broken).toEqual([]);
  });

  it('refuses a malformed multipart body with a 4xx on every route, and with 400 where multipart is taken', async () => {
    broken = [];
    const good = multipartBody({ 'List-Unsubscribe': 'One-Click' });
    const boundary = /boundary=(.*)$/.exec(good.contentType)![1]!;
    const cases: Record<string, { type: string; payload: string | Buffer }> = {
      'no boundary': { type: 'multipart/form-data', payload: good.payload },
      'empty boundary': { type: 'multipart/form-data; boundary=', payload: good.payload },
      'boundary of 300 characters': { type: `multipart/form-data; boundary=${'b'.repeat(300)}`, payload: good.payload },
      'truncated': { type: good.contentType, payload: good.payload.slice(0, good.payload.length - 20) },
      'only the preamble': { type: good.contentType, payload: 'hello' },
      'wrong boundary': { type: 'multipart/form-data; boundary=other', payload: good.payload },
      'part without headers': { type: good.contentType, payload: `--${boundary}\r\n\r\nx\r\n--${boundary}--\r\n` },
      'NUL in a field': { type: good.contentType, payload: multipartBody({ 'List-Unsubscribe': `One-Click${MARK}\0`, _csrf: `${MARK}\0` }).payload },
      'NUL in a field name': { type: good.contentType, payload: multipartBody({ [`List\0${MARK}`]: 'One-Click' }).payload },
      'a field that is not UTF-8': { type: good.contentType, payload: Buffer.from(multipartBody({ _csrf: `${MARK}\u00ff` }).payload, 'latin1') },
      'empty body': { type: good.contentType, payload: '' },
    };
    // Where a route reads multipart: the one-click POST (RFC 8058) and the editor's uploads.
    const takesMultipart = (url: string) => url === '/unsubscribe' || /^\/admin\/.*\/import$/.test(url);
    for (const route of routes.filter(hasBody)) {
      for (const [name, body] of Object.entries(cases)) {
        // Bytes that are not UTF-8 in a field arrive as U+FFFD: what then fails is the field's value (a CSRF field: 403).
        const expected = !takesMultipart(route.url) ? range(400, 499) : name.includes('not UTF-8') ? [400, 403] : [400];
        check(`${route.method} ${route.url} multipart ${name}`, await send(route, urlOf(route, '1', `t=${TOKEN}`), body), expected);
      }
    }
    expect(broken).toEqual([]);
  });

  it('takes uploaded files holding NUL or bytes that are not UTF-8 without a 5xx: the import reports them', async () => {
    const upload = async (page: string, action: string, file: { field: string; name: string }, content: Buffer) => {
      const csrf = csrfField((await editor.get(page)).body)!;
      const boundary = 'hostileUploadBoundary';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: text/plain\r\n\r\n`),
        content,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return app.inject({
        method: 'POST',
        url: action,
        remoteAddress: editor.remoteAddress,
        headers: { cookie: editor.cookieHeader!, origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'text/html' },
        payload,
      });
    };
    const contents = {
      NUL: Buffer.from(`title: ${MARK}\0\ntags: AI\n\nThe Signal\0\n`),
      'byte FF': Buffer.concat([Buffer.from(`title: ${MARK}`), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('\n')]),
      'UTF-16': Buffer.from(`title: ${MARK}\n`, 'utf16le'),
    };
    for (const [name, content] of Object.entries(contents)) {
      const summaries = await upload('/admin/summaries', '/admin/summaries/import', { field: 'files', name: 'hostile.md' }, content);
      expect(summaries.statusCode, `summaries ${name}`).toBeGreaterThanOrEqual(200);
      expect(summaries.statusCode, `summaries ${name}`).toBeLessThan(500);
      // Not stopped at the door: the import itself read the file and said what was wrong with it.
      expect(summaries.body, `summaries ${name}`).toContain('hostile.md');
      const csv = await upload('/admin/subscribers', '/admin/subscribers/import', { field: 'file', name: 'hostile.csv' }, Buffer.concat([Buffer.from('email,tags\n'), content, Buffer.from(',AI\n')]));
      expect(csv.statusCode, `CSV ${name}`).toBeGreaterThanOrEqual(200);
      expect(csv.statusCode, `CSV ${name}`).toBeLessThan(500);
      expect(csv.statusCode, `CSV ${name}`).not.toBe(403);
    }
    expect((await t.db.query(`select 1 from summaries where title like '%${MARK}%'`)).length).toBe(0);
  });

  it('answers a malformed URL without repeating it, its query or the token, in the answer or the log', async () => {
    const before = logLines.length;
    for (const url of [`/web/%zz?t=${TOKEN}`, `/web/%E0%A4%A?t=${TOKEN}`, `/%?t=${TOKEN}`]) {
      const res = await app.inject({ url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(400);
      expect(res.body).not.toContain(MARK);
      expect(res.body).toContain('broken %-escape');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(logLines.slice(before).join('')).not.toContain(MARK);
  });

  it('sends a login back to a next holding a control character or a character above U+00FF as a valid header, never a 500', async () => {
    for (const next of ['/admin/issues\u0001', '/admin/issues\u0085', '/admin/€', '/admin/\u4e2d\u6587', '/admin/x\u00ff', '/admin/issues?q=\u2028']) {
      const b = new Browser(app, nextAddress());
      const res = await b.submit(`/admin/login?next=${encodeURIComponent(next)}`, `/admin/login?next=${encodeURIComponent(next)}`, { password: PASSWORD });
      expect(res.statusCode, next).toBe(303);
      expect(res.headers.location, next).toMatch(/^\/admin[\x21-\x7e]*$/);
    }
  });

  it('writes nothing of the hostile input, nor the reader token, into the log', () => {
    expect(logLines.length).toBeGreaterThan(100);
    const leaked = logLines.filter((l) => l.includes(MARK));
    expect(leaked.slice(0, 3)).toEqual([]);
    // Refusals are logged, by route pattern and reason only.
    expect(logLines.some((l) => l.includes('"request refused"'))).toBe(true);
  });

  describe('requests Node itself cannot parse', () => {
    let url: { host: string; port: number };
    beforeAll(async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const a = app.server.address() as AddressInfo;
      url = { host: '127.0.0.1', port: a.port };
    });

    /** Writes raw bytes on a new connection; what came back before the server closed it. */
    function raw(bytes: string | Buffer): Promise<string> {
      return new Promise((resolve, reject) => {
        const s = new Socket();
        let got = '';
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('close', () => resolve(got));
        s.on('error', reject);
        s.connect(url.port, url.host, () => s.write(bytes));
      });
    }

    function expectSitePage(answer: string, status: number) {
      const [head, body] = answer.split('\r\n\r\n');
      expect(head!.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${{ 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status]}`);
      expect(head).toMatch(/\r\ncontent-security-policy: default-src 'none';/);
      expect(head).toMatch(/\r\nx-frame-options: DENY\r\n/);
      expect(head).toMatch(/\r\nx-content-type-options: nosniff\r\n/);
      expect(head).toMatch(/\r\nreferrer-policy: no-referrer\r\n/);
      expect(head).toMatch(/\r\ncontent-type: text\/html; charset=utf-8\r\n/);
      expect(body).toMatch(/^<!doctype html>/i);
      expect(Buffer.byteLength(body!, 'latin1')).toBe(Number(/\r\ncontent-length: (\d+)/.exec(head!)![1]));
      expect(answer).not.toContain(MARK);
    }

    it('answers a broken request line, a NUL or a control character in a header and a header too large with the site page and headers', async () => {
      const before = logLines.length;
      expectSitePage(await raw(`GET /subscribe?t=${TOKEN} HTTP/1.1 nonsense\r\n\r\n`), 400);
      expectSitePage(await raw(`GET /subscribe?t=${TOKEN} HTTP/1.1\r\nHost: x\r\nX-A: a\0${MARK}\r\n\r\n`), 400);
      expectSitePage(await raw(`GET /subscribe?t=${TOKEN} HTTP/1.1\r\nHost: x\r\nCookie: a\u0001${MARK}\r\n\r\n`), 400);
      expectSitePage(await raw(`GET /subscribe?t=${TOKEN}\0 HTTP/1.1\r\nHost: x\r\n\r\n`), 400);
      expectSitePage(await raw(`GET /subscribe?t=${TOKEN} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(80 * 1024)}${MARK}\r\n\r\n`), 431);
      expectSitePage(await raw(`POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc`), 400);
      expect(logLines.slice(before).join('')).not.toContain(MARK);
    });

    it('answers a request that takes too long to arrive with 408 and the site page', async () => {
      // Node checks for slow requests on its own timer; the timeout it raises is handed in here as it would be.
      const done = new Promise<string>((resolve) => {
        app.server.once('connection', (socket) => {
          setImmediate(() => app.server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket));
        });
        const s = new Socket();
        let got = '';
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('close', () => resolve(got));
        s.connect(url.port, url.host, () => s.write(`POST /subscribe?t=${TOKEN} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab`));
      });
      expectSitePage(await done, 408);
    });
  });
});

let address = 0;
/** A new client address for each request (10.0.0.0/8 holds millions). */
function nextAddress(): string {
  address++;
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
}

let turn = 0;
/** The next of a list, in turn: every field meets every class across the routes without a product of all three. */
function rotate<T>(list: T[]): T {
  return list[turn++ % list.length]!;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
