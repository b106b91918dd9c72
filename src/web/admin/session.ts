// The editor's login: ADMIN_PASSWORD checked through scrypt and a constant-time compare, then a signed
// session cookie (an HMAC with SECRET over an expiry and a random id) that is also a row on the server
// (src/db/admin-sessions.ts). The signature is checked first, so a forged cookie costs no query; the
// row is what logging out deletes, so a copied cookie stops working then. The key covers the password,
// so changing ADMIN_PASSWORD ends every session. Any number of `tagcast serve` processes agree, as
// they share the database. `requireAdmin` is the preHandler for every editor route, here and elsewhere
// (Bull Board at /admin/queues): `{ preHandler: requireAdmin }`.
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/connection.ts';
import { adminSessionLive, endAdminSession, startAdminSession } from '../../db/admin-sessions.ts';
import { siteCookie } from '../csrf.ts';
import { HttpError, wantsJson } from '../plugins/errors.ts';

/** The cookie's name on a plain-http site; on https it is `__Host-tagcast_admin` (see siteCookie). */
export const SESSION_COOKIE = 'tagcast_admin';
/** A session lasts this long from login; then the editor logs in again. */
export const SESSION_MS = 12 * 60 * 60 * 1000;
const COOKIE_VALUE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

export type SessionProblem = 'missing' | 'invalid' | 'expired' | 'ended';

export interface AdminAuth {
  /** The session cookie's name on this site. */
  cookieName: string;
  /** Whether a typed password is ADMIN_PASSWORD (scrypt of both, constant-time compare). */
  checkPassword(typed: string): boolean;
  /** Starts a session; the Set-Cookie value that carries it. */
  startSession(): Promise<string>;
  /** Ends this request's session on the server (if it has one); the Set-Cookie value that clears it. */
  endSession(req: FastifyRequest): Promise<string>;
  /** Why this request has no live session, or null when it has one. */
  sessionProblem(req: FastifyRequest): Promise<SessionProblem | null>;
}

export interface AdminAuthOptions {
  db: Db;
  password: string;
  secret: string;
  publicUrl: string;
  now: () => Date;
}

export function createAdminAuth(o: AdminAuthOptions): AdminAuth {
  // Path=/admin where the prefix allows it (plain http); on https __Host- requires Path=/.
  const cookie = siteCookie(SESSION_COOKIE, o.publicUrl, { path: '/admin', sameSite: 'Strict' });
  // The password is held only as a salted scrypt hash, computed once per process; each login attempt
  // costs one scrypt (about 50 ms), which with the login rate limit makes guessing hopeless.
  const salt = randomBytes(16);
  const hash = (s: string) => scryptSync(s.normalize('NFC'), salt, 32);
  const expected = hash(o.password);
  // A new password gives a new key: every session signed under the old one stops working.
  const key = createHmac('sha256', o.secret).update('tagcast-admin-session-v1\0').update(createHash('sha256').update(o.password).digest()).digest();
  // Names the key in the sessions table without revealing it.
  const keyTag = createHmac('sha256', key).update('key-tag').digest('hex').slice(0, 16);
  const sign = (expires: string, id: string) => createHmac('sha256', key).update(`${expires}.${id}`).digest('base64url');
  /** The signed parts of this request's cookie, or why there are none. */
  const read = (req: FastifyRequest): { expires: number; id: string } | 'missing' | 'invalid' => {
    const value = cookie.read(req);
    if (!value) return 'missing';
    const m = COOKIE_VALUE.exec(value);
    if (!m) return 'invalid';
    const a = Buffer.from(m[3]!);
    const b = Buffer.from(sign(m[1]!, m[2]!));
    if (a.length !== b.length || !timingSafeEqual(a, b)) return 'invalid';
    return { expires: parseInt(m[1]!, 36) * 1000, id: m[2]! };
  };
  return {
    cookieName: cookie.name,
    checkPassword(typed) {
      // Bounded before hashing, so a megabyte "password" costs what a short one does.
      if (typed.length === 0 || typed.length > 1024) return false;
      return timingSafeEqual(hash(typed), expected);
    },
    async startSession() {
      const now = o.now();
      const expires = Math.floor((now.getTime() + SESSION_MS) / 1000);
      const id = randomBytes(12).toString('base64url');
      await startAdminSession(o.db, { id, keyTag, expiresAt: new Date(expires * 1000), now });
      const e = expires.toString(36);
      return cookie.set(`${e}.${id}.${sign(e, id)}`, SESSION_MS / 1000);
    },
    async endSession(req) {
      const s = read(req);
      if (typeof s !== 'string') await endAdminSession(o.db, s.id);
      return cookie.set('', 0);
    },
    async sessionProblem(req) {
      const s = read(req);
      if (typeof s === 'string') return s;
      const now = o.now();
      if (s.expires <= now.getTime()) return 'expired';
      return (await adminSessionLive(o.db, { id: s.id, keyTag, now })) ? null : 'ended';
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The editor login, set by the admin routes; absent or null when ADMIN_PASSWORD is unset. */
    adminAuth?: AdminAuth | null;
  }
}

/** Where a page sends an editor without a session: the login, coming back here afterwards. */
export function loginUrl(req: FastifyRequest): string {
  const path = req.url ?? '/admin';
  return `/admin/login?next=${encodeURIComponent(safeNext(path))}`;
}

/** Only a path under /admin (never //host or another site) may be where a login returns to. */
export function safeNext(next: unknown): string {
  // No dot segments or empty ones either: /admin/../x and /admin//x lead elsewhere once normalised.
  // (%2e is a dot to a URL parser.)
  const path = typeof next === 'string' ? next.split(/[?#]/)[0]!.replace(/%2e/gi, '.') : '';
  // Control characters too: a Location header cannot carry them (the input plugin %-encodes what else is not ASCII).
  return typeof next === 'string' && /^\/admin(?:[/?#]|$)/.test(next) && !/[\\\s\x00-\x1f\x7f]/.test(next) && !/\/\.{1,2}(?:\/|$)|\/\//.test(path) && next.length <= 500 ? next : '/admin';
}

/**
 * The preHandler in front of every editor route. No session: a browser asking for a page is sent to
 * the login (303); anything else (a form post, a JSON client) is 401. ADMIN_PASSWORD unset: 503.
 */
export async function requireAdmin(this: unknown, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const auth = (req.server as FastifyInstance).adminAuth;
  if (!auth) throw new HttpError(503, 'the admin pages are off: set ADMIN_PASSWORD (at least 12 characters) and restart tagcast');
  const problem = await auth.sessionProblem(req);
  if (!problem) return;
  if ((req.method === 'GET' || req.method === 'HEAD') && !wantsJson(req)) {
    await reply.redirect(loginUrl(req), 303);
    return;
  }
  const why = problem === 'expired' ? 'your session has expired: log in again' : problem === 'ended' ? 'this session has ended (logged out): log in again' : 'log in first';
  reply.header('www-authenticate', 'Cookie realm="tagcast admin"');
  throw new HttpError(401, why);
}
