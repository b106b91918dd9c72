// Editor operations on issues, shared by the CLI, the admin pages and the API. The database decides;
// Redis only carries work, so every operation can be repeated and `resume` rebuilds jobs from the ledger.
import type { Db } from './db/connection.ts';
import { pendingBatchTimes, skipPending } from './db/deliveries.ts';
import { activeIssues, AGAIN_REASON_MAX, createIssue, currentIssueForWeek, getIssue, lastSentIssueOfWeek, transitionIssue, type Issue, type IssueStatus } from './db/issues.ts';
import type { Engine } from './config.ts';
import { owedNotices } from './db/notices.ts';
import { batchDelays, enqueueTo, type Enqueue } from './enqueue.ts';
import type { Queues } from './queue.ts';
import { addDays, zonedInstant, type LocalTime } from './time.ts';

export class IssueStateError extends Error {
  override name = 'IssueStateError';
}

export { AGAIN_REASON_MAX, WeekTakenError } from './db/issues.ts';

/** What an editor can do to an issue. */
export type IssueAction = 'schedule' | 'send' | 'pause' | 'resume' | 'cancel' | 'again';

/**
 * Which action is allowed from which status: the one table the operations refuse by and the admin
 * page shows its buttons by. `unplanned`: only before the ledger is written (a planned issue's readers
 * and content are fixed, so it can no longer be moved or sent "now").
 */
export const ISSUE_TRANSITIONS: Record<IssueAction, { from: readonly IssueStatus[]; unplanned?: true }> = {
  schedule: { from: ['draft', 'scheduled', 'paused'], unplanned: true },
  send: { from: ['draft', 'scheduled', 'paused'], unplanned: true },
  pause: { from: ['scheduled', 'sending'] },
  resume: { from: ['paused', 'scheduled', 'sending'] },
  cancel: { from: ['draft', 'scheduled', 'paused', 'sending'] },
  again: { from: ['sent'] },
};

/** Whether the table allows `action` on an issue as it is now. */
export function canDo(action: IssueAction, issue: Pick<Issue, 'status' | 'plannedAt'>): boolean {
  const t = ISSUE_TRANSITIONS[action];
  return t.from.includes(issue.status) && !(t.unplanned && issue.plannedAt !== null);
}

/** Every action the table allows on an issue as it is now, in the table's order. */
export function allowedActions(issue: Pick<Issue, 'status' | 'plannedAt'>): IssueAction[] {
  return (Object.keys(ISSUE_TRANSITIONS) as IssueAction[]).filter((a) => canDo(a, issue));
}

const ACTION_WORDS: Record<IssueAction, string> = {
  schedule: 'scheduled',
  send: 'sent',
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  again: 'sent again',
};

/** Statuses nothing but "again" leaves. */
const FINISHED: readonly IssueStatus[] = ['sent', 'cancelled', 'failed'];

function listOf(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** Why the table refuses `action` on an issue, in the editor's words. */
export function refusalOf(action: IssueAction, issue: Pick<Issue, 'id' | 'status' | 'plannedAt'>): string {
  const t = ISSUE_TRANSITIONS[action];
  if (FINISHED.includes(issue.status)) return `issue ${issue.id} is ${issue.status}; it can no longer be ${ACTION_WORDS[action]}`;
  if (t.from.includes(issue.status) && t.unplanned) return `issue ${issue.id} is already ${issue.status} (its readers are fixed); it can no longer be ${ACTION_WORDS[action]}`;
  return `issue ${issue.id} is ${issue.status}; only a ${listOf(t.from)} issue can be ${ACTION_WORDS[action]}`;
}

/** Refuses with the table's reason unless `action` is allowed on the issue now. */
export function mustAllow(action: IssueAction, issue: Pick<Issue, 'id' | 'status' | 'plannedAt'>): void {
  if (!canDo(action, issue)) throw new IssueStateError(refusalOf(action, issue));
}

/** What is wrong with a reason for sending a week again, or null when it will do. */
export function againReasonProblem(reason: string | undefined): string | null {
  if (reason === undefined || reason.trim() === '') return 'sending a week again needs a reason (it is shown in the archive as a correction)';
  if (reason.length > AGAIN_REASON_MAX) return `the reason is longer than ${AGAIN_REASON_MAX} characters`;
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(reason)) return 'the reason contains a control character (a line break, tab …): give it as one line';
  return null;
}

/**
 * Creates the week's issue (a draft), or with `again` the next edition of a week already sent, on
 * purpose and with a reason. The database refuses a second live issue for a week and edition:
 * WeekTakenError, also for a second correction while one is not sent yet.
 */
export async function createWeekIssue(db: Db, i: { week: string; engine: Engine; subject: string | null; again?: { reason: string } }): Promise<Issue> {
  if (!i.again) return createIssue(db, { week: i.week, engine: i.engine, subject: i.subject });
  const problem = againReasonProblem(i.again.reason);
  if (problem) throw new IssueStateError(problem);
  const sent = await lastSentIssueOfWeek(db, i.week);
  if (!sent) {
    const live = await currentIssueForWeek(db, i.week);
    throw new IssueStateError(
      live
        ? `week ${i.week} has issue ${live.id} (${live.status}), not sent yet: sending again is only for a week already sent`
        : `week ${i.week} has no sent issue: sending again is only for a week already sent; create its issue without "again"`,
    );
  }
  // A correction not sent yet holds the next edition: the index refuses another (send or cancel it first).
  return createIssue(db, { week: i.week, engine: i.engine, subject: i.subject, again: { of: sent.id, reason: i.again.reason.trim() } });
}

async function mustGet(db: Db, id: number): Promise<Issue> {
  const issue = await getIssue(db, id);
  if (!issue) throw new IssueStateError(`issue ${id} does not exist`);
  return issue;
}

/** The zones furthest ahead of and behind UTC (Kiribati +14:00, Baker Island −12:00). */
const EARLIEST_ZONE = 'Pacific/Kiritimati';

/** When the first zone reaches a local time: an issue sent at that local time has its earliest wave then. */
export function firstWave(local: LocalTime): Date {
  return zonedInstant(local, EARLIEST_ZONE);
}

/** How long before its first wave a local-time issue is planned (and a local-time weekly run happens). */
export const LOCAL_LEAD_MS = 60 * 60_000;

/**
 * When an issue sent at local time is planned: an hour before its first wave, so the ledger is written
 * and every wave's job waits for its time before the first zone's readers are due. The ledger then
 * holds each reader's own time.
 */
export function localPlanTime(local: LocalTime): Date {
  return new Date(firstWave(local).getTime() - LOCAL_LEAD_MS);
}

async function schedule(db: Db, queues: Queues, id: number, at: Date, local: LocalTime | null, now: Date, action: 'schedule' | 'send' = 'schedule', timeZone: string | null = null): Promise<Issue> {
  const issue = await mustGet(db, id);
  mustAllow(action, issue);
  const moved = await transitionIssue(db, id, [...ISSUE_TRANSITIONS.schedule.from], 'scheduled', { sendAt: at, timeZone, local: local && { time: local.time, date: local.date } });
  // Planned (or moved) since it was read: the conditional update refused; say why from its state now.
  if (!moved) throw new IssueStateError(refusalOf(action, (await getIssue(db, id)) ?? issue));
  // A reschedule replaces the delayed plan job; plan-issue itself also re-checks send_at.
  const enqueue = enqueueTo(queues);
  await enqueue.remove('plan-issue', { issueId: id });
  await enqueue.ensure('plan-issue', { issueId: id }, at.getTime() - now.getTime());
  return moved;
}

/**
 * Schedules (or reschedules) an issue for everyone at one time; `at` in the past or now means "send
 * now". `timeZone`: the zone the editor chose the time in, kept to show it back to them.
 */
export function scheduleIssue(db: Db, queues: Queues, id: number, at: Date, now = new Date(), timeZone: string | null = null): Promise<Issue> {
  return schedule(db, queues, id, at, null, now, 'schedule', timeZone);
}

/**
 * Schedules an issue at the readers' local time: each reader gets it at `localTime` on `date` in their
 * own zone (DEFAULT_TIME_ZONE when they never chose one); a reader whose time has passed when the
 * issue is planned gets it at once.
 */
export async function scheduleIssueLocal(db: Db, queues: Queues, id: number, local: { localTime: string; date: string }, now = new Date()): Promise<Issue> {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(local.localTime)) throw new IssueStateError(`the local time must be HH:MM (00:00 to 23:59), got "${local.localTime}"`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(local.date) || addDays(local.date, 0) !== local.date) throw new IssueStateError(`the date must be a real YYYY-MM-DD date, got "${local.date}"`);
  const l = { date: local.date, time: local.localTime };
  // The last zone (−12:00) reaches the time about 26 hours after the first: a date whose last wave has
  // passed would send everything at once, which is not what "at local time" asked for.
  if (zonedInstant(l, 'Etc/GMT+12').getTime() < now.getTime()) throw new IssueStateError(`${local.date} ${local.localTime} has passed in every time zone; choose a later date`);
  return schedule(db, queues, id, localPlanTime(l), l, now);
}

export function sendIssueNow(db: Db, queues: Queues, id: number, now = new Date()): Promise<Issue> {
  return schedule(db, queues, id, now, null, now, 'send');
}

export async function pauseIssue(db: Db, id: number, reason = 'paused by an editor'): Promise<Issue> {
  const issue = await mustGet(db, id);
  mustAllow('pause', issue);
  const moved = await transitionIssue(db, id, [...ISSUE_TRANSITIONS.pause.from], 'paused', { reason });
  if (!moved) throw new IssueStateError(refusalOf('pause', (await getIssue(db, id)) ?? issue));
  return moved;
}

export async function cancelIssue(db: Db, id: number): Promise<Issue> {
  const issue = await mustGet(db, id);
  mustAllow('cancel', issue);
  return db.tx(async (tx) => {
    const moved = await transitionIssue(tx, id, [...ISSUE_TRANSITIONS.cancel.from], 'cancelled', { reason: 'cancelled by an editor' });
    if (!moved) throw new IssueStateError(`issue ${id} changed status meanwhile; it can no longer be cancelled`);
    await skipPending(tx, id, 'issue cancelled');
    return moved;
  });
}

/**
 * Puts back every job the ledger says is owed: the plan job of an unplanned issue, a send-batch job
 * per batch with pending deliveries (delayed until its wave), and the finalize job when nothing is
 * pending. Safe to repeat.
 */
export async function rebuildJobs(db: Db, enqueue: Enqueue, issue: Issue, now = new Date()): Promise<{ batches: number }> {
  if (!issue.plannedAt) {
    const delay = issue.sendAt ? issue.sendAt.getTime() - now.getTime() : 0;
    await enqueue.ensure('plan-issue', { issueId: issue.id }, delay);
    return { batches: 0 };
  }
  const batches = batchDelays(await pendingBatchTimes(db, issue.id), now);
  for (const { batch, delayMs } of batches) await enqueue.ensure('send-batch', { issueId: issue.id, batch }, delayMs);
  if (batches.length === 0) await enqueue.finalize(issue.id);
  return { batches: batches.length };
}

/** Resumes a paused issue, or re-drives a sending one after Redis lost its jobs. */
export async function resumeIssue(db: Db, queues: Queues, id: number, now = new Date()): Promise<{ issue: Issue; batches: number }> {
  const issue = await mustGet(db, id);
  let resumed: Issue | undefined = issue;
  mustAllow('resume', issue);
  if (issue.status === 'paused') {
    resumed = await transitionIssue(db, id, ['paused'], issue.plannedAt ? 'sending' : 'scheduled', { reason: null });
  }
  if (!resumed) throw new IssueStateError(`issue ${id} changed status meanwhile; try again`);
  const { batches } = await rebuildJobs(db, enqueueTo(queues), resumed, now);
  return { issue: resumed, batches };
}

/** Re-drives every scheduled and sending issue from the ledger (a worker's start, the heartbeat). */
export async function recoverAll(db: Db, enqueue: Enqueue, now = new Date()): Promise<number> {
  const issues = await activeIssues(db);
  for (const issue of issues) await rebuildJobs(db, enqueue, issue, now);
  return issues.length;
}

/** Puts back the job of every email a reader asked for and has not been sent (after a lost Redis). */
export async function recoverNotices(db: Db, enqueue: Enqueue): Promise<number> {
  const ids = await owedNotices(db);
  for (const noticeId of ids) await enqueue.ensure('send-notice', { noticeId });
  return ids.length;
}
