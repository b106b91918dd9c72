// What a provider event means for tagcast: delivery outcomes, engagement counts, suppressions, and
// pausing an issue whose complaint rate reaches the threshold mailbox providers punish.
import { z } from 'zod';
import type { Db } from '../db/connection.ts';
import { applyEngagement, applyOutcome, complaintRate, recordEvent, suppress, type Outcome } from '../db/events.ts';
import { transitionIssue } from '../db/issues.ts';
import { unsubscribe } from '../db/readers.ts';
import { mailDomain, normaliseEmail } from '../lib/mail.ts';
import { verifyToken } from '../lib/reader-links.ts';

/** Complaints per submitted email at which an issue is paused (Gmail and Yahoo ask senders to stay under 0.3 %). */
export const COMPLAINT_THRESHOLD = 0.003;

export const ResendEvent = z.object({
  // Resend's types are short ("email.delivery_delayed"); a long one is not Resend's, and would only bloat the table.
  type: z.string().min(1).max(100),
  created_at: z.string().optional(),
  data: z
    .object({
      email_id: z.string().min(1).optional(),
      to: z.array(z.string()).optional(),
      // email.received (inbound mail): who wrote, and the subject the List-Unsubscribe mailto set.
      from: z.string().optional(),
      subject: z.string().optional(),
      bounce: z.object({ type: z.string().optional(), subType: z.string().optional(), message: z.string().optional() }).optional(),
      failed: z.object({ reason: z.string().optional() }).passthrough().optional(),
    })
    .passthrough(),
});
export type ResendEvent = z.infer<typeof ResendEvent>;

/** Resend nests a few levels deep; far deeper JSON is not an event, and could not be stored (jsonb and JSON.stringify both have limits). */
export const MAX_EVENT_DEPTH = 32;

// PostgreSQL text and jsonb cannot hold U+0000, and jsonb refuses a lone UTF-16 surrogate.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The string with every character PostgreSQL cannot store replaced by U+FFFD. */
export function storableText(s: string): string {
  return s.replace(UNSTORABLE, '\ufffd');
}

class TooDeep extends Error {}

/** A copy of parsed JSON whose strings and keys are all storable; throws TooDeep past maxDepth levels. */
function storableJson(v: unknown, maxDepth: number, depth = 0): unknown {
  if (typeof v === 'string') return storableText(v);
  if (v === null || typeof v !== 'object') return v;
  // Checked before descending, so this recursion is never deeper than maxDepth.
  if (depth >= maxDepth) throw new TooDeep();
  if (Array.isArray(v)) return v.map((x) => storableJson(x, maxDepth, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    // defineProperty, not assignment: a key "__proto__" stays a plain key.
    Object.defineProperty(out, storableText(k), { value: storableJson(x, maxDepth, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A verified webhook body as an event tagcast can store, or the reason it is not one. Characters
 * PostgreSQL cannot store become U+FFFD rather than refusing the event: a genuine bounce or complaint
 * must still suppress its address, and a refused event only comes back as the provider's retries.
 */
export function parseResendEvent(body: string): { event: ResendEvent } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { error: 'the body is not JSON' };
  }
  let clean: unknown;
  try {
    clean = storableJson(json, MAX_EVENT_DEPTH);
  } catch (e) {
    if (e instanceof TooDeep) return { error: `the JSON is nested more than ${MAX_EVENT_DEPTH} levels deep` };
    throw e;
  }
  const parsed = ResendEvent.safeParse(clean);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { error: `not a Resend event: ${where}${issue?.message ?? 'unexpected shape'}` };
  }
  return { event: parsed.data };
}

/** The address in "Name <address>" or a bare address; null when it is not a valid one. */
function recipient(to: string | undefined): string | null {
  if (!to) return null;
  // indexOf, not a regular expression: linear however long (or full of "<") the field is.
  const lt = to.lastIndexOf('<');
  const gt = lt === -1 ? -1 : to.indexOf('>', lt);
  const addr = normaliseEmail(gt === -1 ? to : to.slice(lt + 1, gt));
  return 'email' in addr ? addr.email : null;
}

const OUTCOMES: Record<string, Outcome> = {
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delivery_delayed',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
};

export type EventResult = 'applied' | 'duplicate' | 'ignored';

/** What checks the token of an unsubscribe by email (the List-Unsubscribe mailto). */
export interface InboundSigning {
  secret: string;
  mailFrom: string;
}

/**
 * The mailto: in List-Unsubscribe: mail to unsubscribe@<the From domain> with the subject
 * "unsubscribe <token>", which Resend's inbound routing reports as email.received. The signed token
 * decides, as on the one-click POST; mail without a valid one changes nothing.
 */
async function inboundUnsubscribe(db: Db, event: ResendEvent, signing: InboundSigning | undefined): Promise<EventResult> {
  if (!signing) return 'ignored';
  const mailbox = `unsubscribe@${mailDomain(signing.mailFrom)}`;
  if (!(event.data.to ?? []).some((t) => recipient(t) === mailbox)) return 'ignored';
  const token = /\bunsubscribe\s+([A-Za-z0-9_-]{1,120}\.[A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])/i.exec(event.data.subject ?? '')?.[1];
  const claims = token ? verifyToken(signing.secret, token, 'unsubscribe') : null;
  if (!claims) return 'ignored';
  await unsubscribe(db, claims.subscriberId, claims.issueId ?? null);
  return 'applied';
}

/** Applies an event from parseResendEvent (whose strings are storable); `id` is the provider's event id. */
export async function handleResendEvent(db: Db, id: string, event: ResendEvent, signing?: InboundSigning): Promise<EventResult> {
  const providerId = event.data.email_id ?? null;
  const inbound = event.type === 'email.received';
  // Inbound mail is about its sender; every other event about its recipient.
  const email = inbound ? recipient(event.data.from) : recipient(event.data.to?.[0]);
  if (!(await recordEvent(db, { id, type: event.type, email, providerId, payload: event }))) return 'duplicate';
  if (inbound) return inboundUnsubscribe(db, event, signing);

  if (event.type === 'email.opened' || event.type === 'email.clicked') {
    if (providerId) await applyEngagement(db, providerId, event.type === 'email.opened' ? 'opened' : 'clicked');
    return 'applied';
  }
  const outcome = OUTCOMES[event.type];
  if (!outcome) return 'ignored'; // email.sent, contact.*, domain.*: nothing to do
  const hard = outcome === 'bounced' && (event.data.bounce?.type ?? 'Permanent') === 'Permanent';
  const detail = event.data.bounce ? [event.data.bounce.type, event.data.bounce.subType, event.data.bounce.message].filter(Boolean).join(': ') : null;
  const delivery = providerId ? await applyOutcome(db, providerId, outcome, detail) : undefined;
  // A hard bounce, a complaint or the provider's own suppression: never send to this address again.
  if (email && (hard || outcome === 'complained' || outcome === 'suppressed')) {
    await suppress(db, email, outcome === 'complained' ? 'complained' : 'bounced', detail ?? outcome);
  }
  if (outcome === 'complained' && delivery) await checkComplaints(db, delivery.issueId);
  return 'applied';
}

/** Pauses a sending issue whose complaint rate reached the threshold, saying why. */
export async function checkComplaints(db: Db, issueId: number): Promise<void> {
  const { complained, submitted } = await complaintRate(db, issueId);
  if (submitted === 0 || complained / submitted < COMPLAINT_THRESHOLD) return;
  const pct = ((complained / submitted) * 100).toFixed(2);
  await transitionIssue(db, issueId, ['sending', 'scheduled'], 'paused', {
    reason: `complaint rate ${pct}% (${complained} of ${submitted}) reached the ${COMPLAINT_THRESHOLD * 100}% limit; check the content and list before resuming`,
  });
}
