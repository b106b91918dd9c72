// The Redis connection and the queues: names, prefix, one ping. Enqueueing is in src/enqueue.ts,
// worker start-up in src/workers.ts.
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';

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
