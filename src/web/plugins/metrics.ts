// GET /metrics: Prometheus text of the tagcast_* metrics (src/metrics.ts) and BullMQ's queue metrics,
// and the request-duration histogram every route feeds. With METRICS_TOKEN set the scraper must send
// `Authorization: Bearer <token>` (compared in constant time). Without it /metrics answers only this
// machine: a loopback TCP peer whose request came through no proxy. The figures move as readers
// subscribe (the pending count rises only for a new address), so an open /metrics would tell a
// stranger whether an address is on the list. Never rate-limited: Prometheus scrapes on a timer.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/connection.ts';
import { installationId } from '../../db/installation.ts';
import { metricsKey } from '../../lib/redis-keys.ts';
import { createMetrics, mergeExpositions, type Metrics, type ProviderRequestCounts } from '../../metrics.ts';
import type { Queues, RedisClient } from '../../queue.ts';
import { unencapsulated } from './plugin.ts';
import { routeLabel } from './request-log.ts';

export type MetricsOptions = {
  db: Db;
  /** METRICS_TOKEN; undefined: /metrics answers loopback clients only. */
  token: string | undefined;
  /** QUEUE_PREFIX: where the workers' shared counts are. */
  queuePrefix: string;
  /** A client that fails fast, for the workers' shared counts; unset: this process's counts only. */
  redis?: RedisClient | undefined;
  /** The job queues, for BullMQ's metrics; unset or unreachable: those are left out. */
  queues?: (() => Promise<Queues>) | undefined;
  /** This process's provider request counts (default: the process-wide one). */
  counts?: ProviderRequestCounts | undefined;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's metrics: routes and plugins record into them (e.g. webhook events). */
    metrics: Metrics;
  }
}

/** How long a scrape waits for Redis before leaving BullMQ's figures out. */
const QUEUE_METRICS_TIMEOUT_MS = 2000;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);


const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the request carries the bearer token; hashed first so the comparison takes the same time whatever the length. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && m !== null;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  const a = (address ?? '').replace(/^::ffff:/i, '');
  return /^127\.\d+\.\d+\.\d+$/.test(a) || a === '::1';
}

/**
 * Whether the request comes from this machine itself: judged by the TCP peer, never by X-Forwarded-For
 * (a client writes what it likes there). A request a local reverse proxy forwarded has a loopback
 * peer too, but carries a forwarding header: it came from elsewhere.
 */
function fromThisMachine(req: FastifyRequest): boolean {
  const h = req.headers;
  return isLoopbackAddress(req.raw.socket.remoteAddress) && h['x-forwarded-for'] === undefined && h.forwarded === undefined && h['x-real-ip'] === undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

async function metricsRoutes(app: FastifyInstance, opts: MetricsOptions): Promise<void> {
  let key: Promise<string> | undefined;
  const metrics = createMetrics({
    db: opts.db,
    counts: opts.counts,
    shared: opts.redis
      ? {
          redis: opts.redis,
          key: () => (key ??= installationId(opts.db).then((id) => metricsKey(opts.queuePrefix, id)).catch((e: unknown) => ((key = undefined), Promise.reject(e)))),
        }
      : undefined,
  });
  app.decorate('metrics', metrics);

  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    metrics.httpDuration.observe(
      { method: METHODS.has(req.method) ? req.method : 'other', route: routeLabel(req), status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  async function queueMetrics(): Promise<string> {
    if (!opts.queues) return '';
    try {
      const q = await withTimeout(opts.queues(), QUEUE_METRICS_TIMEOUT_MS);
      const texts = await withTimeout(Promise.all([q.send.exportPrometheusMetrics(), q.issues.exportPrometheusMetrics()]), QUEUE_METRICS_TIMEOUT_MS);
      return mergeExpositions(texts);
    } catch (e) {
      app.log.warn({ err: (e as Error).message }, 'metrics: queue figures left out (Redis not answering)');
      return '';
    }
  }

  app.get('/metrics', { config: { rateLimit: false } }, async (req, reply) => {
    if (opts.token !== undefined && !bearerMatches(req.headers.authorization, opts.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'a bearer token is required (METRICS_TOKEN)' });
    }
    if (opts.token === undefined && !fromThisMachine(req)) {
      return reply.code(403).send({ error: 'without METRICS_TOKEN, /metrics answers only this machine: set METRICS_TOKEN to scrape it from elsewhere' });
    }
    const [own, queues] = await Promise.all([metrics.registry.metrics(), queueMetrics()]);
    return reply.type(metrics.registry.contentType).send(queues ? `${own}\n${queues}` : own);
  });
}

export const metricsPlugin = unencapsulated('tagcast-metrics', metricsRoutes);
