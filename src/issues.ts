// Editor operations on issues, shared by the CLI and the web API. The database decides; Redis only
// carries work, so every operation can be repeated and `resume` rebuilds jobs from the ledger.
import type { Db } from './db/connection.ts';
import { pendingBatches } from './db/deliveries.ts';
import { activeIssues, getIssue, transitionIssue, type Issue } from './db/issues.ts';
import { owedNotices } from './db/notices.ts';
import { ensureJob, enqueueFinalize, jobIds, type Queues } from './queue.ts';

export class IssueStateError extends Error {
  override name = 'IssueStateError';
}

async function mustGet(db: Db, id: number): Promise<Issue> {
  const issue = await getIssue(db, id);
  if (!issue) throw new IssueStateError(`issue ${id} does not exist`);
  return issue;
}

/** Schedules (or reschedules) an issue; `at` in the past or now means "send now". */
export async function scheduleIssue(db: Db, queues: Queues, id: number, at: Date, now = new Date()): Promise<Issue> {
  const issue = await mustGet(db, id);
  if (issue.plannedAt) throw new IssueStateError(`issue ${id} is already ${issue.status}; it can no longer be rescheduled`);
  const moved = await transitionIssue(db, id, ['draft', 'scheduled', 'paused'], 'scheduled', { sendAt: at });
  if (!moved) throw new IssueStateError(`issue ${id} is ${issue.status}; only a draft or scheduled issue can be scheduled`);
  // A reschedule replaces the delayed plan job; plan-issue itself also re-checks send_at.
  await queues.issues.remove(jobIds['plan-issue']({ issueId: id })).catch(() => undefined);
  await ensureJob(queues, 'plan-issue', { issueId: id }, jobIds['plan-issue']({ issueId: id }), at.getTime() - now.getTime());
  return moved;
}

export function sendIssueNow(db: Db, queues: Queues, id: number, now = new Date()): Promise<Issue> {
  return scheduleIssue(db, queues, id, now, now);
}

export async function pauseIssue(db: Db, id: number, reason = 'paused by an editor'): Promise<Issue> {
  const issue = await mustGet(db, id);
  const moved = await transitionIssue(db, id, ['scheduled', 'sending'], 'paused', { reason });
  if (!moved) throw new IssueStateError(`issue ${id} is ${issue.status}; only a scheduled or sending issue can be paused`);
  return moved;
}

export async function cancelIssue(db: Db, id: number): Promise<Issue> {
  const issue = await mustGet(db, id);
  return db.tx(async (tx) => {
    const moved = await transitionIssue(tx, id, ['draft', 'scheduled', 'paused', 'sending'], 'cancelled', { reason: 'cancelled by an editor' });
    if (!moved) throw new IssueStateError(`issue ${id} is ${issue.status}; it can no longer be cancelled`);
    await tx.query(
      `update deliveries set status = 'skipped', error = 'issue cancelled', lease_token = null, lease_until = null, updated_at = now()
       where issue_id = $1 and status = 'pending'`,
      [id],
    );
    return moved;
  });
}

/**
 * Puts back every job the ledger says is owed: the plan job of an unplanned issue, a send-batch job
 * per batch with pending deliveries, and the finalize job when nothing is pending. Safe to repeat.
 */
export async function rebuildJobs(db: Db, queues: Queues, issue: Issue, now = new Date()): Promise<{ batches: number }> {
  if (!issue.plannedAt) {
    const delay = issue.sendAt ? issue.sendAt.getTime() - now.getTime() : 0;
    await ensureJob(queues, 'plan-issue', { issueId: issue.id }, jobIds['plan-issue']({ issueId: issue.id }), delay);
    return { batches: 0 };
  }
  const batches = await pendingBatches(db, issue.id);
  for (const batch of batches) {
    await ensureJob(queues, 'send-batch', { issueId: issue.id, batch }, jobIds['send-batch']({ issueId: issue.id, batch }));
  }
  if (batches.length === 0) await enqueueFinalize(queues, issue.id);
  return { batches: batches.length };
}

/** Resumes a paused issue, or re-drives a sending one after Redis lost its jobs. */
export async function resumeIssue(db: Db, queues: Queues, id: number, now = new Date()): Promise<{ issue: Issue; batches: number }> {
  const issue = await mustGet(db, id);
  let resumed: Issue | undefined = issue;
  if (issue.status === 'paused') {
    resumed = await transitionIssue(db, id, ['paused'], issue.plannedAt ? 'sending' : 'scheduled', { reason: null });
  } else if (!['sending', 'scheduled'].includes(issue.status)) {
    throw new IssueStateError(`issue ${id} is ${issue.status}; only a paused, scheduled or sending issue can be resumed`);
  }
  if (!resumed) throw new IssueStateError(`issue ${id} changed status meanwhile; try again`);
  const { batches } = await rebuildJobs(db, queues, resumed, now);
  return { issue: resumed, batches };
}

/** On worker start: re-drive every scheduled and sending issue from the ledger. */
export async function recoverAll(db: Db, queues: Queues, now = new Date()): Promise<number> {
  const issues = await activeIssues(db);
  for (const issue of issues) await rebuildJobs(db, queues, issue, now);
  return issues.length;
}

/** Puts back the job of every email a reader asked for and has not been sent (after a lost Redis). */
export async function recoverNotices(db: Db, queues: Queues): Promise<number> {
  const ids = await owedNotices(db);
  for (const noticeId of ids) await ensureJob(queues, 'send-notice', { noticeId }, jobIds['send-notice']({ noticeId }));
  return ids.length;
}
