// Long-running processes: workers, the web server, or both plus the scheduler in one process.
import type { Command } from 'commander';
import { recoverAll, recoverNotices } from '../issues.ts';
import { enqueueNotice, enqueueTo } from '../enqueue.ts';
import { redisClient, type QueueScope } from '../queue.ts';
import type { Config } from '../config.ts';
import { createContext, type Context } from './context.ts';
import { publishLocalApi } from './clients/publish.ts';

async function runUntilSignal(ctx: Context, stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      ctx.log.info({ sig }, 'shutting down: finishing jobs in flight');
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await stop();
  await ctx.close();
}

async function startWorker(ctx: Context): Promise<void> {
  await ctx.startWorkers();
  // Whatever the ledger says is owed goes back on the queue: after a crash, a restart or a Redis loss.
  const queues = await ctx.queues();
  const n = await recoverAll(ctx.db, enqueueTo(queues));
  const notices = await recoverNotices(ctx.db, enqueueTo(queues));
  ctx.log.info({ issues: n, notices }, 'worker started');
}

/**
 * The web server, listening. Its rate-limit counts live in Redis so every `tagcast serve` process
 * shares them, through a client of its own that fails fast: the workers' client waits for Redis
 * forever, which would hang requests while Redis is down (the limiter lets them through instead).
 */
async function startServer(ctx: Context, target: Pick<QueueScope, 'redisUrl' | 'redisCluster'>): Promise<() => Promise<void>> {
  // Auto-pipelined: the counts of requests that arrive together go to Redis in one write, not one each.
  const redis = redisClient(target, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, enableAutoPipelining: true });
  redis.on('error', (err: Error) => ctx.log.warn({ err: err.message }, 'rate-limit store unavailable: requests are not counted'));
  const [{ createProvider }, { createServer }] = await Promise.all([import('../send/index.ts'), import('../web/app.ts')]);
  const app = await createServer({
    db: ctx.db,
    config: ctx.config,
    log: ctx.log,
    trustProxy: ctx.config.trustProxy,
    redis,
    // Connects to the queues on first use, so the pages work (and notices wait for reconcile) while Redis is away.
    enqueueNotice: async (id) => enqueueNotice(await ctx.queues(), id),
    queues: () => ctx.queues(),
    provider: createProvider(ctx.config),
  });
  await app.listen({ port: ctx.config.port, host: ctx.config.host });
  // On PGlite no other process can open the database: local commands reach it through the API instead.
  const unpublish = await publishLocalApi(ctx.db, ctx.config, app.server.address());
  return async () => {
    await unpublish();
    await app.close();
    redis.disconnect();
  };
}

/**
 * What a person at a terminal needs once the server listens: the pages to open and what stands in the
 * way. JSON log lines are for machines; on a terminal they are kept to warnings unless LOG_LEVEL asks.
 */
export function listeningLine(config: Pick<Config, 'publicUrl' | 'host' | 'port' | 'adminPassword' | 'secretDefaulted'>, workers: boolean): string {
  const admin = config.adminPassword ? `${config.publicUrl}/admin` : `${config.publicUrl}/admin (set ADMIN_PASSWORD in .env first: 12 characters or more)`;
  const where = config.host === '0.0.0.0' || config.host === '::' ? `port ${config.port}, every interface` : `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port} only${config.secretDefaulted ? ', as links use the development secret (HOST changes it)' : ''}`;
  return `tagcast is running${workers ? ' (web server, workers and schedule)' : ' (web server)'}: open ${config.publicUrl}/subscribe to subscribe and ${admin} to edit; listening on ${where}; Ctrl-C stops.`;
}

/** On a terminal (and LOG_LEVEL unset) info logs stay quiet: the listening line says it for people. */
function processLogLevel(tty: boolean): string | undefined {
  return tty ? 'warn' : undefined;
}

export function registerProcesses(program: Command): void {
  program
    .command('worker')
    .description('run queue workers (plan, send, finalize); any number may run, on any machines, with PostgreSQL')
    .action(async () => {
      const ctx = await createContext();
      await startWorker(ctx);
      await runUntilSignal(ctx, async () => undefined);
    });

  program
    .command('serve')
    .description('run the web server (pages, webhooks, API)')
    .action(async () => {
      const tty = Boolean(process.stdout.isTTY);
      const ctx = await createContext({ signsLinks: true, logLevel: processLogLevel(tty) });
      const stop = await startServer(ctx, { redisUrl: ctx.config.redisUrl, redisCluster: ctx.config.redisCluster });
      if (tty) process.stdout.write(`${listeningLine(ctx.config, false)}\n`);
      await runUntilSignal(ctx, stop);
    });

  program
    .command('start')
    .description('workers, web server and scheduler in one process (the embedded-database setup)')
    .action(async () => {
      const tty = Boolean(process.stdout.isTTY);
      const ctx = await createContext({ signsLinks: true, logLevel: processLogLevel(tty) });
      await startWorker(ctx);
      // The workers' Redis: a private one when `start` had to start it.
      const stop = await startServer(ctx, (await ctx.queues()).scope);
      if (tty) process.stdout.write(`${listeningLine(ctx.config, true)}\n`);
      await runUntilSignal(ctx, stop);
    });
}
