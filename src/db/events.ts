// Provider events (webhooks): stored once by their id, applied to deliveries, issues and suppressions.
import type { Db } from './connection.ts';

/** Stores the event; false when its id was seen before (a replay), so it must not be applied again. */
export async function recordEvent(
  db: Db,
  e: { id: string; type: string; email: string | null; providerId: string | null; payload: unknown },
): Promise<boolean> {
  const rows = await db.query(
    `insert into events (id, type, email, provider_id, payload) values ($1, $2, $3, $4, $5::jsonb)
     on conflict (id) do nothing returning id`,
    [e.id, e.type, e.email, e.providerId, JSON.stringify(e.payload)],
  );
  return rows.length > 0;
}

export type Outcome = 'delivered' | 'delivery_delayed' | 'bounced' | 'complained' | 'failed' | 'suppressed';
// Later outcomes win over earlier ones, never the reverse: a delayed email that is then delivered is
// delivered; a delivered one that bounces later is bounced; a complaint outranks everything.
const RANK: Record<Outcome, number> = { delivery_delayed: 1, delivered: 2, failed: 3, suppressed: 3, bounced: 4, complained: 5 };
const COUNTED: Partial<Record<Outcome, 'delivered' | 'bounced' | 'complained'>> = { delivered: 'delivered', bounced: 'bounced', complained: 'complained' };

/** Sets a delivery's reported outcome (if it outranks the current one) and counts it on its issue. */
export async function applyOutcome(db: Db, providerId: string, outcome: Outcome, detail: string | null): Promise<{ issueId: number; subscriberId: number } | undefined> {
  return db.tx(async (tx) => {
    const [d] = await tx.query<{ issueId: number; subscriberId: number; outcome: Outcome | null }>(
      `select issue_id as "issueId", subscriber_id as "subscriberId", outcome from deliveries where provider_id = $1 for update`,
      [providerId],
    );
    if (!d) return undefined;
    if (d.outcome && RANK[d.outcome] >= RANK[outcome]) return d;
    await tx.query(`update deliveries set outcome = $2, error = coalesce($3, error), updated_at = now() where provider_id = $1`, [providerId, outcome, detail]);
    const counters = [COUNTED[outcome] && `${COUNTED[outcome]} = ${COUNTED[outcome]} + 1`, d.outcome && COUNTED[d.outcome] && `${COUNTED[d.outcome]} = ${COUNTED[d.outcome]} - 1`]
      .filter(Boolean)
      .join(', ');
    if (counters) await tx.query(`update issues set ${counters} where id = $1`, [d.issueId]);
    return d;
  });
}

/** Counts the first open or click of a delivery. */
export async function applyEngagement(db: Db, providerId: string, kind: 'opened' | 'clicked'): Promise<void> {
  const column = kind === 'opened' ? 'opened_at' : 'clicked_at';
  await db.query(
    `with d as (update deliveries set ${column} = now() where provider_id = $1 and ${column} is null returning issue_id)
     update issues set ${kind} = ${kind} + 1 where id in (select issue_id from d)`,
    [providerId],
  );
}

/** Never send to this address again; the subscriber's status says why. */
export async function suppress(db: Db, email: string, reason: 'bounced' | 'complained', detail: string | null): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query(`insert into suppressions (email, reason, detail) values ($1, $2, $3) on conflict (email) do nothing`, [email, reason, detail]);
    await tx.query(`update subscribers set status = $2, updated_at = now() where email = $1 and status in ('active', 'pending')`, [email, reason]);
  });
}

export async function complaintRate(db: Db, issueId: number): Promise<{ complained: number; submitted: number }> {
  const [row] = await db.query<{ complained: number; submitted: number }>(
    `select count(*) filter (where outcome = 'complained')::int as complained,
            count(*) filter (where status = 'submitted')::int as submitted
     from deliveries where issue_id = $1`,
    [issueId],
  );
  return row!;
}
