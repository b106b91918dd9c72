// POST /webhooks/resend: Svix-signed (Standard Webhooks) events. The signature is checked over the raw
// body with RESEND_WEBHOOK_SECRET; forged or stale (more than 5 minutes off) → 401. Events are
// deduplicated by their id, so the provider's retries and replays change nothing. Whatever a signed
// body holds, the answer is 200 (stored) or a 4xx with the reason, never a 500 that the provider
// would retry for a day: only a real fault on our side (the database down) answers 5xx.
import type { FastifyInstance } from 'fastify';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Db } from '../db/connection.ts';
import { handleResendEvent, parseResendEvent, type InboundSigning } from '../send/events.ts';
import type { Limit } from './plugins/rate-limit.ts';

export interface WebhookDeps {
  db: Db;
  secret: string | undefined;
  /** Per-client limit for this route; false: none (see DEFAULT_RATE_LIMITS.webhook). */
  rateLimit?: Limit | false;
  /** Checks the token of an unsubscribe that arrives by email (email.received). */
  signing?: InboundSigning;
  /** Told the type of each verified event on its first receipt (the metrics count them). */
  onEvent?: (type: string) => void;
}

/** Largest body accepted: Resend's events are a few KB. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

// Svix ids look like "msg_2Lh9KRb6pzfSBwGr5Tf0aa2nHmX". The id becomes the events table's primary
// key, so it is kept to what an index can hold and a person can read in a log.
const EVENT_ID = /^[\x21-\x7e]{1,256}$/;

const header = (h: Record<string, string | string[] | undefined>, ...names: string[]) => {
  for (const n of names) {
    const v = h[n];
    if (typeof v === 'string') return v;
  }
  return undefined;
};

export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  // The signature covers the exact text sent, so this route keeps the body as a string. Bytes that
  // are not UTF-8 are decoded as U+FFFD, as the standardwebhooks library itself does when it signs.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post('/webhooks/resend', { config: { rateLimit: deps.rateLimit ?? false } }, async (req, reply) => {
    if (!deps.secret) return reply.code(503).send({ error: 'webhooks are not configured: set RESEND_WEBHOOK_SECRET' });
    const raw = typeof req.body === 'string' ? req.body : '';
    const id = header(req.headers, 'svix-id', 'webhook-id');
    const timestamp = header(req.headers, 'svix-timestamp', 'webhook-timestamp');
    const signature = header(req.headers, 'svix-signature', 'webhook-signature');
    if (!id || !timestamp || !signature) return reply.code(401).send({ error: 'missing signature headers (svix-id, svix-timestamp, svix-signature)' });
    try {
      // Signature only; the body is parsed below, where each way it can be wrong has its own answer.
      new Webhook(deps.secret).verify(raw, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
    } catch (e) {
      const reason = e instanceof WebhookVerificationError ? e.message : 'signature could not be verified';
      return reply.code(401).send({ error: `invalid signature: ${reason}` });
    }
    if (!EVENT_ID.test(id)) return reply.code(400).send({ error: 'svix-id must be 1 to 256 visible ASCII characters' });
    const parsed = parseResendEvent(raw);
    if ('error' in parsed) return reply.code(400).send({ error: parsed.error });
    const result = await handleResendEvent(deps.db, id, parsed.event, deps.signing);
    if (result !== 'duplicate') deps.onEvent?.(parsed.event.type);
    return reply.code(200).send({ ok: true, result });
  });
}
