// `tagcast issue test ID --to EMAIL [--as SUBSCRIBER_EMAIL]`: one test email of an issue's digest
// (src/send/test-send.ts), through the configured provider, without touching the issue.
import type { Command } from 'commander';
import { subscriberForPreview } from '../db/report.ts';
import type { Config } from '../config.ts';
import { redisClient, type RedisClient } from '../queue.ts';
import { normaliseEmail } from '../lib/mail.ts';
import { parseId } from './args.ts';
import { createContext, UsageError } from './context.ts';

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
      const ctx = await createContext({ logLevel: 'warn', signsLinks: true });
      const redis = await limitStore(ctx.config);
      const [{ createProvider }, { sendTestEmail, TestSendError }] = await Promise.all([import('../send/index.ts'), import('../send/test-send.ts')]);
      const provider = createProvider(ctx.config);
      try {
        let subscriberId: number | undefined;
        if (as) {
          const reader = await subscriberForPreview(ctx.db, as.email);
          if (!reader) throw new UsageError(`--as: no subscriber ${as.email}`);
          subscriberId = reader.id;
        }
        const { providerId } = await sendTestEmail(
          { db: ctx.db, provider, config: ctx.config, now: () => new Date(), ...(redis ? { redis } : {}) },
          id,
          to.email,
          subscriberId === undefined ? {} : { subscriberId },
        );
        const where = ctx.config.emailProvider === 'outbox' ? ` (outbox: ${ctx.config.outboxDir}/test-${id})` : '';
        process.stdout.write(`sent a test of issue ${id} to ${to.email}${as ? ` as ${as.email}` : ''}${providerId ? ` · id ${providerId}` : ''}${where}\n`);
      } catch (e) {
        if (!(e instanceof TestSendError)) throw e;
        process.stderr.write(`tagcast: ${e.message}\n`);
        process.exitCode = 1;
      } finally {
        await provider.close?.();
        redis?.disconnect();
        await ctx.close();
      }
    });
}
