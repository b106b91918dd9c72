// What the editor pages read about issues while they are sent: live counts from the delivery ledger
// (the issue row's counters are written only when the issue is finalized), the submissions of the last
// minutes for the rate, failures and skips by reason, the provider's later outcomes, and the waves of
// a local-time send. The arithmetic on these numbers is in src/progress.ts.
import type { Issue } from './issues.ts';
import type { Db } from './connection.ts';
import { issueUnsubscribes } from './readers.ts';
import type { RateSample, Wave } from '../progress.ts';

export interface LedgerCounts {
  pending: number;
  submitted: number;
  failed: number;
  skipped: number;
}

export interface IssueListRow extends Pick<Issue, 'id' | 'week' | 'subject' | 'engine' | 'status' | 'statusReason' | 'sendAt' | 'createdAt' | 'plannedAt' | 'finishedAt'>, LedgerCounts {}

/** Issues, newest first, each with its ledger's counts (zero before planning). */
export function issuesWithCounts(db: Db, limit: number, offset: number): Promise<IssueListRow[]> {
  return db.query<IssueListRow>(
    `select i.id, i.week, i.subject, i.engine, i.status, i.status_reason as "statusReason", i.send_at as "sendAt",
            i.created_at as "createdAt", i.planned_at as "plannedAt", i.finished_at as "finishedAt",
            coalesce(c.pending, 0) as pending, coalesce(c.submitted, 0) as submitted,
            coalesce(c.failed, 0) as failed, coalesce(c.skipped, 0) as skipped
     from issues i
     left join lateral (
       select count(*) filter (where d.status = 'pending')::int as pending,
              count(*) filter (where d.status = 'submitted')::int as submitted,
              count(*) filter (where d.status = 'failed')::int as failed,
              count(*) filter (where d.status = 'skipped')::int as skipped
       from deliveries d where d.issue_id = i.id) c on true
     order by i.id desc limit $1 offset $2`,
    [limit, offset],
  );
}

export async function countIssues(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from issues');
  return row!.n;
}

export interface IssueProgressDetail extends LedgerCounts {
  /** Submissions in the rate window ending at `now`. */
  recent: RateSample;
  /** Pending and submitted per send time; null is "at once". */
  waves: Wave[];
  failures: { reason: string; count: number }[];
  skips: { reason: string; count: number }[];
  /** What the provider reported later (delivered, bounced, …), per outcome. */
  outcomes: { outcome: string; count: number }[];
  /** Readers who left through this issue's unsubscribe links (issue_unsubscribes, counted now). */
  unsubscribed: number;
  /** When the first and the last delivery were submitted. */
  firstSubmittedAt: Date | null;
  lastSubmittedAt: Date | null;
}

/** Everything the issue page shows about its ledger, read at `now` (the rate window ends there). */
export async function issueProgressDetail(db: Db, issueId: number, now: Date, windowMs: number, reasons = 10): Promise<IssueProgressDetail> {
  const [counts, waves, failures, skips, outcomes, unsubscribed] = await Promise.all([
    db.query<LedgerCounts & { recentSubmitted: number; recentEarliest: Date | null; firstSubmittedAt: Date | null; lastSubmittedAt: Date | null }>(
      `select count(*) filter (where status = 'pending')::int as pending,
              count(*) filter (where status = 'submitted')::int as submitted,
              count(*) filter (where status = 'failed')::int as failed,
              count(*) filter (where status = 'skipped')::int as skipped,
              count(*) filter (where status = 'submitted' and submitted_at >= $2::timestamptz - $3 * interval '1 millisecond'
                                 and submitted_at <= $2::timestamptz)::int as "recentSubmitted",
              min(submitted_at) filter (where status = 'submitted' and submitted_at >= $2::timestamptz - $3 * interval '1 millisecond'
                                          and submitted_at <= $2::timestamptz) as "recentEarliest",
              min(submitted_at) as "firstSubmittedAt", max(submitted_at) as "lastSubmittedAt"
       from deliveries where issue_id = $1`,
      [issueId, now, windowMs],
    ),
    db.query<Wave>(
      `select send_at as "sendAt",
              count(*) filter (where status = 'pending')::int as pending,
              count(*) filter (where status = 'submitted')::int as submitted
       from deliveries where issue_id = $1 and status in ('pending', 'submitted')
       group by send_at order by send_at nulls first`,
      [issueId],
    ),
    db.query<{ reason: string; count: number }>(
      `select coalesce(error, 'no reason recorded') as reason, count(*)::int as count
       from deliveries where issue_id = $1 and status = 'failed'
       group by 1 order by count desc, reason limit $2`,
      [issueId, reasons],
    ),
    db.query<{ reason: string; count: number }>(
      `select coalesce(error, 'no reason recorded') as reason, count(*)::int as count
       from deliveries where issue_id = $1 and status = 'skipped'
       group by 1 order by count desc, reason limit $2`,
      [issueId, reasons],
    ),
    db.query<{ outcome: string; count: number }>(
      `select outcome, count(*)::int as count from deliveries
       where issue_id = $1 and outcome is not null group by outcome order by count desc, outcome`,
      [issueId],
    ),
    issueUnsubscribes(db, issueId),
  ]);
  const c = counts[0]!;
  return {
    pending: c.pending,
    submitted: c.submitted,
    failed: c.failed,
    skipped: c.skipped,
    recent: { submitted: c.recentSubmitted, earliest: c.recentEarliest },
    waves,
    failures,
    skips,
    outcomes,
    unsubscribed,
    firstSubmittedAt: c.firstSubmittedAt,
    lastSubmittedAt: c.lastSubmittedAt,
  };
}
