// `tagcast issue test ID --to EMAIL [--as SUBSCRIBER_EMAIL]`: one test email of an issue's digest
// (src/send/test-send.ts), through the configured provider, without touching the issue; beside a running
// server on the embedded database, through that server's API (its provider, its limit).
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { issueOps } from '../editor/issues.ts';
import { redisClient, type RedisClient } from '../queue.ts';
import { normaliseEmail } from '../lib/mail.ts';
import { parseId } from './args.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';

/** Redis for the shared limit when it answers at once; the command works without it (counted in-process). */
async function limitStore(config: Config): Promise<RedisClient | undefined> {
  const redis = redisClient(
    { redisUrl: config.redisUrl, redisCluster: config.redisCluster },
    { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 5000, retryStrategy: () => null },
  );
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

/** Where the outbox wrote the test, when the provider is the outbox. */
function outboxOf(config: Pick<Config, 'emailProvider' | 'outboxDir'>, id: number): string | undefined {
  return config.emailProvider === 'outbox' ? `${config.outboxDir}/test-${id}` : undefined;
}

export function registerIssueTest(issueCommand: Command): void {
  issueCommand
    .command('test')
    .description('send one test email of an issue\'s digest (subject "[Test] …"); not a delivery, not counted in the issue')
    .argument('<id>')
    .requiredOption('--to <email>', 'where the test goes')
    .option('--as <email>', "the subscriber whose digest to send (default: every tag of the issue's week)")
    .action(async (raw: string, o: { to: string; as?: string }) => {
      const id = parseId(raw);
      const to = normaliseEmail(o.to);
      if ('error' in to) throw new UsageError(`--to: ${to.error}`);
      const as = o.as === undefined ? undefined : normaliseEmail(o.as);
      if (as && 'error' in as) throw new UsageError(`--as: ${as.error}`);
      const input = { to: to.email, ...(as ? { as: as.email } : {}) };
      const { providerId, outbox } = await withEditor(
        async (ed, where) => {
          // Through the API the server sends it with its provider and limit; here this process does.
          if (!where.local) return { ...(await ed.issues.test(id, input)), outbox: outboxOf(loadConfig(), id) };
          const ctx = where.local;
          const { createProvider } = await import('../send/index.ts');
          const [redis, provider] = [await limitStore(ctx.config), createProvider(ctx.config)];
          try {
            const ops = issueOps({ db: ctx.db, config: ctx.config, now: () => new Date(), provider, redis, actor: 'cli' });
            const r = await ops.test(id, input);
            return { ...r, outbox: outboxOf(ctx.config, id) };
          } finally {
            await provider.close?.();
            redis?.disconnect();
          }
        },
        { logLevel: 'warn', signsLinks: true },
      );
      process.stdout.write(`sent a test of issue ${id} to ${to.email}${as ? ` as ${as.email}` : ''}${providerId ? ` · id ${providerId}` : ''}${outbox ? ` (outbox: ${outbox})` : ''}\n`);
    });
}
