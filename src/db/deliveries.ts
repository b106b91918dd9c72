import type { Db } from './connection.ts';
import type { Density } from './subscribers.ts';

export interface LeasedDelivery {
  subscriberId: number;
  email: string;
  name: string | null;
  status: string;
  suppressed: boolean;
  /** Paused now (the reader chose a pause after the issue was planned). */
  paused: boolean;
  /** Slugs of the subscriber's tags with content in this issue, frozen when the issue was planned. */
  sections: string[];
  /** Brief or full, frozen when the issue was planned (the reader's choice, else the editor's default). */
  density: Density;
  /** 1 on the batch's first attempt. */
  attempts: number;
}

/**
 * Leases the pending deliveries of one batch for leaseMs. A duplicate job finds them leased and does
 * nothing; a crashed sender's lease expires, so its retry picks the batch up again. A lease is not a
 * status: nothing is ever marked sent before the provider accepted it.
 */
export function leaseBatch(db: Db, issueId: number, batch: number, token: string, leaseMs: number): Promise<LeasedDelivery[]> {
  return db.query<LeasedDelivery>(
    `with leased as (
       update deliveries set lease_token = $3, lease_until = now() + $4 * interval '1 millisecond',
              attempts = attempts + 1, updated_at = now()
       where issue_id = $1 and batch = $2 and status = 'pending'
         and (lease_until is null or lease_until < now())
       returning subscriber_id, attempts, sections, density)
     select s.id as "subscriberId", s.email, s.name, s.status, l.attempts, l.sections, l.density,
            exists (select 1 from suppressions p where p.email = s.email) as suppressed,
            coalesce(s.paused_until > now(), false) as paused
     from leased l join subscribers s on s.id = l.subscriber_id
     order by s.id`,
    [issueId, batch, token, leaseMs],
  );
}

export interface DeliveryResult {
  subscriberId: number;
  status: 'submitted' | 'failed' | 'skipped';
  providerId: string | null;
  error: string | null;
}

/**
 * Records a batch's outcomes in one statement; only rows still pending change, and rows a cancel
 * skipped while their batch was at the provider: what the provider accepted was sent, cancel or not.
 */
export async function recordResults(db: Db, issueId: number, results: DeliveryResult[]): Promise<number> {
  if (results.length === 0) return 0;
  return db.run(
    `update deliveries d set status = r.status, provider_id = r.provider_id, error = r.error,
       submitted_at = case when r.status = 'submitted' then now() end,
       lease_token = null, lease_until = null, updated_at = now()
     from unnest($2::int[], $3::text[], $4::text[], $5::text[]) as r(subscriber_id, status, provider_id, error)
     where d.issue_id = $1 and d.subscriber_id = r.subscriber_id
       and (d.status = 'pending' or (d.status = 'skipped' and d.error = 'issue cancelled' and r.status = 'submitted'))`,
    [issueId, results.map((r) => r.subscriberId), results.map((r) => r.status), results.map((r) => r.providerId), results.map((r) => r.error)],
  );
}

/**
 * Stretches a lease still held (not expired) to `ms` from now; false when it was lost. Used before a
 * request is held for a far pacer slot, so the batch stays ours until the request has gone and answered.
 */
export async function extendLease(db: Db, issueId: number, token: string, ms: number): Promise<boolean> {
  const n = await db.run(
    `update deliveries set lease_until = now() + $3 * interval '1 millisecond'
     where issue_id = $1 and lease_token = $2 and status = 'pending' and lease_until > now()`,
    [issueId, token, Math.ceil(ms)],
  );
  return n > 0;
}

/** Gives a lease back early (after a transient failure) so the retry need not wait for it to expire. */
export async function releaseLease(db: Db, issueId: number, token: string): Promise<void> {
  await db.query(
    `update deliveries set lease_token = null, lease_until = null where issue_id = $1 and lease_token = $2 and status = 'pending'`,
    [issueId, token],
  );
}

export async function pendingBatches(db: Db, issueId: number): Promise<number[]> {
  const rows = await db.query<{ batch: number }>(
    `select distinct batch from deliveries where issue_id = $1 and status = 'pending' order by batch`,
    [issueId],
  );
  return rows.map((r) => r.batch);
}

/** Each batch with pending deliveries and its wave's send time (null: at once). */
export function pendingBatchTimes(db: Db, issueId: number): Promise<{ batch: number; sendAt: Date | null }[]> {
  return db.query(
    `select batch, min(send_at) as "sendAt" from deliveries where issue_id = $1 and status = 'pending' group by batch order by batch`,
    [issueId],
  );
}

export interface IssueProgress {
  pending: number;
  submitted: number;
  failed: number;
  skipped: number;
}

export async function issueProgress(db: Db, issueId: number): Promise<IssueProgress> {
  const [row] = await db.query<IssueProgress>(
    `select count(*) filter (where status = 'pending')::int as pending,
            count(*) filter (where status = 'submitted')::int as submitted,
            count(*) filter (where status = 'failed')::int as failed,
            count(*) filter (where status = 'skipped')::int as skipped
     from deliveries where issue_id = $1`,
    [issueId],
  );
  return row!;
}

/** Readers per tag among submitted deliveries (from the frozen sections), for the issue report. */
export function sectionCounts(db: Db, issueId: number): Promise<{ tag: string; readers: number }[]> {
  return db.query(
    `select t.name as tag, count(*)::int as readers
     from deliveries d cross join lateral unnest(d.sections) as x(slug)
     join tags t on t.slug = x.slug
     where d.issue_id = $1 and d.status = 'submitted'
     group by t.name order by readers desc, t.name`,
    [issueId],
  );
}

/** When a batch's pending deliveries are leased by someone else, the time the lease ends; null when none is pending. */
export async function batchLeasedUntil(db: Db, issueId: number, batch: number): Promise<Date | null> {
  const [row] = await db.query<{ until: Date | null }>(
    `select max(lease_until) as until from deliveries where issue_id = $1 and batch = $2 and status = 'pending'`,
    [issueId, batch],
  );
  return row?.until ?? null;
}

export async function hasPending(db: Db, issueId: number): Promise<boolean> {
  const rows = await db.query(`select 1 from deliveries where issue_id = $1 and status = 'pending' limit 1`, [issueId]);
  return rows.length > 0;
}

/** Why an issue's deliveries failed: the most common reasons first, each with how many (for `issue status`). */
export function failureReasons(db: Db, issueId: number, limit: number): Promise<{ reason: string; failed: number }[]> {
  return db.query(
    `select coalesce(error, 'no reason recorded') as reason, count(*)::int as failed
     from deliveries where issue_id = $1 and status = 'failed'
     group by 1 order by failed desc, reason limit $2`,
    [issueId, limit],
  );
}

/** Every pending delivery of the issue becomes skipped with that reason (a cancelled issue sends no more). */
export async function skipPending(db: Db, issueId: number, error: string): Promise<void> {
  await db.query(
    `update deliveries set status = 'skipped', error = $2, lease_token = null, lease_until = null, updated_at = now()
     where issue_id = $1 and status = 'pending'`,
    [issueId, error],
  );
}

/**
 * Why an issue's readers were skipped, the most common reason first: each with how many and the first
 * `addresses` of them by address, so a report can name who when they are few.
 */
export function skipReasons(db: Db, issueId: number, limit: number, addresses: number): Promise<{ reason: string; skipped: number; emails: string[] }[]> {
  return db.query(
    `select coalesce(d.error, 'no reason recorded') as reason, count(*)::int as skipped,
            (array_agg(s.email order by s.email))[1:$3::int] as emails
     from deliveries d join subscribers s on s.id = d.subscriber_id
     where d.issue_id = $1 and d.status = 'skipped'
     group by 1 order by skipped desc, reason limit $2`,
    [issueId, limit, addresses],
  );
}
