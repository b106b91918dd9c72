// The figures /metrics reads from the database at scrape time: the ledger's submitted and failed
// deliveries (right however many workers wrote them) and subscribers by status. Nothing here names
// a reader: failures are counted by a fixed class of reason, never by the reason's text.
import type { Db } from './connection.ts';

/** The classes a failed delivery's reason falls into; the text itself may hold an address. */
export const FAILURE_CLASSES = ['render', 'provider_batch', 'provider_rejected', 'no_outcome', 'unknown'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

// How send-batch words each failure (jobs/send-batch.ts, src/send/resend.ts classify):
//   "render: …"                          the digest could not be rendered
//   "validation_error (422): …"          the provider refused the whole request (ProviderError 'final')
//   "provider gave no outcome", "no id …" the provider answered without this email in it
//   anything else                        the provider (or the outbox) refused this one email
const FAILURE_CLASS_SQL = `case
    when error is null then 'unknown'
    when error like 'render:%' then 'render'
    when error in ('provider gave no outcome', 'no id in the provider response') then 'no_outcome'
    when error ~ '^[a-z_]+( \\([0-9]{3}\\))?: ' then 'provider_batch'
    else 'provider_rejected'
  end`;

export interface DeliveryTotals {
  submitted: number;
  failed: Record<FailureClass, number>;
}

/** One pass over the ledger. */
export async function deliveryTotals(db: Db): Promise<DeliveryTotals> {
  const rows = await db.query<{ status: string; class: string; n: number }>(
    `select status, case when status = 'failed' then ${FAILURE_CLASS_SQL} else '' end as class, count(*)::int as n
     from deliveries where status in ('submitted', 'failed') group by 1, 2`,
  );
  const failed = Object.fromEntries(FAILURE_CLASSES.map((c) => [c, 0])) as Record<FailureClass, number>;
  let submitted = 0;
  for (const r of rows) {
    if (r.status === 'submitted') submitted += r.n;
    else failed[(FAILURE_CLASSES as readonly string[]).includes(r.class) ? (r.class as FailureClass) : 'unknown'] += r.n;
  }
  return { submitted, failed };
}

export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'] as const;

export async function subscribersByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from subscribers group by status`);
  const out: Record<string, number> = Object.fromEntries(SUBSCRIBER_STATUSES.map((s) => [s, 0]));
  for (const r of rows) out[r.status] = r.n;
  return out;
}
