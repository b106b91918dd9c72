// The recurring weekly issue. Stored in the database (the truth) and realised in Redis as a BullMQ job
// scheduler with the schedule's time zone. The scheduler is an optimisation, not the guarantee: every
// worker's heartbeat (src/workers.ts) re-asserts it each minute, and runs a due week itself when the
// scheduler did not (a flushed Redis, or a cron expression BullMQ could not compute a next run for —
// it drops such a scheduler without an error). A week runs once: its row in schedule_runs decides.
import { z } from 'zod';
import type { Engine } from './config.ts';
import type { Db } from './db/connection.ts';
import { createIssue, currentIssueForWeek, transitionIssue, WeekTakenError, type Issue } from './db/issues.ts';
import { claimRun, countSummaries, deleteSchedule, readSchedule, recordRun, hasRun, scheduleSetAt, writeSchedule, type Schedule } from './db/schedules.ts';
import { isoWeek, previousWeek } from './digest/week.ts';
import { enqueueTo, type Enqueue } from './enqueue.ts';
import { LOCAL_LEAD_MS, localPlanTime } from './issues.ts';
import type { Queues } from './queue.ts';
import { addDays, isTimeZone, localDate, zonedInstant } from './time.ts';

export { scheduleRuns, type Schedule, type ScheduleRun } from './db/schedules.ts';

/** A run the scheduler missed (no worker was up) still happens within this long; later it is recorded as missed. */
export const CATCH_UP_MS = 24 * 3600_000;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** What an editor sets (CLI, admin page, API): the one schema all three validate with. */
export const scheduleInput = z.object({
  weekday: z.number().int().min(1, 'weekday must be 1 (Monday) to 7 (Sunday)').max(7, 'weekday must be 1 (Monday) to 7 (Sunday)'),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM, 00:00 to 23:59'),
  timeZone: z.string().refine(isTimeZone, 'timeZone must be an IANA time zone such as Europe/Berlin'),
  local: z.boolean().default(false),
  engine: z.enum(['react', 'mjml']).nullable().default(null),
  week: z.enum(['current', 'previous']).default('current'),
});
export type ScheduleInput = z.input<typeof scheduleInput>;

export function weekdayName(weekday: number): string {
  return WEEKDAYS[weekday - 1] ?? `day ${weekday}`;
}

/**
 * The instant a run for the occurrence on local `date` happens: at `time` in the schedule's zone, or,
 * at local time, an hour before the first zone on Earth reaches `time` on that date.
 */
export function runInstant(s: Schedule, date: string): Date {
  if (!s.local) return zonedInstant({ date, time: s.time }, s.timeZone);
  return localPlanTime({ date, time: s.time });
}

/** The occurrences (local dates with the schedule's weekday) whose runs fall around `now`: the last one due and the next one. */
export function occurrences(s: Schedule, now: Date): { last: { date: string; at: Date }; next: { date: string; at: Date } } {
  const today = localDate(now, s.timeZone);
  // The weekday's date in this local week, then step by weeks until the run instants bracket now.
  let date = addDays(today.date, s.weekday - today.weekday);
  while (runInstant(s, date).getTime() <= now.getTime()) date = addDays(date, 7);
  while (runInstant(s, addDays(date, -7)).getTime() > now.getTime()) date = addDays(date, -7);
  const last = addDays(date, -7);
  return { last: { date: last, at: runInstant(s, last) }, next: { date, at: runInstant(s, date) } };
}

/** The ISO week whose summaries the occurrence on `date` sends. */
export function runWeek(s: Schedule, date: string): string {
  const week = isoWeek(new Date(`${date}T12:00:00Z`));
  return s.week === 'previous' ? previousWeek(week) : week;
}

/**
 * The BullMQ repeat options that realise the schedule: a cron pattern in a zone. A local-time schedule
 * runs in Pacific/Kiritimati (UTC+14, no daylight saving), an hour before the time there.
 */
export function cronFor(s: Schedule): { pattern: string; tz: string } {
  const [h, m] = s.time.split(':').map(Number) as [number, number];
  let minutes = h * 60 + m;
  let weekday = s.weekday;
  let tz = s.timeZone;
  if (s.local) {
    tz = 'Pacific/Kiritimati';
    minutes -= LOCAL_LEAD_MS / 60_000;
    if (minutes < 0) {
      minutes += 1440;
      weekday = weekday === 1 ? 7 : weekday - 1;
    }
  }
  // cron's day of week: 0 = Sunday.
  return { pattern: `${minutes % 60} ${Math.floor(minutes / 60)} * * ${weekday % 7}`, tz };
}

export interface ScheduleView extends Schedule {
  nextRun: Date;
  /** For a local-time schedule, the date and time each reader gets the next issue. */
  describe: string;
}

export async function getSchedule(db: Db, now = new Date()): Promise<ScheduleView | undefined> {
  const s = await readSchedule(db);
  if (!s) return undefined;
  const { next } = occurrences(s, now);
  const when = s.local ? `at ${s.time} in each reader's time zone` : `at ${s.time} ${s.timeZone}`;
  return { ...s, nextRun: next.at, describe: `every ${weekdayName(s.weekday)} ${when}, with the ${s.week === 'previous' ? "previous week's" : "week's"} summaries` };
}

/** Sets the recurring schedule (zod-validated: a bad input throws a ZodError naming the field). */
export async function setSchedule(db: Db, queues: Queues, input: ScheduleInput, now = new Date()): Promise<ScheduleView> {
  const s = scheduleInput.parse(input);
  await writeSchedule(db, s);
  await assertScheduler(db, enqueueTo(queues), now);
  return (await getSchedule(db, now))!;
}

export async function clearSchedule(db: Db, queues: Queues): Promise<boolean> {
  const had = await deleteSchedule(db);
  await enqueueTo(queues).weekly.remove();
  return had;
}

export type RunOutcome = { outcome: 'created' | 'found' | 'skipped'; week: string; issueId: number | null; reason: string };

/**
 * Runs the occurrence on `date`: creates (or finds) the issue for its week and schedules it; a week
 * with no summaries is recorded as "skipped: no content". Once per week, whoever calls it.
 */
export async function runOccurrence(db: Db, enqueue: Enqueue, s: Schedule, date: string, now: Date, defaultEngine: Engine): Promise<RunOutcome> {
  const week = runWeek(s, date);
  const planned = await db.tx(async (tx): Promise<RunOutcome & { issue?: Issue }> => {
    if (!(await claimRun(tx, week))) return { outcome: 'skipped', week, issueId: null, reason: 'this week has run already' };
    const done = async (o: RunOutcome, issue?: Issue) => {
      // A run that left the week's issue alone says why (already sent, a correction …).
      const left = o.outcome === 'found' && o.reason !== 'scheduled' ? `: ${o.reason}` : '';
      await recordRun(tx, week, o.issueId, o.outcome === 'skipped' ? `skipped: ${o.reason}` : `${o.outcome} issue ${o.issueId}${left}`);
      return { ...o, issue };
    };
    // An issue an editor made for the week is used, not duplicated; scheduled or sent already, it is
    // left as it is, and so is a correction (sending a week again is only ever an editor's action).
    const existing = await currentIssueForWeek(tx, week);
    if (existing && existing.againOf !== null) return done({ outcome: 'found', week, issueId: existing.id, reason: `already ${existing.status} (a correction of issue ${existing.againOf}, sent by an editor)` });
    if (existing && existing.status !== 'draft') return done({ outcome: 'found', week, issueId: existing.id, reason: `already ${existing.status}` });
    if (!existing && (await countSummaries(tx, week)) === 0) return done({ outcome: 'skipped', week, issueId: null, reason: 'no content' });
    let issue = existing;
    let outcome: 'created' | 'found' = existing ? 'found' : 'created';
    if (!issue) {
      try {
        issue = await createIssue(tx, { week, engine: s.engine ?? defaultEngine, subject: null });
      } catch (e) {
        if (!(e instanceof WeekTakenError)) throw e;
        // Someone made the week's issue at the same moment and the database kept theirs: a draft is
        // scheduled as any editor's draft is; anything else is left alone, and the run says so.
        issue = await currentIssueForWeek(tx, week);
        outcome = 'found';
        if (issue?.status !== 'draft') return done({ outcome: 'found', week, issueId: issue?.id ?? null, reason: `already ${issue?.status ?? 'taken'} (made meanwhile)` });
      }
    }
    const local = s.local ? { time: s.time, date } : null;
    const sendAt = runInstant(s, date); // at local time, the plan an hour before the first wave
    const scheduled = await transitionIssue(tx, issue.id, ['draft'], 'scheduled', { sendAt, local });
    return done({ outcome, week, issueId: issue.id, reason: 'scheduled' }, scheduled);
  });
  // After the commit: a crash here leaves a scheduled issue, which the heartbeat's recoverAll enqueues.
  if (planned.issue?.sendAt) await enqueue.ensure('plan-issue', { issueId: planned.issue.id }, planned.issue.sendAt.getTime() - now.getTime());
  const { issue: _issue, ...outcome } = planned;
  return outcome;
}

/**
 * Re-asserts the schedule from the database, as every worker's heartbeat does each minute: puts the
 * job scheduler back when Redis lost it (or BullMQ dropped it), removes it when the schedule was
 * cleared, and runs a due week the scheduler did not run (within CATCH_UP_MS; later, records it as
 * missed). Returns whether a schedule exists.
 */
export async function assertScheduler(db: Db, enqueue: Enqueue, now: Date, defaultEngine: Engine = 'react'): Promise<boolean> {
  const s = await readSchedule(db);
  if (!s) {
    await enqueue.weekly.remove();
    return false;
  }
  const repeat = cronFor(s);
  const existing = await enqueue.weekly.get();
  if (!existing || existing.pattern !== repeat.pattern || existing.tz !== repeat.tz || !existing.next) await enqueue.weekly.set(repeat);
  const { last } = occurrences(s, now);
  const week = runWeek(s, last.date);
  if (await hasRun(db, week)) return true;
  // Only runs that fell due after the schedule was set count; older ones were never owed.
  const since = await scheduleSetAt(db);
  if (since && since.getTime() > last.at.getTime()) return true;
  if (now.getTime() - last.at.getTime() <= CATCH_UP_MS) await runOccurrence(db, enqueue, s, last.date, now, defaultEngine);
  else if (await claimRun(db, week)) await recordRun(db, week, null, 'skipped: missed (no worker was running)');
  return true;
}
