// The Redis connection and the queues: names, prefix, one ping. Enqueueing is in src/enqueue.ts,
// worker start-up in src/workers.ts.
import { Queue, type JobsOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { DEFAULT_PREFIX, queueNames } from './lib/redis-keys.ts';

export interface QueueScope {
  /** One server's URL; for a cluster, one or more nodes' URLs separated by commas. */
  redisUrl: string;
  /** REDIS_CLUSTER: the URL names Redis Cluster nodes (default: one server). */
  redisCluster?: boolean;
  installation: string;
  prefix?: string;
}

/** A connection to one Redis server or to a Redis Cluster: the same commands either way. */
export type RedisClient = Redis | Cluster;

export interface Queues {
  issues: Queue;
  send: Queue;
  connection: RedisClient;
  scope: Required<QueueScope>;
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(url: string, cause: string, cluster = false) {
    const shown = url.replace(/\/\/[^@/,]*@/g, '//***@');
    super(
      cluster
        ? `Redis Cluster is not answering at ${shown} (${cause}). With REDIS_CLUSTER=true, REDIS_URL names one or more nodes of a ` +
            'running Redis Cluster (>= 7) whose `cluster info` says cluster_state:ok; unset REDIS_CLUSTER for a single server.'
        : `Redis is not answering at ${shown} (${cause}). tagcast keeps its job queues in Redis >= 7. ` +
            'Start one with `redis-server --daemonize yes` (Debian/Ubuntu: `sudo apt-get install redis-server`; ' +
            'macOS: `brew install redis && brew services start redis`), or point REDIS_URL at a running server.',
    );
    this.name = 'RedisUnavailableError';
  }
}

/**
 * The nodes a cluster client starts from, and what every node's connection needs from the URLs:
 * user, password and TLS (a cluster's nodes share them; src/config.ts checks the seeds agree).
 * Only the seeds' host and port are used to find the cluster; the nodes it names are reached as it
 * names them.
 */
function clusterSeeds(urls: string): { nodes: { host: string; port: number }[]; node: RedisOptions } {
  const parsed = urls
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => new URL(s));
  const first = parsed[0];
  if (!first) throw new Error('no Redis Cluster node to connect to');
  const node: RedisOptions = {};
  if (first.username) node.username = decodeURIComponent(first.username);
  if (first.password) node.password = decodeURIComponent(first.password);
  if (first.protocol === 'rediss:') node.tls = {};
  return { nodes: parsed.map((u) => ({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) })), node };
}

/**
 * The one place a Redis connection is made: a plain client for one server, or an ioredis Cluster
 * client for REDIS_CLUSTER. Options are written as for one server; for a cluster, those about the
 * client as a whole (connecting lazily, the offline queue, the ready check, reconnecting) go to the
 * cluster client, and the rest to every node's connection (`redisOptions`, where BullMQ looks for
 * maxRetriesPerRequest: null).
 */
export function redisClient(target: { redisUrl: string; redisCluster?: boolean }, opts: RedisOptions = {}): RedisClient {
  if (!target.redisCluster) return new Redis(target.redisUrl, opts);
  const { lazyConnect, enableOfflineQueue, enableReadyCheck, enableAutoPipelining, retryStrategy, ...perNode } = opts;
  const seeds = clusterSeeds(target.redisUrl);
  const options: ClusterOptions = { redisOptions: { ...seeds.node, ...perNode } };
  if (lazyConnect !== undefined) options.lazyConnect = lazyConnect;
  if (enableOfflineQueue !== undefined) options.enableOfflineQueue = enableOfflineQueue;
  if (enableReadyCheck !== undefined) options.enableReadyCheck = enableReadyCheck;
  if (enableAutoPipelining !== undefined) options.enableAutoPipelining = enableAutoPipelining;
  if (retryStrategy !== undefined) options.clusterRetryStrategy = retryStrategy;
  return new Cluster(seeds.nodes, options);
}

export function redisConnection(url: string, cluster = false): RedisClient {
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null so a blip never fails a command.
  return redisClient({ redisUrl: url, redisCluster: cluster }, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * Every server that holds keys: the client itself, or each master of a cluster (once the cluster
 * client is ready and knows them). SCAN, KEYS, FLUSHDB and CONFIG see one server only, so whatever
 * uses them runs them on each of these.
 */
export async function redisMasters(client: RedisClient): Promise<Redis[]> {
  if (!(client instanceof Cluster)) return [client];
  if (client.status !== 'ready') {
    if (client.status === 'wait') await client.connect();
    else {
      await new Promise<void>((resolve, reject) => {
        const onReady = () => (client.off('end', onEnd), resolve());
        const onEnd = () => (client.off('ready', onReady), reject(new Error('the Redis Cluster connection closed')));
        client.once('ready', onReady);
        client.once('end', onEnd);
      });
    }
  }
  return client.nodes('master');
}

/** One quick ping with no retries: answers whether Redis is there before anything waits on it. */
// 5 s: a busy machine (or a process still opening PGlite) can take over 2 s to finish a local connect.
export async function pingRedis(url: string, timeoutMs = 5000, cluster = false): Promise<void> {
  const probe = redisClient(
    { redisUrl: url, redisCluster: cluster },
    { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null },
  );
  // A cluster client rejects with "None of startup nodes is available"; its error events say why
  // (e.g. the server at REDIS_URL is not in cluster mode).
  let why: string | undefined;
  probe.on('error', (e: Error & { lastNodeError?: Error }) => (why = e.lastNodeError?.message ?? e.message));
  let timer: NodeJS.Timeout | undefined;
  try {
    // A cluster client gives up on its own only after it tried each node: the timeout bounds it all.
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)));
    await Promise.race([
      (async () => {
        await probe.connect();
        await probe.ping();
      })(),
      timeout,
    ]);
  } catch (e) {
    const cause = (e as Error).message || 'connection refused';
    throw new RedisUnavailableError(url, cluster && why && why !== cause ? `${cause}: ${why}` : cause, cluster);
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

export function createQueues(scopeIn: QueueScope): Queues {
  const scope = { prefix: DEFAULT_PREFIX, redisCluster: false, ...scopeIn };
  const { prefix } = scope;
  const names = queueNames(scope.installation);
  const connection = redisConnection(scope.redisUrl, scope.redisCluster);
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
