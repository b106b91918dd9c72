// Every request's input, checked once where it enters, before any route reads it:
//   - the URL on the wire (path and query): well-formed %-escapes that decode to UTF-8 without NUL;
//   - every body but a multipart one (a part may be a binary file) or a signed webhook: UTF-8 bytes;
//   - form bodies: the same rule as the query, parsed here (this is the app's urlencoded parser);
//   - what the parsers made (query, path parameters, body: keys and values): no NUL, no lone surrogate.
// PostgreSQL cannot store NUL, and text that is not UTF-8 turns into U+FFFD on the way to it: both are
// refused with a 400 that repeats nothing of the input (it may hold a reader's token or address).
// Pages take form bodies only (urlencoded, or multipart where a route registered it): JSON and text
// are for the API and the webhooks, so a page answers them 415.
// A Location header holds only printable ASCII: anything else is %-encoded, whatever a route redirects to.
import { parse as parseQuery } from 'node:querystring';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, isMachinePath } from './errors.ts';
import { unencapsulated } from './plugin.ts';

export const NOT_TEXT = 'the request holds a NUL character, a broken %-escape or bytes that are not UTF-8';
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// In a /u pattern a surrogate pair is one code point: only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether a string is text a database can hold: no NUL, no lone surrogate. */
export function isCleanText(s: string): boolean {
  return !s.includes('\0') && !LONE_SURROGATE.test(s);
}

/** Whether %-encoded text (a query, a form body) has only whole escapes that decode to clean UTF-8. */
export function isCleanEncoded(s: string): boolean {
  if (/%(?![0-9a-f]{2})/i.test(s)) return false;
  if (!s.includes('%')) return isCleanText(s);
  // Escapes become bytes; the rest is this string's own UTF-8. Latin-1 carries bytes through a string.
  const bytes = Buffer.from(
    Buffer.from(s, 'utf8')
      .toString('latin1')
      .replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  const text = utf8(bytes);
  return text !== null && isCleanText(text);
}

/** The bytes as UTF-8, or null when they are not (overlong forms and encoded surrogates included). */
// One decoder: a decode without { stream } starts afresh and, being synchronous, is never shared mid-way.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** Whether every string in a parsed value (keys too) is clean text. Iterative: a JSON body may nest deeply. */
export function allClean(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (!isCleanText(v)) return false;
    } else if (Array.isArray(v)) {
      stack.push(...v);
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [k, item] of Object.entries(v)) {
        if (!isCleanText(k)) return false;
        stack.push(item);
      }
    }
  }
  return true;
}

/** The media type without parameters, lower-cased; '' when there is none. */
export function mediaType(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/** A body stream that fails with a 400 as soon as its bytes stop being UTF-8. */
function utf8Checked(payload: Readable & { receivedEncodedLength?: number }): Readable {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const check = (chunk: Buffer | undefined, done: (err?: Error | null, chunk?: Buffer) => void) => {
    try {
      decoder.decode(chunk, { stream: chunk !== undefined });
      done(null, chunk);
    } catch {
      done(new HttpError(400, NOT_TEXT));
    }
  };
  const out = new Transform({ transform: (chunk: Buffer, _enc, done) => check(chunk, done), flush: (done) => check(undefined, (err) => done(err)) });
  // pipeline passes a client's abort on as an error, so the parser never waits for an end that will not come.
  pipeline(payload, out, () => {});
  Object.defineProperty(out, 'receivedEncodedLength', { get: () => payload.receivedEncodedLength });
  return out;
}

/** Anything outside printable ASCII in a Location header, %-encoded as its UTF-8 bytes. */
export function headerSafeLocation(location: string): string {
  return location.replace(/[^\x21-\x7e]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

export type InputOptions = {
  /** The urlencoded body limit in bytes. */
  formBodyLimit: number;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route's method and URL pattern, in registration order (tests walk them all). */
    routeList: { method: string; url: string }[];
  }
}

/** Keeps `app.routeList`; called first, so routes that plugins register are listed too. */
export function listRoutes(app: FastifyInstance): void {
  const routes: { method: string; url: string }[] = [];
  app.decorate('routeList', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
}

async function input(app: FastifyInstance, opts: InputOptions): Promise<void> {
  // Bytes, not a string: its own UTF-8 check holds on every route, the webhooks' included.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: opts.formBodyLimit }, (_req, body, done) => {
    const text = utf8(body as Buffer);
    if (text === null || !isCleanEncoded(text)) return done(new HttpError(400, NOT_TEXT), undefined);
    done(null, parseQuery(text));
  });

  app.addHook('onRequest', async (req) => {
    const url = req.raw.url ?? '/';
    // The wire carries ASCII only; Node reads any other byte as Latin-1.
    if (/[^\x21-\x7e]/.test(url) || !isCleanEncoded(url)) throw new HttpError(400, NOT_TEXT);
  });

  app.addHook('preParsing', async (req: FastifyRequest, _reply: FastifyReply, payload: Readable) => {
    if (!BODY_METHODS.has(req.method) || req.headers['content-type'] === undefined) return payload;
    const type = mediaType(req);
    if (!isMachinePath(req.routeOptions.url ?? req.url) && !FORM_TYPES.includes(type)) {
      throw new HttpError(415, `this address takes a form post (application/x-www-form-urlencoded), not ${type.slice(0, 100) || 'a body without a type'}`);
    }
    // Webhooks: the provider retries whatever is refused, and its body is signed; it is verified and
    // stored as the signing library reads it (bad bytes as U+FFFD), never refused for its bytes here.
    if (type === 'multipart/form-data' || (req.routeOptions.url ?? '').startsWith('/webhooks/')) return payload;
    // The form parser above reads its (small) body whole and checks the same bytes: no stream per post.
    if (type === 'application/x-www-form-urlencoded') return payload;
    return utf8Checked(payload);
  });

  app.addHook('preValidation', async (req) => {
    if (!allClean(req.query) || !allClean(req.params) || !allClean(req.body)) throw new HttpError(400, NOT_TEXT);
  });

  app.addHook('onSend', async (_req, reply) => {
    const location = reply.getHeader('location');
    if (typeof location === 'string') reply.header('location', headerSafeLocation(location));
  });
}

export const inputPlugin = unencapsulated('tagcast-input', input);
