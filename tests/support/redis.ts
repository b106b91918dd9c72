// Each test file gets its own queue prefix on the shared Redis, and deletes its keys afterwards.
import { randomBytes } from 'node:crypto';
import { installationId } from '../../src/db/installation.ts';
import type { Db } from '../../src/db/connection.ts';
import { createQueues, redisClient, redisMasters, type QueueScope, type Queues } from '../../src/queue.ts';
import { REDIS_URL } from './env.ts';

/** Where a test's Redis is: the run's shared server unless a test brings its own (a cluster). */
export type RedisTarget = Pick<QueueScope, 'redisUrl' | 'redisCluster'>;

const SHARED: RedisTarget = { redisUrl: REDIS_URL };

export function testPrefix(): string {
  return `{tagcast-test-${randomBytes(4).toString('hex')}}`;
}

export async function testQueues(db: Db, prefix: string, target: RedisTarget = SHARED): Promise<Queues> {
  return createQueues({ ...target, installation: await installationId(db), prefix });
}

/** Deletes every key under the prefix; on a cluster, on every master (SCAN sees one server). */
export async function deleteKeys(prefix: string, target: RedisTarget = SHARED): Promise<number> {
  const client = redisClient(target);
  let n = 0;
  try {
    for (const node of await redisMasters(client)) {
      const stream = node.scanStream({ match: `${prefix}:*`, count: 1000 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length === 0) continue;
        // One DEL per key, pipelined: on a cluster a DEL of several keys must stay in one slot.
        const pipeline = node.pipeline();
        for (const key of keys) pipeline.del(key);
        for (const [err, deleted] of (await pipeline.exec()) ?? []) {
          if (err) throw err;
          n += Number(deleted);
        }
      }
    }
  } finally {
    client.disconnect();
  }
  return n;
}
