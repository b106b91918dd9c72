// Per-client request limits, through @fastify/rate-limit. The client is the request's IP address
// (an IPv6 client by its /64), so behind a reverse proxy `trustProxy` must name that proxy, or every
// reader shares the proxy's address and one limit.
//
// Every route without a limit of its own shares one global counter per client. A route chooses
// otherwise through its config; its counter is then its own (per client, per route):
//   tighter (public form POSTs):  { config: { rateLimit: app.rateLimits.publicPost } }
//   looser or custom:             { config: { rateLimit: { max: 1000, timeWindow: 60_000 } } }
//   none (health, provider calls): { config: { rateLimit: false } }
//   a default for a whole scope:  useScopeRateLimit(scope, { max, timeWindow } | false)
//
// Store: in memory unless a Redis client is given. Memory counts per process, so N `tagcast serve`
// processes behind a load balancer allow N times the limit; with Redis every process shares one count.
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { RedisClient } from '../../queue.ts';
import { DEFAULT_RATE_LIMIT_NAMESPACE } from '../../lib/redis-keys.ts';
import { HttpError } from './errors.ts';
import { unencapsulated } from './plugin.ts';

export interface Limit {
  max: number;
  /** Milliseconds. */
  timeWindow: number;
}

export interface RateLimits {
  /** Every route without its own limit, all together, per client. */
  global: Limit;
  /** Public form POSTs (subscribe, preferences, delete), per client and route. */
  publicPost: Limit;
  /** Provider webhooks; false: not limited (see DEFAULT_RATE_LIMITS). */
  webhook: Limit | false;
}

const MINUTE = 60_000;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  // 5 a second sustained: far above a reader clicking through pages or an editor polling progress,
  // low enough that one client cannot keep the database busy rendering pages.
  global: { max: 300, timeWindow: MINUTE },
  // Each of these may send an email or change a subscription: a person needs a few, a script many.
  publicPost: { max: 10, timeWindow: MINUTE },
  // The provider posts from a handful of addresses at about our own send rate (hundreds a second
  // during a big issue) and retries what we refuse; every request must carry a valid signature,
  // which costs one HMAC to check. A per-IP limit would refuse the provider long before an attacker.
  webhook: false,
};

export type RateLimitOptions = {
  limits?: Partial<RateLimits> | undefined;
  /** A shared store for several server processes. Give it a client that fails fast (see README). */
  redis?: RedisClient | undefined;
  /** Redis key prefix, so installations sharing a Redis keep separate counts. */
  nameSpace?: string | undefined;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** The configured limits, for routes to name: `config: { rateLimit: app.rateLimits.publicPost }`. */
    rateLimits: RateLimits;
  }
}

/** The key of requests whose client address is gone (see clientKey). */
export const NO_ADDRESS_KEY = 'no-address';

/**
 * The client a request is counted for: its address as the library's own key generator writes it (an
 * IPv6 client by its /64). A client that disconnected before its request was handled has no address
 * any more (Node drops the socket's peer), and the library's generator throws a TypeError on it; such
 * requests share one count instead of going uncounted, so hanging up early is no way around a limit.
 */
export function clientKey(req: Pick<FastifyRequest, 'ip'>): string {
  const ip = req.ip as string | undefined;
  return ip ? normalizeIP(ip, 64) : NO_ADDRESS_KEY;
}

const SCOPE_DEFAULT = Symbol('tagcast.scopeRateLimit');
type Scoped = FastifyInstance & { [SCOPE_DEFAULT]?: Limit | false };

/** Routes registered later in this scope (and its children) get this limit unless they set their own. */
export function useScopeRateLimit(scope: FastifyInstance, limit: Limit | false): void {
  // Child scopes inherit the property through their prototype; siblings and the parent do not.
  (scope as Scoped)[SCOPE_DEFAULT] = limit;
}

async function limits(app: FastifyInstance, opts: RateLimitOptions): Promise<void> {
  const resolved: RateLimits = { ...DEFAULT_RATE_LIMITS, ...opts.limits };
  app.decorate('rateLimits', resolved);

  // Registered before the library's own onRoute hook, so a scope default is in place when it runs.
  app.addHook('onRoute', function (this: FastifyInstance, route: RouteOptions) {
    if (route.config?.rateLimit !== undefined) return;
    const scoped = (this as Scoped)[SCOPE_DEFAULT];
    if (scoped !== undefined) route.config = { ...route.config, rateLimit: scoped };
  });

  await app.register(rateLimit, {
    global: true,
    max: resolved.global.max,
    timeWindow: resolved.global.timeWindow,
    keyGenerator: clientKey,
    ...(opts.redis
      ? {
          redis: opts.redis,
          nameSpace: opts.nameSpace ?? DEFAULT_RATE_LIMIT_NAMESPACE,
          // Redis down must not take the site down with it: requests go through uncounted.
          skipOnError: true,
        }
      : {}),
    // The library adds retry-after (seconds) and x-ratelimit-*; the error handler writes the body.
    errorResponseBuilder: (_req, ctx) => new HttpError(ctx.statusCode, `too many requests: try again in ${ctx.after}`),
  });
}

export const rateLimitPlugin = unencapsulated('tagcast-rate-limit', limits);
