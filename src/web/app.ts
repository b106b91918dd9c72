// The Fastify application: the baseline every route shares (security headers, rate limits, errors,
// form bodies), then health, readiness and provider webhooks. Reader pages, the editor API and the
// admin pages register on top of it (see src/web/plugins/*.ts for how a route changes its CSP or limit).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { ping } from '../db/health.ts';
import { rateLimitNamespace } from '../lib/redis-keys.ts';
import type { Queues, RedisClient } from '../queue.ts';
import type { Provider } from '../send/provider.ts';
import { clientErrorAnswer, errorAnswer, errorsPlugin, type ErrorPage } from './plugins/errors.ts';
import { inputPlugin, listRoutes } from './plugins/input.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { rateLimitPlugin, type RateLimits } from './plugins/rate-limit.ts';
import { RequestLog, requestLogPlugin, safeSerializers } from './plugins/request-log.ts';
import { preRoutingHeaders, securityPlugin } from './plugins/security.ts';
import { createCsrf } from './csrf.ts';
import { sitePage } from './reader/common.tsx';
import { readerRoutes } from './reader/index.ts';
import { webhookRoutes } from './webhooks.ts';
import { refreshSiteIdentity, siteIdentityHook } from './site.ts';
import { createPageCache, type PageCache } from './page-cache.ts';
import { adminRoutes } from './admin/index.tsx';
import { apiRoutes, type ApiLimits } from './api/index.ts';

export interface ServerDeps {
  db: Db;
  config: Config;
  log: Logger;
  /**
   * Which proxies' X-Forwarded-For to believe (Fastify's trustProxy): their addresses or CIDRs
   * ("127.0.0.1,10.0.0.0/8", or proxy-addr's names loopback, linklocal, uniquelocal), or true for
   * any. Unset: none, and the client is the TCP peer. Behind a reverse proxy this must be set, or
   * every reader is the proxy and shares one rate limit; never true when clients can reach the
   * server directly, or they choose their own address. (A hop count is not offered: Fastify 5
   * treats a number as "trust nothing".)
   */
  trustProxy?: boolean | string | string[] | undefined;
  /** A Redis client for rate-limit counts shared by every server process; unset: counted per process. */
  redis?: RedisClient | undefined;
  /** Overrides of DEFAULT_RATE_LIMITS (tests use small ones). */
  rateLimits?: Partial<RateLimits> | undefined;
  /** The JSON API's own limits (default DEFAULT_API_LIMITS). */
  apiLimits?: ApiLimits | undefined;
  /** The HTML error page; the default is the site's own layout. */
  errorPage?: ((page: ErrorPage) => string) | undefined;
  /**
   * Queues the email a notice owes (a confirmation, an export or delete link). Best effort: the
   * notice row is written first, and reconcile sends any notice whose job never reached the queue.
   */
  enqueueNotice?: ((noticeId: number) => Promise<void>) | undefined;
  now?: (() => Date) | undefined;
  /**
   * The job queues, connected on first use (editor actions that schedule, resume or re-drive an
   * issue need them; the reader pages never wait on Redis). Unset: those actions answer 503.
   */
  queues?: (() => Promise<Queues>) | undefined;
  /** The configured provider, for test sends from the admin pages and the API. */
  provider?: Provider | undefined;
  /** How long a request may take to arrive, in milliseconds (default a minute; tests use less). */
  requestTimeout?: number | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The public pages' cache: its counts show what was rendered and what was answered from memory. */
    pageCache: PageCache;
  }
}

/** Form posts are small; the editor's uploads use multipart on their own routes. */
const FORM_BODY_LIMIT = 100 * 1024;

export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const errorPage = deps.errorPage ?? sitePage(deps.config.archive);
  const answerError = errorAnswer(errorPage);
  const headers = preRoutingHeaders({ publicUrl: deps.config.publicUrl });
  const options: FastifyServerOptions = {
    trustProxy: deps.trustProxy ?? false,
    // Unique across processes and restarts, so the id on an error page finds one log line.
    genReqId: () => randomUUID(),
    // A client that trickles its request in gives up its connection (slowloris) after a minute.
    requestTimeout: deps.requestTimeout ?? 60_000,
    // One line per request from the request-log plugin: route pattern, status, time, never the raw URL.
    logController: new RequestLog(),
    // Malformed URLs are refused before routing (no hook runs): same headers and format as any error.
    frameworkErrors: (err, req, reply) => {
      reply.headers(headers);
      answerError(err, req, reply);
    },
    // Requests Node cannot parse at all: the same page and headers instead of Node's bare JSON.
    clientErrorHandler: clientErrorAnswer(errorPage, headers, deps.log),
  };
  const app = Fastify({ ...options, loggerInstance: deps.log.child({}, { serializers: safeSerializers }) as never }) as unknown as FastifyInstance;

  listRoutes(app);
  // Order matters: headers first, so every later answer (a 429, an error, a 404) carries them.
  await app.register(securityPlugin, { publicUrl: deps.config.publicUrl });
  await app.register(requestLogPlugin);
  // Early, so every route's duration is measured; /metrics itself is never rate-limited.
  await app.register(metricsPlugin, { db: deps.db, token: deps.config.metricsToken, queuePrefix: deps.config.queuePrefix, redis: deps.redis, queues: deps.queues });
  await app.register(rateLimitPlugin, {
    limits: deps.rateLimits,
    redis: deps.redis,
    nameSpace: rateLimitNamespace(deps.config.queuePrefix),
  });
  await app.register(errorsPlugin, { renderPage: errorPage });
  // Refuses NUL, broken escapes and bytes that are not UTF-8 in any URL or body; parses form bodies.
  await app.register(inputPlugin, { formBodyLimit: FORM_BODY_LIMIT });
  // The publication's name for pages and feeds (read at most every few seconds; src/web/site.ts).
  app.addHook('onRequest', siteIdentityHook(deps));

  // Load balancers poll these from a few addresses every few seconds: never rate-limited.
  app.get('/healthz', { config: { rateLimit: false } }, async () => ({ ok: true }));
  app.get('/readyz', { config: { rateLimit: false } }, async (_req, reply) => {
    try {
      await ping(deps.db);
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false, reason: 'database not reachable' });
    }
  });
  await app.register(async (scope) =>
    webhookRoutes(scope as unknown as FastifyInstance, {
      db: deps.db,
      secret: deps.config.resend.webhookSecret,
      rateLimit: app.rateLimits.webhook,
      signing: { secret: deps.config.secret, mailFrom: deps.config.mailFrom },
      onEvent: (type) => app.metrics.countWebhookEvent(type),
    }),
  );
  const enqueue = deps.enqueueNotice;
  // The public pages rendered once per generation (src/web/page-cache.ts); the name read again when it moves.
  const pages = createPageCache(deps.db, () => refreshSiteIdentity(deps));
  app.decorate('pageCache', pages);
  await readerRoutes(app, {
    pages,
    db: deps.db,
    config: deps.config,
    csrf: createCsrf({ secret: deps.config.secret, publicUrl: deps.config.publicUrl }),
    enqueueNotice: (id) => {
      if (!enqueue) return;
      enqueue(id).catch((err: Error) => app.log.warn({ err: err.message, notice: id }, 'notice not queued now; reconcile sends it within a minute'));
    },
    now: deps.now ?? (() => new Date()),
  });
  await apiRoutes(app, deps, deps.apiLimits);
  await adminRoutes(app, { db: deps.db, config: deps.config, csrf: createCsrf({ secret: deps.config.secret, publicUrl: deps.config.publicUrl }), now: deps.now ?? (() => new Date()), queues: deps.queues, provider: deps.provider, redis: deps.redis });
  return app;
}
