// Security headers for every response (pages, JSON, errors, 404s), through @fastify/helmet.
//
// Pages are server-rendered and work without JavaScript, so the policy allows nothing but this
// site's own stylesheets, scripts and images: no inline script or style, no framing, no plugins,
// forms post only here. The one script a page wants (pre-filling the time zone from Intl) is a
// static file under /assets (`script-src 'self'`), not an inline one: the header stays the same on
// every response, pages stay cacheable, and no template can forget a nonce. A route that really
// needs an inline script can still opt into a per-response nonce (see `cspRoute`).
//
// Another policy for one route:    app.get('/web/:issue', { helmet: cspRoute(EMAIL_PAGE_CSP) }, …)
// Another policy for a whole scope: useScopeCsp(scope, cspRoute({ … }))  (e.g. Bull Board's pages)
// An inline script with a nonce:   { helmet: cspRoute(PAGE_CSP, { nonce: true }) } → reply.cspNonce.script
// Any other header for one route:  { helmet: { crossOriginResourcePolicy: { policy: 'cross-origin' } } }
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { unencapsulated } from './plugin.ts';

export type CspDirectives = Record<string, string[]>;
type RouteHelmet = Exclude<NonNullable<RouteOptions['helmet']>, false>;

/** The policy of every page and every other response. */
export const PAGE_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
};

/**
 * An email shown as a page (the web version of a digest): email HTML carries its styles inline
 * (style attributes and <style> blocks), so inline styles are allowed; scripts are not (no
 * script-src, so default-src 'none' applies).
 */
export const EMAIL_PAGE_CSP: CspDirectives = {
  ...withoutKey(PAGE_CSP, 'script-src'),
  'style-src': ["'self'", "'unsafe-inline'"],
};

/**
 * Bull Board's UI (/admin/queues/*, editors only): its bundled scripts and stylesheet are served from
 * here ('self'), but React sets inline styles and the page carries a <style> block, its fetches go to
 * its own API (connect-src), and its <base href> makes its relative asset paths work (base-uri). Its
 * link to Google Fonts is left blocked: the UI falls back to system fonts, and an editor's browser
 * tells no third party it opened the queues.
 */
export const BULL_BOARD_CSP: CspDirectives = {
  ...PAGE_CSP,
  'style-src': ["'self'", "'unsafe-inline'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'base-uri': ["'self'"],
};

function withoutKey(d: CspDirectives, key: string): CspDirectives {
  const { [key]: _dropped, ...rest } = d;
  return rest;
}

/** The header value a set of directives gives (helmet's own serialisation). */
export function cspHeader(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join(';');
}

/**
 * Route option `helmet` for a route with its own Content-Security-Policy. Every other header stays
 * as the plugin sets it. Nonces are off unless asked for: a nonce in style-src would make browsers
 * ignore 'unsafe-inline', which EMAIL_PAGE_CSP needs.
 */
export function cspRoute(directives: CspDirectives, opts: { nonce?: boolean } = {}): RouteHelmet {
  return { enableCSPNonces: opts.nonce ?? false, contentSecurityPolicy: { useDefaults: false, directives } };
}

/**
 * Gives every route registered later in this scope (and its children) these helmet settings, unless
 * the route sets its own. For route groups one cannot annotate route by route, e.g. Bull Board.
 */
export function useScopeCsp(scope: FastifyInstance, helmetOptions: RouteHelmet): void {
  // helmet reads `config.helmet` at request time, so setting it here works whatever the hook order.
  // (This hook runs after helmet's own, which has already moved any route-level `helmet` into config.)
  scope.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as NonNullable<RouteOptions['config']> & { helmet?: unknown };
    if (route.helmet !== undefined || config.helmet !== undefined) return;
    route.config = { ...config, helmet: helmetOptions } as RouteOptions['config'];
  });
}

export type SecurityOptions = {
  /** PUBLIC_URL: HSTS is sent only when readers reach the site over https. */
  publicUrl: string;
};

/** The options handed to @fastify/helmet; exported so tests and docs can show them. */
export function helmetOptions(opts: SecurityOptions): FastifyHelmetOptions {
  const https = new URL(opts.publicUrl).protocol === 'https:';
  return {
    global: true,
    enableCSPNonces: false,
    contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP },
    // Reader links carry their token in the query string: a Referer must never repeat it elsewhere.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // A year, this host only: subdomains of PUBLIC_URL's host are not tagcast's to decide for.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // Helmet's defaults for the rest: nosniff, Origin-Agent-Cluster, X-DNS-Prefetch-Control off,
    // X-Download-Options, X-Permitted-Cross-Domain-Policies none, X-XSS-Protection 0.
  };
}

/**
 * The same headers as a plain header map, for the few answers Fastify gives before any hook runs
 * (a malformed URL is refused before routing). tests/integration/web.test.ts checks they match.
 */
export function preRoutingHeaders(opts: SecurityOptions): Record<string, string> {
  const https = new URL(opts.publicUrl).protocol === 'https:';
  return {
    'content-security-policy': cspHeader(PAGE_CSP),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
    ...(https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

async function security(app: FastifyInstance, opts: SecurityOptions): Promise<void> {
  await app.register(helmet, helmetOptions(opts));
  // Most responses are personal (reader links carry tokens): no shared cache or back/forward cache
  // keeps them unless a route says otherwise (assets, archive, feeds set their own Cache-Control).
  app.addHook('onSend', async (_req, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
}

export const securityPlugin = unencapsulated('tagcast-security', security);
