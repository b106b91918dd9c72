// CSRF protection for every form that changes something (all but the RFC 8058 one-click POST, which
// mailbox providers send without cookies or tokens). A signed double-submit cookie, as OWASP
// describes it: the browser holds a random value in a SameSite cookie, each form carries an HMAC of
// that value; a forged cross-site form can send the cookie but cannot know the HMAC. Stateless, so
// any number of `tagcast serve` processes agree. A request whose Origin names another site is
// refused as well. On an https site the cookie is `__Host-tagcast_csrf` (see siteCookie).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const COOKIE = 'tagcast_csrf';
const VALUE = /^[A-Za-z0-9_-]{22}$/;

export interface Csrf {
  /** The form field for this request, setting the cookie when the browser has none yet. */
  token(req: FastifyRequest, reply: FastifyReply): string;
  /** Null when the form may go ahead, else the reason it may not. */
  check(req: FastifyRequest, field: unknown): string | null;
}

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export interface SiteCookie {
  /** Its name on this site: with the `__Host-` prefix on https. */
  name: string;
  read(req: FastifyRequest): string | undefined;
  /** The Set-Cookie value holding value for maxAge seconds (0: the browser drops it). */
  set(value: string, maxAge: number): string;
}

/**
 * A cookie of this site. On https its name has the `__Host-` prefix, which the browser keeps only
 * when Secure, Path=/ and without Domain: neither a sibling subdomain nor a plain-http answer on the
 * same host can set or shadow it, and an unprefixed cookie of that name is never read. Plain http
 * (development on localhost) keeps the bare name, the path asked for and no Secure, or the browser
 * would never send it back.
 */
export function siteCookie(name: string, publicUrl: string, o: { path: string; sameSite: 'Strict' | 'Lax' }): SiteCookie {
  const https = new URL(publicUrl).protocol === 'https:';
  const full = https ? `__Host-${name}` : name;
  const attributes = https ? `Path=/; HttpOnly; SameSite=${o.sameSite}; Secure` : `Path=${o.path}; HttpOnly; SameSite=${o.sameSite}`;
  return {
    name: full,
    read: (req) => readCookie(req, full),
    set: (value, maxAge) => `${full}=${value}; ${attributes}; Max-Age=${maxAge}`,
  };
}

export function createCsrf(opts: { secret: string; publicUrl: string }): Csrf {
  const cookie = siteCookie(COOKIE, opts.publicUrl, { path: '/', sameSite: 'Lax' });
  const origin = new URL(opts.publicUrl).origin;
  // A value set on this response is not in the request's cookies yet; every form on the page uses it.
  const issued = new WeakMap<FastifyRequest, string>();
  const sign = (value: string) => createHmac('sha256', opts.secret).update(`tagcast-csrf-v1\0${value}`).digest('base64url').slice(0, 32);
  return {
    token(req, reply) {
      let value = issued.get(req) ?? cookie.read(req);
      if (!value || !VALUE.test(value)) {
        value = randomBytes(16).toString('base64url');
        reply.header('set-cookie', cookie.set(value, 60 * 60 * 24 * 30));
        issued.set(req, value);
      }
      return sign(value);
    },
    check(req, field) {
      const sent = req.headers.origin;
      if (typeof sent === 'string' && sent !== 'null' && sent !== origin) {
        const host = req.headers.host;
        // Same host as the request (a deployment reached by another name than PUBLIC_URL) is still same-site.
        if (!host || sent.replace(/^https?:\/\//, '') !== host) return 'this form was sent from another site';
      }
      const value = cookie.read(req);
      if (!value || !VALUE.test(value)) return 'your browser did not send back the form cookie: allow cookies for this site and try again';
      if (typeof field !== 'string' || field.length !== 32) return 'the form is missing its security field: reload the page and try again';
      const a = Buffer.from(field);
      const b = Buffer.from(sign(value));
      return a.length === b.length && timingSafeEqual(a, b) ? null : 'the form has expired: reload the page and try again';
    },
  };
}
