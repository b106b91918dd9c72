// The editor JSON API, /api/v1: bearer tokens (`tagcast tokens create`), zod-validated requests, an
// OpenAPI 3.1 document made from the same schemas. Errors are JSON through the errors plugin.
//
// Order on each request: the token is looked up; the request is counted (per token, or per address
// when there is no valid token: a stranger cannot use up an editor's allowance, nor try tokens
// without limit); then a request without a valid token is refused with 401.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findApiToken, type ApiToken } from '../../db/api-tokens.ts';
import { HttpError } from '../plugins/errors.ts';
import { useScopeRateLimit } from '../plugins/rate-limit.ts';
import type { ServerDeps } from '../app.ts';
import type { ApiDeps } from './deps.ts';
import { issueRoutes } from './issues.ts';
import { API_PREFIX, openApiDocument } from './openapi.ts';
import { defineRoute, type Registry } from './route.ts';
import { scheduleRoutes } from './schedule.ts';
import { subscriberRoutes } from './subscribers.ts';
import { summaryRoutes } from './summaries.ts';

export interface ApiLimits {
  /** Requests per token per window: a script polling progress every second and importing, with room. */
  token: number;
  /** Requests per address per window without a valid token. */
  anonymous: number;
  /** Milliseconds. */
  timeWindow: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = { token: 600, anonymous: 60, timeWindow: 60_000 };

type Auth = { token: ApiToken } | { refused: string; invalidToken: boolean };
const auth = new WeakMap<FastifyRequest, Auth>();

/** The token a request was made with (routes that want to know who asked). */
export function apiTokenOf(req: FastifyRequest): ApiToken | undefined {
  const a = auth.get(req);
  return a && 'token' in a ? a.token : undefined;
}

/** The routes' declarations, in order, as the OpenAPI document lists them. */
export interface ApiHandle {
  registry: Registry;
}

export async function apiRoutes(app: FastifyInstance, deps: ServerDeps, limits: ApiLimits = DEFAULT_API_LIMITS): Promise<ApiHandle> {
  const apiDeps: ApiDeps = { db: deps.db, config: deps.config, now: deps.now ?? (() => new Date()), queues: deps.queues, provider: deps.provider, redis: deps.redis };
  const registry: Registry = [];
  await app.register(
    async (scope) => {
      const api = scope as unknown as FastifyInstance;
      // Counted by the API's own limiter below, not by the site-wide per-address counter.
      useScopeRateLimit(api, false);

      api.addHook('onRequest', async (req) => {
        if (req.routeOptions.config?.apiPublic) return;
        const m = /^Bearer +([!-~]+) *$/i.exec(req.headers.authorization ?? '');
        if (!m) {
          auth.set(req, { refused: 'this API needs a token: send Authorization: Bearer <token> (tagcast tokens create --name NAME)', invalidToken: false });
          return;
        }
        const token = await findApiToken(deps.db, m[1]!);
        auth.set(req, token ? { token } : { refused: 'the token is unknown or revoked', invalidToken: true });
      });
      if (app.hasDecorator('rateLimit')) {
        api.addHook(
          'onRequest',
          app.rateLimit({
            timeWindow: limits.timeWindow,
            keyGenerator: (req: FastifyRequest) => {
              const t = apiTokenOf(req);
              return t ? `api:token:${t.id}` : `api:ip:${req.ip}`;
            },
            max: (req: FastifyRequest) => (apiTokenOf(req) ? limits.token : limits.anonymous),
          }),
        );
      }
      api.addHook('onRequest', async (req, reply) => {
        const a = auth.get(req);
        if (!a || 'token' in a) return;
        reply.header('www-authenticate', a.invalidToken ? 'Bearer realm="tagcast", error="invalid_token"' : 'Bearer realm="tagcast"');
        throw new HttpError(401, a.refused);
      });

      issueRoutes(api, registry, apiDeps);
      summaryRoutes(api, registry, apiDeps);
      subscriberRoutes(api, registry, apiDeps);
      scheduleRoutes(api, registry, apiDeps);

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
