// The Fastify application: health, readiness and provider webhooks. Reader pages, the editor API and
// the admin pages are added by later issues.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { webhookRoutes } from './webhooks.ts';

export interface ServerDeps {
  db: Db;
  config: Config;
  log: Logger;
}

export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log as never }) as unknown as FastifyInstance;
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.db.query('select 1');
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false, reason: 'database not reachable' });
    }
  });
  await app.register(async (scope) => webhookRoutes(scope as unknown as FastifyInstance, { db: deps.db, secret: deps.config.resend.webhookSecret }));
  return app;
}
