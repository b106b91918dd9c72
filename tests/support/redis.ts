// Each test file gets its own queue prefix on the shared Redis, and deletes its keys afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { installationId } from '../../src/db/installation.ts';
import type { Db } from '../../src/db/connection.ts';
import { createQueues, type Queues } from '../../src/queue.ts';
import { REDIS_URL } from './env.ts';

export function testPrefix(): string {
  return `{tagcast-test-${randomBytes(4).toString('hex')}}`;
}

export async function testQueues(db: Db, prefix: string): Promise<Queues> {
  return createQueues({ redisUrl: REDIS_URL, installation: await installationId(db), prefix });
}

export async function deleteKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  let n = 0;
  try {
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) n += await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
  return n;
}
