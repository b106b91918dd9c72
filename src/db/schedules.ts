// The recurring weekly issue (at most one) and what each of its runs did.
import type { Engine } from '../config.ts';
import type { Db } from './connection.ts';

export interface Schedule {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** HH:MM. */
  time: string;
  timeZone: string;
  /** Each reader at `time` in their own zone, instead of everyone at `time` in `timeZone`. */
  local: boolean;
  /** null: TEMPLATE_ENGINE. */
  engine: Engine | null;
  /** The week whose summaries a run sends: the one it runs in, or the one before. */
  week: 'current' | 'previous';
}

export interface ScheduleRun {
  week: string;
  issueId: number | null;
  outcome: string;
  ranAt: Date;
}

const COLUMNS = `weekday, time, time_zone as "timeZone", local, engine, week`;

export async function readSchedule(db: Db): Promise<Schedule | undefined> {
  const [row] = await db.query<Schedule>(`select ${COLUMNS} from schedules where id = 1`);
  return row;
}

export async function writeSchedule(db: Db, s: Schedule): Promise<Schedule> {
  const [row] = await db.query<Schedule>(
    `insert into schedules (id, weekday, time, time_zone, local, engine, week) values (1, $1, $2, $3, $4, $5, $6)
     on conflict (id) do update set weekday = excluded.weekday, time = excluded.time, time_zone = excluded.time_zone,
       local = excluded.local, engine = excluded.engine, week = excluded.week, updated_at = now()
     returning ${COLUMNS}`,
    [s.weekday, s.time, s.timeZone, s.local, s.engine, s.week],
  );
  return row!;
}

export async function deleteSchedule(db: Db): Promise<boolean> {
  return (await db.run(`delete from schedules where id = 1`)) > 0;
}

export function scheduleRuns(db: Db, limit = 10): Promise<ScheduleRun[]> {
  return db.query<ScheduleRun>(
    `select week, issue_id as "issueId", outcome, ran_at as "ranAt" from schedule_runs order by week desc limit $1`,
    [limit],
  );
}

/**
 * Claims a week's run: true for the first caller, false when that week has run already (another worker,
 * a retried job, a re-asserted scheduler, the autumn hour that happens twice). In the caller's transaction.
 */
export async function claimRun(db: Db, week: string): Promise<boolean> {
  const rows = await db.query(`insert into schedule_runs (week, outcome) values ($1, 'running') on conflict (week) do nothing returning week`, [week]);
  return rows.length > 0;
}

export async function recordRun(db: Db, week: string, issueId: number | null, outcome: string): Promise<void> {
  await db.run(`update schedule_runs set issue_id = $2, outcome = $3, ran_at = now() where week = $1`, [week, issueId, outcome]);
}

export async function hasRun(db: Db, week: string): Promise<boolean> {
  return (await db.query(`select 1 from schedule_runs where week = $1`, [week])).length > 0;
}

export async function countSummaries(db: Db, week: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from summaries where week = $1 and hidden_at is null`, [week]);
  return row!.n;
}

/** When the schedule was last set (undefined without one). */
export async function scheduleSetAt(db: Db): Promise<Date | undefined> {
  const rows = await db.query<{ at: Date }>(`select updated_at as at from schedules where id = 1`);
  return rows[0]?.at;
}
