// Worker start-up: the two BullMQ workers (issues, send), the shared send rate and pacer, and the
// in-process heartbeat that keeps the queues healed from the database. Graceful shutdown finishes the
// jobs in flight.
import { DelayedError, MetricsTime, RateLimitError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from 'pino';
import { jobs, type JobContext, type JobOutcome } from '../jobs/index.ts';
import { RECONCILE_EVERY_MS, reconcileOnce } from '../jobs/reconcile.ts';
import type { JobName } from '../jobs/catalog.ts';
import type { Config } from './config.ts';
import type { Db } from './db/connection.ts';
import { enqueueTo } from './enqueue.ts';
import { heartbeatKey, pacerKey, queueNames } from './lib/redis-keys.ts';
import { redisConnection, redisMasters, type Queues } from './queue.ts';
import { createPacer } from './send/pacer.ts';
import type { Provider } from './send/provider.ts';

export interface WorkerDeps {
  db: Db;
  config: Pick<Config, 'secret' | 'publicUrl' | 'mailFrom' | 'resend' | 'defaultTimeZone' | 'templateEngine'>;
  provider: Provider;
  queues: Queues;
  log: Logger;
  now: () => Date;
  /** Deliveries leased per send: a provider batch (≤ 100). */
  batchSize: number;
  /** How long a batch lease lasts; longer than the slowest provider call. */
  leaseMs: number;
}

export interface Workers {
  close(): Promise<void>;
  workers: Worker[];
  /** Runs the heartbeat once now (tests; the timer runs it every reconcileEveryMs). */
  heal(): Promise<void>;
}

export interface WorkerOptions {
  /** At most this many send-batch jobs at once in this process (fewer at low provider rates). */
  sendConcurrency?: number;
  /** BullMQ lock duration: how long before a dead worker's job is handed to another. */
  lockMs?: number;
  /** How often the heartbeat re-drives issues from the ledger (default: every minute). */
  reconcileEveryMs?: number;
  /**
   * Collect garbage after each batch sent (at most every COLLECT_EVERY_MS): for low provider rates,
   * where a batch's ~40 MB of garbage would otherwise pile up to the next collection V8 chooses.
   */
  collectAfterBatches?: boolean;
}

/** The shortest time between two collections asked for by collectAfterBatches (tens of ms each). */
export const COLLECT_EVERY_MS = 400;

/** V8's full garbage collection, made callable without starting Node with --expose-gc. */
export function garbageCollector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Collections at most one per `gapMs`: a request within the gap is not dropped but deferred to its
 * end (one pending at most), so the garbage of a batch that finished just after another's collection
 * (its emails, its JSON and its bytes, ~20 MB) is gone before the next batch builds its own, instead
 * of waiting for the batch after that.
 */
export function spacedCollections(
  gc: () => void,
  gapMs: number,
  clock: { now: () => number; later: (fn: () => void, ms: number) => void },
): { request(): void } {
  let last = -Infinity;
  let pending = false;
  const run = () => {
    pending = false;
    last = clock.now();
    gc();
  };
  return {
    request() {
      if (pending) return;
      const wait = last + gapMs - clock.now();
      if (wait <= 0) return run();
      pending = true;
      clock.later(run, wait);
    },
  };
}

/**
 * The send queue's limiter, stored in Redis so every worker process shares it. Jobs start evenly (one
 * per 1/rate s) rather than in bursts of `rate` per second, at exactly the rate: a hair faster than the
 * pacer's slots (which carry its slack), so each request has its slot waiting for it and the slots,
 * not the job starts, decide when requests reach the provider.
 */
export function rateLimiter(perSecond: number): { max: number; duration: number } {
  const spacing = 1000 / perSecond;
  if (spacing >= 5) return { max: 1, duration: Math.floor(spacing) };
  return { max: Math.max(1, Math.floor(perSecond / 100)), duration: 10 };
}

/** The send rate all workers share; lowered when the provider reports a lower limit. */
export interface SharedRate {
  readonly current: number;
  set(perSecond: number): Promise<void>;
}

export function sharedRate(queue: Queue, initial: number): SharedRate {
  let current = initial;
  return {
    get current() {
      return current;
    },
    async set(perSecond: number) {
      current = perSecond;
      const l = rateLimiter(perSecond);
      await queue.setGlobalRateLimit(l.max, l.duration);
    },
  };
}

/**
 * Warns when Redis may evict keys: BullMQ's jobs and locks would vanish under memory pressure. (The
 * ledger heals it, but slowly and at a cost.) Managed Redis that refuses CONFIG is not an error.
 */
async function warnUnlessNoEviction(queues: Queues, log: Logger): Promise<void> {
  try {
    // On a Redis Cluster CONFIG answers for one node: every master is asked.
    for (const node of await redisMasters(queues.connection)) {
      const reply = (await node.config('GET', 'maxmemory-policy')) as string[];
      const policy = reply[1];
      if (policy && policy !== 'noeviction') {
        log.warn({ policy }, `Redis maxmemory-policy is ${policy}: under memory pressure Redis may delete queued jobs. Set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction).`);
      }
    }
  } catch {
    // CONFIG is disabled on some managed services; nothing to check.
  }
}

export function startWorkers(depsIn: WorkerDeps, opts: WorkerOptions = {}): Workers {
  const rate = sharedRate(depsIn.queues.send, depsIn.config.resend.rateLimit);
  const pacer = createPacer(depsIn.queues.connection, pacerKey(depsIn.queues.scope.prefix, depsIn.queues.scope.installation), () => rate.current);
  const { queues: q, ...shared } = depsIn;
  const deps: JobContext = { ...shared, rate, pacer, enqueue: enqueueTo(q) };
  const { prefix, redisUrl, installation } = q.scope;
  const names = queueNames(installation);
  // A crashed worker's job is seen as stalled once its lock (renewed every lockDuration/2 while the
  // worker lives) expires, and is retried by another worker; the delivery lease then decides whether
  // the batch is free. maxStalledCount allows several crashes per job before BullMQ fails it (and
  // even then the ledger still holds it for the heartbeat or `issue resume`).
  const lockDuration = opts.lockMs ?? 30_000;
  const common = {
    prefix,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    maxStalledCount: 10,
    // Completed and failed counts per minute for a day, which /metrics exports (bullmq_job_*_total).
    metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 24 },
  };
  const collect = opts.collectAfterBatches
    ? spacedCollections(garbageCollector(), COLLECT_EVERY_MS, { now: Date.now, later: (fn, ms) => void setTimeout(fn, ms).unref() }).request
    : undefined;
  const run = async (job: Job, token?: string): Promise<JobOutcome> => {
    const spec = jobs[job.name as JobName];
    if (!spec) throw new UnrecoverableError(`unknown job "${job.name}"`);
    const parsed = spec.schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.issues[0]?.message}`);
    const result: JobOutcome = await spec.process(parsed.data as never, { ...deps, job });
    if (collect && job.name === 'send-batch') collect();
    if (result.outcome === 'delayed') {
      // Not a failure: run this job again later without spending an attempt.
      await job.moveToDelayed(result.until.getTime(), token);
      throw new DelayedError();
    }
    if (result.outcome === 'rate-limited') {
      // The provider asked us to wait: hold the whole queue (every worker) and put this job back.
      await deps.pacer.hold(result.retryAfterMs);
      await q.send.rateLimit(result.retryAfterMs);
      throw new RateLimitError();
    }
    return result;
  };
  const connections = [redisConnection(redisUrl, q.scope.redisCluster), redisConnection(redisUrl, q.scope.redisCluster)] as const;
  const issues = new Worker(names.issues, run, { ...common, connection: connections[0], concurrency: 4 });
  // The limiter lives in the queue's metadata, so it is one limit for all workers; the send worker
  // starts only once it is set.
  // Enough batches in flight to keep the provider's rate busy (a request takes well under half a
  // second), and no more: extra batches rendering beside a paced request only delay it unevenly.
  const concurrency = Math.min(opts.sendConcurrency ?? 8, Math.max(2, Math.ceil(deps.config.resend.rateLimit / 2) + 1));
  const send = new Worker(names.send, run, { ...common, connection: connections[1], concurrency, autorun: false });
  rate
    .set(deps.config.resend.rateLimit)
    .then(() => send.run())
    .catch((err: Error) => deps.log.error({ err: err.message }, 'send worker did not start'));
  void warnUnlessNoEviction(q, deps.log);
  // Reconcile used to be a job scheduler in Redis; the heartbeat below replaced it.
  q.issues.removeJobScheduler('reconcile').catch(() => undefined);
  for (const w of [issues, send]) {
    w.on('failed', (job, err) => deps.log.warn({ job: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    w.on('error', (err) => deps.log.error({ err: err.message }, 'worker error'));
  }

  // The heartbeat lives in this process, not in Redis: a Redis that lost its keys (a restart without
  // persistence, a failover, eviction) loses a Redis-side scheduler too, and nobody would re-drive the
  // issues in flight. Every minute each worker re-asserts what Redis must hold — the shared rate limit,
  // the recurring schedule, a job for every batch and notice the ledger still owes — under a short Redis
  // lock, so with many workers one of them does it each minute.
  const every = opts.reconcileEveryMs ?? RECONCILE_EVERY_MS;
  const lockKey = heartbeatKey(prefix, installation);
  let healing: Promise<void> = Promise.resolve();
  const heal = async () => {
    try {
      const mine = await q.connection.set(lockKey, String(process.pid), 'PX', Math.max(1000, every - 1000), 'NX');
      if (mine !== 'OK') return;
      await rate.set(rate.current);
      await reconcileOnce(deps);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'heartbeat: could not re-drive the queues now; trying again next minute');
    }
  };
  const timer = setInterval(() => {
    healing = healing.then(heal);
  }, every);
  timer.unref();
  return {
    workers: [issues, send],
    heal: () => (healing = healing.then(async () => {
      await q.connection.del(lockKey);
      await heal();
    })),
    async close() {
      clearInterval(timer);
      await healing;
      await Promise.all([issues.close(), send.close()]);
      // BullMQ leaves connections it was handed open; they are ours to close.
      for (const c of connections) c.disconnect();
      await deps.provider.close?.();
    },
  };
}
