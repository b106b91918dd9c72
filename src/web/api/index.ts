// The editor JSON API, /api/v1: bearer tokens (`tagcast tokens create`), zod-validated requests, an
// OpenAPI 3.1 document made from the same schemas. Errors are JSON through the errors plugin.
//
// Order on each request, so that a stranger costs no database query once over the limit:
//   1. the address's stranger allowance is read (not spent): spent already → 429, nothing else done;
//   2. an Authorization that is not `Bearer tc_<43 characters>` → counted against the address, 401
//      (a header of another scheme, charset or length never reaches the database);
//   3. a well-formed token is looked up (one indexed query); unknown or revoked → counted, 401;
//   4. a live token → counted against that token's own allowance (429 past it), then the route.
// A stranger cannot use up an editor's allowance, nor try tokens without limit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findApiToken, isTokenShaped, type ApiToken } from '../../db/api-tokens.ts';
import { apiLimitKeys } from '../../lib/redis-keys.ts';
import { HttpError } from '../plugins/errors.ts';
import { useScopeRateLimit } from '../plugins/rate-limit.ts';
import type { ServerDeps } from '../app.ts';
import { apiEditorOf, type ApiBase, type ApiDeps } from './deps.ts';
import { issueRoutes } from './issues.ts';
import { API_PREFIX, openApiDocument } from './openapi.ts';
import { defineRoute, type Registry } from './route.ts';
import { previewRoutes } from './preview.ts';
import { scheduleRoutes } from './schedule.ts';
import { settingsRoutes } from './settings.ts';
import { noteRoutes } from './notes.ts';
import { subscriberRoutes } from './subscribers.ts';
import { summaryRoutes } from './summaries.ts';
import { tagRoutes } from './tags.ts';
import { tokenRoutes } from './tokens.ts';

export interface ApiLimits {
  /** Requests per token per window: a script polling progress every second and importing, with room. */
  token: number;
  /** Requests per address per window without a valid token. */
  anonymous: number;
  /** Milliseconds. */
  timeWindow: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = { token: 600, anonymous: 60, timeWindow: 60_000 };

const tokens = new WeakMap<FastifyRequest, ApiToken>();

/** The token a request was made with (routes that want to know who asked). */
export function apiTokenOf(req: FastifyRequest): ApiToken | undefined {
  return tokens.get(req);
}

const NEEDS_TOKEN = 'this API needs a token: send Authorization: Bearer <token> (tagcast tokens create --name NAME)';

type Limiter = (req: FastifyRequest, o?: { increment?: boolean }) => Promise<{ isAllowed: boolean; max?: number; remaining?: number; ttlInSeconds?: number; isExceeded?: boolean }>;

/** Spends (or, with increment false, only reads) one request of an allowance; 429 with retry-after past it. */
async function spend(limiter: Limiter | undefined, req: FastifyRequest, reply: FastifyReply, increment = true): Promise<void> {
  if (!limiter) return;
  const s = await limiter(req, { increment });
  if (s.isAllowed || s.max === undefined) return;
  reply.header('x-ratelimit-limit', s.max).header('x-ratelimit-remaining', s.remaining).header('x-ratelimit-reset', s.ttlInSeconds);
  // A read sees the count before this request; a spend sees it after.
  if (increment ? s.isExceeded : s.remaining === 0) {
    reply.header('retry-after', s.ttlInSeconds);
    throw new HttpError(429, `too many requests: try again in ${s.ttlInSeconds} seconds`);
  }
}

/** The routes' declarations, in order, as the OpenAPI document lists them. */
export interface ApiHandle {
  registry: Registry;
}

export async function apiRoutes(app: FastifyInstance, deps: ServerDeps, limits: ApiLimits = DEFAULT_API_LIMITS): Promise<ApiHandle> {
  const base: ApiBase = { db: deps.db, config: deps.config, now: deps.now ?? (() => new Date()), queues: deps.queues, provider: deps.provider, redis: deps.redis };
  const apiDeps: ApiDeps = { ...base, editor: apiEditorOf(base, (req) => apiTokenOf(req)?.name) };
  const registry: Registry = [];
  await app.register(
    async (scope) => {
      const api = scope as unknown as FastifyInstance;
      // Counted by the API's own limiter below, not by the site-wide per-address counter.
      useScopeRateLimit(api, false);

      const limiter = (key: (req: FastifyRequest) => string, max: number): Limiter | undefined =>
        app.hasDecorator('createRateLimit') ? (app.createRateLimit({ timeWindow: limits.timeWindow, max, keyGenerator: key }) as Limiter) : undefined;
      const strangers = limiter((req) => apiLimitKeys.address(req.ip), limits.anonymous);
      const holders = limiter((req) => apiLimitKeys.token(apiTokenOf(req)!.id), limits.token);

      api.addHook('onRequest', async (req, reply) => {
        if (req.routeOptions.config?.apiPublic) return spend(strangers, req, reply);
        await spend(strangers, req, reply, false);
        const m = /^Bearer +([!-~]+) *$/i.exec(req.headers.authorization ?? '');
        const refuse = async (why: string, invalidToken: boolean) => {
          await spend(strangers, req, reply);
          reply.header('www-authenticate', invalidToken ? 'Bearer realm="tagcast", error="invalid_token"' : 'Bearer realm="tagcast"');
          throw new HttpError(401, why);
        };
        if (!m) return refuse(NEEDS_TOKEN, false);
        if (!isTokenShaped(m[1]!)) return refuse('the token is not one tagcast issues (tc_ and 43 letters, digits, - or _)', true);
        const token = await findApiToken(deps.db, m[1]!);
        if (!token) return refuse('the token is unknown or revoked', true);
        tokens.set(req, token);
        return spend(holders, req, reply);
      });

      issueRoutes(api, registry, apiDeps);
      summaryRoutes(api, registry, apiDeps);
      subscriberRoutes(api, registry, apiDeps);
      scheduleRoutes(api, registry, apiDeps);
      tagRoutes(api, registry, apiDeps);
      tokenRoutes(api, registry, apiDeps);
      previewRoutes(api, registry, apiDeps);
      settingsRoutes(api, registry, apiDeps);
      noteRoutes(api, registry, apiDeps);

      defineRoute(
        api,
        registry,
        { method: 'GET', url: '/openapi.json', tag: 'meta', summary: 'This document (open without a token)', public: true },
        async () => openApiDocument(registry, { version: '1.0.0', serverUrl: deps.config.publicUrl }),
      );
    },
    { prefix: API_PREFIX },
  );
  return { registry };
}
