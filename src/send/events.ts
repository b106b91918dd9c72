// What a provider event means for tagcast: delivery outcomes, engagement counts, suppressions, and
// pausing an issue whose complaint rate reaches the threshold mailbox providers punish.
import { z } from 'zod';
import type { Db } from '../db/connection.ts';
import { applyEngagement, applyOutcome, complaintRate, recordEvent, suppress, type Outcome } from '../db/events.ts';
import { transitionIssue } from '../db/issues.ts';
import { normaliseEmail } from '../subscriptions/address.ts';

/** Complaints per submitted email at which an issue is paused (Gmail and Yahoo ask senders to stay under 0.3 %). */
export const COMPLAINT_THRESHOLD = 0.003;

export const ResendEvent = z.object({
  type: z.string().min(1),
  created_at: z.string().optional(),
  data: z
    .object({
      email_id: z.string().min(1).optional(),
      to: z.array(z.string()).optional(),
      bounce: z.object({ type: z.string().optional(), subType: z.string().optional(), message: z.string().optional() }).optional(),
      failed: z.object({ reason: z.string().optional() }).passthrough().optional(),
    })
    .passthrough(),
});
export type ResendEvent = z.infer<typeof ResendEvent>;

const OUTCOMES: Record<string, Outcome> = {
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delivery_delayed',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
};

export type EventResult = 'applied' | 'duplicate' | 'ignored';

export async function handleResendEvent(db: Db, id: string, event: ResendEvent): Promise<EventResult> {
  const providerId = event.data.email_id ?? null;
  const to = event.data.to?.[0];
  const addr = to ? normaliseEmail(/<([^>]+)>/.exec(to)?.[1] ?? to) : undefined;
  const email = addr && 'email' in addr ? addr.email : null;
  if (!(await recordEvent(db, { id, type: event.type, email, providerId, payload: event }))) return 'duplicate';

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
