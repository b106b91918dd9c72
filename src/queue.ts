// Redis connection, queue names, job enqueueing with deterministic ids, worker bootstrap, shutdown.
import { DelayedError, Queue, RateLimitError, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/connection.ts';
import { createPacer, type Pacer } from './send/pacer.ts';
import type { Provider } from './send/provider.ts';
import { jobs, type JobName, type JobResult } from '../jobs/index.ts';
import { RECONCILE_EVERY_MS } from '../jobs/reconcile.ts';

/** The hash tag keeps every key of a queue in one Redis Cluster slot. */
export const DEFAULT_PREFIX = '{tagcast}';

/**
 * Plan and finalize run on their own queue, so the provider's rate limit applies to sending only.
 * Names carry the database's installation id: databases sharing a Redis never share jobs.
 */
export function queueNames(installation: string): { issues: string; send: string } {
  return { issues: `issues-${installation}`, send: `send-${installation}` };
}

export interface QueueScope {
  redisUrl: string;
  installation: string;
  prefix?: string;
}

export interface Queues {
  issues: Queue;
  send: Queue;
  connection: Redis;
  scope: Required<QueueScope>;
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(url: string, cause: string) {
    const shown = url.replace(/\/\/[^@/]*@/, '//***@');
    super(
      `Redis is not answering at ${shown} (${cause}). tagcast keeps its job queues in Redis >= 7. ` +
        'Start one with `redis-server --daemonize yes` (Debian/Ubuntu: `sudo apt-get install redis-server`; ' +
        'macOS: `brew install redis && brew services start redis`), or point REDIS_URL at a running server.',
    );
    this.name = 'RedisUnavailableError';
  }
}

export function redisConnection(url: string): Redis {
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null so a blip never fails a command.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** One quick ping with no retries: answers whether Redis is there before anything waits on it. */
// 5 s: a busy machine (or a process still opening PGlite) can take over 2 s to finish a local connect.
export async function pingRedis(url: string, timeoutMs = 5000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new RedisUnavailableError(url, (e as Error).message || 'connection refused');
  } finally {
    probe.disconnect();
  }
}

export function createQueues(scopeIn: QueueScope): Queues {
  const scope = { prefix: DEFAULT_PREFIX, ...scopeIn };
  const { prefix } = scope;
  const names = queueNames(scope.installation);
  const connection = redisConnection(scope.redisUrl);
  const defaults: JobsOptions = {
    removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
  const issues = new Queue(names.issues, { connection, prefix, defaultJobOptions: defaults });
  const send = new Queue(names.send, { connection, prefix, defaultJobOptions: defaults });
  return {
    issues,
    send,
    connection,
    scope,
    async close() {
      await Promise.all([issues.close(), send.close()]);
      connection.disconnect();
    },
  };
}

// Job ids may not contain ':'; they are derived from the payload, so a duplicate add is a no-op.
export const jobIds = {
  'plan-issue': (d: { issueId: number }) => `plan-issue-${d.issueId}`,
  'send-batch': (d: { issueId: number; batch: number }) => `send-batch-${d.issueId}-${d.batch}`,
  'finalize-issue': (d: { issueId: number }) => `finalize-issue-${d.issueId}`,
  'send-notice': (d: { noticeId: number }) => `send-notice-${d.noticeId}`,
};

function queueFor(queues: Queues, name: JobName): Queue {
  return jobs[name].queue === 'send' ? queues.send : queues.issues;
}

function jobOptions(name: JobName, jobId: string, delay = 0): JobsOptions {
  const spec = jobs[name];
  return { jobId, attempts: spec.attempts, backoff: spec.backoff, delay: Math.max(0, Math.round(delay)) };
}

export async function enqueueBatches(queues: Queues, issueId: number, batches: number[]): Promise<void> {
  const chunk = 1000;
  for (let i = 0; i < batches.length; i += chunk) {
    await queues.send.addBulk(
      batches.slice(i, i + chunk).map((batch) => {
        const data = { issueId, batch };
        return { name: 'send-batch', data, opts: jobOptions('send-batch', jobIds['send-batch'](data)) };
      }),
    );
  }
}

/** Queues the email a notice owes; the notice row decides whether it is still owed. */
export async function enqueueNotice(queues: Queues, noticeId: number): Promise<void> {
  const data = { noticeId };
  await queues.send.add('send-notice', data, jobOptions('send-notice', jobIds['send-notice'](data)));
}

export async function enqueueFinalize(queues: Queues, issueId: number): Promise<void> {
  const data = { issueId };
  await queues.issues.add('finalize-issue', data, jobOptions('finalize-issue', jobIds['finalize-issue'](data)));
}

/**
 * Makes sure a job exists that will run: adds it when missing, retries it when it failed, replaces it
 * when an earlier run already completed. Used when resuming from the ledger (after a Redis loss,
 * a pause, or exhausted retries); the ledger makes a spare run harmless.
 */
export async function ensureJob(queues: Queues, name: JobName, data: Record<string, number>, jobId: string, delayMs = 0): Promise<void> {
  const queue = queueFor(queues, name);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') return void (await existing.retry('failed'));
    if (state !== 'completed' && state !== 'unknown') return;
    await existing.remove().catch(() => undefined);
  }
  await queue.add(name, data, jobOptions(name, jobId, delayMs));
}

export interface WorkerDeps {
  /** The send rate shared by every worker (set by startWorkers). */
  rate: SharedRate;
  /** Spaces provider requests across every worker (set by startWorkers). */
  pacer: Pacer;
  db: Db;
  config: Pick<Config, 'secret' | 'publicUrl' | 'mailFrom' | 'resend'>;
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
}

export interface WorkerOptions {
  /** At most this many send-batch jobs at once in this process (fewer at low provider rates). */
  sendConcurrency?: number;
  /** BullMQ lock duration: how long before a dead worker's job is handed to another. */
  lockMs?: number;
  /** How often reconcile re-drives issues from the ledger (default: every minute). */
  reconcileEveryMs?: number;
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

export function startWorkers(depsIn: Omit<WorkerDeps, 'rate' | 'pacer'>, opts: WorkerOptions = {}): Workers {
  const rate = sharedRate(depsIn.queues.send, depsIn.config.resend.rateLimit);
  const pacer = createPacer(depsIn.queues.connection, `${depsIn.queues.send.qualifiedName}:pacer`, () => rate.current);
  const deps: WorkerDeps = { ...depsIn, rate, pacer };
  const { prefix, redisUrl, installation } = deps.queues.scope;
  const names = queueNames(installation);
  // A crashed worker's job is seen as stalled once its lock (renewed every lockDuration/2 while the
  // worker lives) expires, and is retried by another worker; the delivery lease then decides whether
  // the batch is free. maxStalledCount allows several crashes per job before BullMQ fails it (and
  // even then the ledger still holds it for `issue resume`).
  const lockDuration = opts.lockMs ?? 30_000;
  const common = { prefix, lockDuration, stalledInterval: Math.max(500, Math.floor(lockDuration / 2)), maxStalledCount: 10 };
  const run = async (job: Job, token?: string): Promise<JobResult> => {
    const spec = jobs[job.name as JobName];
    if (!spec) throw new UnrecoverableError(`unknown job "${job.name}"`);
    const parsed = spec.schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.issues[0]?.message}`);
    const result = await spec.process(parsed.data as never, { ...deps, job });
    if (result?.delayUntil) {
      // Not a failure: run this job again later without spending an attempt.
      await job.moveToDelayed(result.delayUntil.getTime(), token);
      throw new DelayedError();
    }
    if (typeof result?.rateLimitMs === 'number') {
      // The provider asked us to wait: hold the whole queue (every worker) and put this job back.
      await deps.pacer.hold(result.rateLimitMs);
      await deps.queues.send.rateLimit(result.rateLimitMs);
      throw new RateLimitError();
    }
    return result;
  };
  const connections = [redisConnection(redisUrl), redisConnection(redisUrl)] as const;
  const issues = new Worker(names.issues, run, { ...common, connection: connections[0], concurrency: 4 });
  // The limiter lives in the queue's metadata, so it is one limit for all workers; the send worker
  // starts only once it is set.
  // Enough batches in flight to keep the provider's rate busy (a request takes well under half a
  // second), and no more: extra batches rendering beside a paced request only delay it unevenly.
  const concurrency = Math.min(opts.sendConcurrency ?? 8, Math.max(2, Math.ceil(deps.config.resend.rateLimit / 2) + 1));
  const send = new Worker(names.send, run, { ...common, connection: connections[1], concurrency, autorun: false });
  deps.rate
    .set(deps.config.resend.rateLimit)
    .then(() => send.run())
    .catch((err: Error) => deps.log.error({ err: err.message }, 'send worker did not start'));
  // One scheduler per queue however many workers upsert it: reconcile runs once a minute in all.
  const scheduled = depsIn.queues.issues
    .upsertJobScheduler('reconcile', { every: opts.reconcileEveryMs ?? RECONCILE_EVERY_MS }, { name: 'reconcile', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } })
    .catch((err: Error) => deps.log.error({ err: err.message }, 'reconcile was not scheduled'));
  for (const w of [issues, send]) {
    w.on('failed', (job, err) => deps.log.warn({ job: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    w.on('error', (err) => deps.log.error({ err: err.message }, 'worker error'));
  }
  return {
    workers: [issues, send],
    async close() {
      await scheduled;
      await Promise.all([issues.close(), send.close()]);
      // BullMQ leaves connections it was handed open; they are ours to close.
      for (const c of connections) c.disconnect();
      await deps.provider.close?.();
    },
  };
}
