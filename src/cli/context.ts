// The composition root for CLI commands: config, logger, database, queues and provider, wired once.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { openDb, type Db } from '../db/connection.ts';
import { installationId } from '../db/installation.ts';
import { migrate } from '../db/migrate.ts';
import { metricsKey } from '../lib/redis-keys.ts';
import { sizeYoungGeneration } from '../lib/young-generation.ts';
import { providerRequests } from '../metrics.ts';
import { createQueues, type Queues } from '../queue.ts';
import type { Workers } from '../workers.ts';
import { ensureRedis } from './redis.ts';

/**
 * At or below this provider rate (requests/s, 100 emails each) a worker needs little CPU and runs
 * small: V8 favours memory over speed (its heap grows in small steps), its young generation stays at
 * 1 MB (bin/tagcast.js sets both before any module loads) and it collects after each batch. At the
 * default rate (2/s) that takes a worker's peak RSS from ~500 MB to under 120 MB (docs/decisions.md,
 * "Memory of a worker", "The program sizes the young generation"). Above it all three are off.
 */
export const SMALL_HEAP_RATE = 5;

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

let devSecretNoted = false;

/** The note may be said again in this process, as in a fresh one (tests that share one process). */
export function forgetDevelopmentSecretNoted(): void {
  devSecretNoted = false;
}

/** The file in DATA_DIR that says the development-secret note was shown there. */
export const SECRET_NOTED_FILE = 'development-secret-noted';

/**
 * One stderr line when links are signed with the public development secret: fine for the outbox on
 * localhost (config refuses it anywhere else), but the operator should know. Printed once per data
 * folder (a marker file in DATA_DIR; every run if it cannot be written), only by commands that sign links:
 * told once, it would be noise on every later command.
 */
export function noteDevelopmentSecret(config: Pick<Config, 'secretDefaulted' | 'logLevel' | 'dataDir'>, stream: NodeJS.WritableStream = process.stderr): void {
  if (!config.secretDefaulted || devSecretNoted || config.logLevel === 'silent') return;
  devSecretNoted = true;
  const marker = path.join(config.dataDir, SECRET_NOTED_FILE);
  if (existsSync(marker)) return;
  stream.write(
    'tagcast: note: reader links are signed with the public development secret (fine for the outbox on localhost; set SECRET before sending real mail). Said once for this data folder.\n',
  );
  try {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(marker, `${new Date().toISOString()} tagcast told that reader links are signed with the public development secret; delete this file to be told again.\n`);
  } catch {
    // A read-only data folder: the note comes again next time, which is better than never.
  }
}

export interface ContextOptions {
  /** The command's log level when LOG_LEVEL is not set. */
  logLevel?: string;
  /** The command signs reader links (preview, serve): note a development secret at start. */
  signsLinks?: boolean;
}

export async function createContext(opts: ContextOptions = {}): Promise<Context> {
  const config = loadConfig();
  const log = pino({ level: config.logLevelDefaulted ? (opts.logLevel ?? config.logLevel) : config.logLevel }, pino.destination(2));
  if (opts.signsLinks) noteDevelopmentSecret(config);
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
        queues = createQueues({ redisUrl: redis.url, redisCluster: config.redisCluster, installation: await installationId(db), prefix: config.queuePrefix });
      }
      return queues;
    },
    async startWorkers() {
      // Workers sign every link of every email they send.
      noteDevelopmentSecret(config);
      const q = await ctx.queues();
      // Provider request counts go to Redis, so /metrics on any `serve` process reports every worker's.
      providerRequests.share(q.connection, metricsKey(q.scope.prefix, q.scope.installation));
      // Loaded here, not at start: the renderers and the provider's SDK are most of a process's start-up
      // time and memory, and commands that only read or write the database never need them.
      const [{ startWorkers }, { createProvider }] = await Promise.all([import('../workers.ts'), import('../send/index.ts')]);
      const small = config.resend.rateLimit <= SMALL_HEAP_RATE;
      v8.setFlagsFromString(small ? '--optimize-for-size' : '--no-optimize-for-size');
      // A fast worker lets its young generation double again, up to V8's 16 MB semi-space (bin/tagcast.js
      // held it at 1 MB): a batch's ~20 MB of short-lived strings then die young instead of being promoted.
      sizeYoungGeneration(small);
      workers = startWorkers(
        { db, config, provider: createProvider(config), queues: q, log, now: () => new Date(), batchSize: 100, leaseMs: config.sendLeaseMs },
        { lockMs: config.workerLockMs, collectAfterBatches: small },
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
