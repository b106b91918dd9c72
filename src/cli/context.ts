// The composition root for CLI commands: config, logger, database, queues and provider, wired once.
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { openDb, type Db } from '../db/connection.ts';
import { installationId } from '../db/installation.ts';
import { migrate } from '../db/migrate.ts';
import { createQueues, startWorkers, type Queues, type Workers } from '../queue.ts';
import { createProvider } from '../send/index.ts';
import { ensureRedis } from './redis.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Context {
  config: Config;
  log: Logger;
  db: Db;
  /** Connects to Redis on first use (commands that only touch the database never need it). */
  queues(): Promise<Queues>;
  startWorkers(): Promise<Workers>;
  close(): Promise<void>;
}

export async function createContext(opts: { logLevel?: string } = {}): Promise<Context> {
  const config = loadConfig();
  const log = pino({ level: process.env.LOG_LEVEL ? config.logLevel : (opts.logLevel ?? config.logLevel) }, pino.destination(2));
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  let queues: Queues | undefined;
  let redis: { url: string; stop(): Promise<void> } | undefined;
  let workers: Workers | undefined;
  const ctx: Context = {
    config,
    log,
    db,
    async queues() {
      if (!queues) {
        redis = await ensureRedis(config);
        queues = createQueues({ redisUrl: redis.url, installation: await installationId(db), prefix: config.queuePrefix });
      }
      return queues;
    },
    async startWorkers() {
      const q = await ctx.queues();
      workers = startWorkers(
        { db, config, provider: createProvider(config), queues: q, log, now: () => new Date(), batchSize: 100, leaseMs: config.sendLeaseMs },
        { lockMs: config.workerLockMs },
      );
      return workers;
    },
    async close() {
      await workers?.close();
      await queues?.close();
      await redis?.stop();
      await db.close();
    },
  };
  return ctx;
}
