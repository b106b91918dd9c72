// POST /webhooks/resend: Svix-signed (Standard Webhooks) events. The signature is checked over the raw
// body with RESEND_WEBHOOK_SECRET; forged or stale (more than 5 minutes off) → 401. Events are
// deduplicated by their id, so the provider's retries and replays change nothing.
import type { FastifyInstance } from 'fastify';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Db } from '../db/connection.ts';
import { handleResendEvent, ResendEvent } from '../send/events.ts';

export interface WebhookDeps {
  db: Db;
  secret: string | undefined;
}

const header = (h: Record<string, string | string[] | undefined>, ...names: string[]) => {
  for (const n of names) {
    const v = h[n];
    if (typeof v === 'string') return v;
  }
  return undefined;
};

export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  // The signature covers the exact bytes sent, so this route keeps the body as a string.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/webhooks/resend', async (req, reply) => {
    if (!deps.secret) return reply.code(503).send({ error: 'webhooks are not configured: set RESEND_WEBHOOK_SECRET' });
    const raw = typeof req.body === 'string' ? req.body : '';
    const id = header(req.headers, 'svix-id', 'webhook-id');
    const timestamp = header(req.headers, 'svix-timestamp', 'webhook-timestamp');
    const signature = header(req.headers, 'svix-signature', 'webhook-signature');
    if (!id || !timestamp || !signature) return reply.code(401).send({ error: 'missing signature headers (svix-id, svix-timestamp, svix-signature)' });
    let payload: unknown;
    try {
      payload = new Webhook(deps.secret).verify(raw, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature });
    } catch (e) {
      // verify() checks the signature first and parses JSON after: a SyntaxError means a genuine
      // request with a body that is not JSON.
      if (e instanceof SyntaxError) return reply.code(400).send({ error: 'the body is not JSON' });
      const reason = e instanceof WebhookVerificationError ? e.message : 'signature could not be verified';
      return reply.code(401).send({ error: `invalid signature: ${reason}` });
    }
    const event = ResendEvent.safeParse(payload);
    if (!event.success) return reply.code(400).send({ error: `not a Resend event: ${event.error.issues[0]?.message}` });
    const result = await handleResendEvent(deps.db, id, event.data);
    return reply.code(200).send({ ok: true, result });
  });
}
