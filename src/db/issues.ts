import type { Engine } from '../config.ts';
import { isTimeZone, zonedInstant, type LocalTime } from '../time.ts';
import type { Db } from './connection.ts';
import { editorDefaultDensity } from './subscribers.ts';

export type IssueStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent' | 'cancelled' | 'failed';

export interface Issue {
  id: number;
  week: string;
  subject: string | null;
  engine: Engine;
  status: IssueStatus;
  statusReason: string | null;
  sendAt: Date | null;
  /** The IANA zone the editor scheduled `sendAt` in, when they chose one (shown with UTC beside it). */
  sendTimeZone: string | null;
  /** Sent at the readers' local time: `localTime` (HH:MM) on `localDate` (YYYY-MM-DD) in each reader's zone. */
  localTime: string | null;
  localDate: string | null;
  createdAt: Date;
  plannedAt: Date | null;
  finishedAt: Date | null;
  recipients: number;
  submitted: number;
  failed: number;
  skipped: number;
  /** What the provider reported later, from webhooks. */
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  /** 1 for a week's issue; 2, 3 … for the same week sent again on purpose (a correction). */
  edition: number;
  /** The sent issue this one sends again, and the editor's reason; null for a week's first issue. */
  againOf: number | null;
  againReason: string | null;
}

const ISSUE_COLUMNS = `id, week, subject, engine, status, status_reason as "statusReason", send_at as "sendAt", send_time_zone as "sendTimeZone",
  local_time as "localTime", local_date::text as "localDate",
  created_at as "createdAt", planned_at as "plannedAt", finished_at as "finishedAt",
  recipients, submitted, failed, skipped, delivered, bounced, complained, opened, clicked,
  edition, again_of as "againOf", again_reason as "againReason"`;

/** The longest reason for sending a week again: one line, shown in the archive (migration 008 checks it too). */
export const AGAIN_REASON_MAX = 500;

/** The statuses of an issue that holds its week: every one but cancelled and failed. */
const LIVE = `status not in ('cancelled', 'failed')`;

/** A week already has a live issue of that edition: the database refused a second one. */
export class WeekTakenError extends Error {
  override name = 'WeekTakenError';
  constructor(
    readonly week: string,
    /** The issue that holds the week (the newest live one), when it could be read. */
    readonly existing: { id: number; status: IssueStatus } | undefined,
  ) {
    super(existing ? `week ${week} already has issue ${existing.id} (${existing.status})` : `week ${week} already has an issue`);
  }
}

export interface NewIssue {
  week: string;
  engine: Engine;
  subject: string | null;
  /** Sends a sent issue's week again on purpose: the edition after that issue's, recorded with the reason. */
  again?: { of: number; reason: string };
}

/**
 * Creates a draft. The unique index issues_one_live_per_week (migration 008) decides whether the week
 * (and edition) is free; this statement names it as its only arbiter, so a taken week is a
 * WeekTakenError and any other conflict still fails loudly. ON CONFLICT rather than catching the
 * violation: a violation would abort the caller's transaction (the weekly run creates inside one),
 * and two creates at once still meet in the index (the second waits for the first, then does nothing).
 */
export async function createIssue(db: Db, i: NewIssue): Promise<Issue> {
  const [row] = await db.query<Issue>(
    `insert into issues (week, engine, subject, edition, again_of, again_reason)
     values ($1, $2, $3,
       -- The edition after the one it corrects: two corrections of one sent issue meet in the index.
       case when $4::int is null then 1 else (select edition + 1 from issues where id = $4) end,
       $4, $5)
     on conflict (week, edition) where ${LIVE} do nothing
     returning ${ISSUE_COLUMNS}`,
    [i.week, i.engine, i.subject, i.again?.of ?? null, i.again?.reason ?? null],
  );
  if (row) return row;
  const existing = await currentIssueForWeek(db, i.week);
  throw new WeekTakenError(i.week, existing && { id: existing.id, status: existing.status });
}

/** The week's newest sent issue: the one a correction sends again. */
export async function lastSentIssueOfWeek(db: Db, week: string): Promise<Issue | undefined> {
  const [row] = await db.query<Issue>(`select ${ISSUE_COLUMNS} from issues where week = $1 and status = 'sent' order by id desc limit 1`, [week]);
  return row;
}

/**
 * How many readers an issue of this week would reach if planned now: active, not paused, not
 * suppressed, following a tag that one of the week's summaries has. The same rule as the plan's.
 */
export async function readersForWeek(db: Db, week: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `select count(*)::int as n from subscribers s
     where s.status = 'active'
       and (s.paused_until is null or s.paused_until <= now())
       and not exists (select 1 from suppressions p where p.email = s.email)
       and exists (select 1 from subscriptions x
                   join summary_tags st on st.tag_id = x.tag_id
                   join summaries m on m.id = st.summary_id
                   where x.subscriber_id = s.id and m.week = $1 and m.hidden_at is null)`,
    [week],
  );
  return row!.n;
}

export async function getIssue(db: Db, id: number): Promise<Issue | undefined> {
  const [row] = await db.query<Issue>(`select ${ISSUE_COLUMNS} from issues where id = $1`, [id]);
  return row;
}

export function listIssues(db: Db): Promise<Issue[]> {
  return db.query<Issue>(`select ${ISSUE_COLUMNS} from issues order by id desc`);
}

/** The newest issue of a week that is not cancelled or failed: re-running the weekly job reuses it. */
export async function currentIssueForWeek(db: Db, week: string): Promise<Issue | undefined> {
  const [row] = await db.query<Issue>(
    `select ${ISSUE_COLUMNS} from issues where week = $1 and ${LIVE} order by id desc limit 1`,
    [week],
  );
  return row;
}

/** Moves an issue to a new status only from one of the allowed ones; returns the issue, or undefined. */
export async function transitionIssue(
  db: Db,
  id: number,
  from: IssueStatus[],
  to: IssueStatus,
  fields: { reason?: string | null; sendAt?: Date | null; timeZone?: string | null; local?: { time: string; date: string } | null } = {},
): Promise<Issue | undefined> {
  const [row] = await db.query<Issue>(
    `update issues set status = $3,
       status_reason = $4,
       paused_at = case when $3 = 'paused' then now() else paused_at end,
       send_at = case when $5::boolean then $6::timestamptz else send_at end,
       send_time_zone = case when $5::boolean then $10::text else send_time_zone end,
       local_time = case when $7::boolean then $8 else local_time end,
       local_date = case when $7::boolean then $9::date else local_date end
     where id = $1 and status = any($2::text[]) returning ${ISSUE_COLUMNS}`,
    [id, from, to, fields.reason ?? null, fields.sendAt !== undefined, fields.sendAt ?? null,
     fields.local !== undefined, fields.local?.time ?? null, fields.local?.date ?? null, fields.timeZone ?? null],
  );
  return row;
}

/**
 * Pauses a sending issue for a provider problem seen by a batch that started at `since`, unless the
 * issue was paused after that: then the problem was already acted on (and perhaps fixed and resumed).
 */
export async function pauseUnlessPausedSince(db: Db, id: number, since: Date, reason: string): Promise<boolean> {
  const n = await db.run(
    `update issues set status = 'paused', status_reason = $3, paused_at = now()
     where id = $1 and status = 'sending' and (paused_at is null or paused_at < $2)`,
    [id, since, reason],
  );
  return n > 0;
}

/** Issues a worker must look after on start: sending ones (re-enqueue pending) and scheduled ones. */
export function activeIssues(db: Db): Promise<Issue[]> {
  return db.query<Issue>(`select ${ISSUE_COLUMNS} from issues where status in ('scheduled', 'sending') order by id`);
}

/** When planning an issue sent at local time, and what "now" is. */
export interface PlanOptions {
  /** The zone of readers who never chose one. */
  defaultTimeZone: string;
  now: Date;
}

/**
 * Plans an issue: freezes its summaries and writes the whole delivery ledger with one INSERT … SELECT.
 * Every active, unsuppressed subscriber gets a row: 'pending' with a batch number when one of their
 * tags has content this week, else 'skipped'. An issue sent at local time gives each delivery the
 * instant its reader's zone reaches that time (now, when that has passed), and numbers batches within
 * each wave, so no batch spans two send times. Running it again changes nothing.
 */
export async function planIssue(db: Db, issueId: number, batchSize: number, opts?: PlanOptions): Promise<Issue | undefined> {
  return db.tx(async (tx) => {
    const [issue] = await tx.query<Issue>(`select ${ISSUE_COLUMNS} from issues where id = $1 for update`, [issueId]);
    if (!issue || issue.plannedAt || !['scheduled', 'sending'].includes(issue.status)) return issue;
    await tx.query(
      `insert into issue_summaries (issue_id, summary_id)
       select $1, id from summaries where week = $2 and hidden_at is null on conflict do nothing`,
      [issueId, issue.week],
    );
    // One send time per distinct zone, computed here (the runtime's zone database, exact for :30 and
    // :45 offsets and daylight-saving days) and joined into the one statement.
    const waves = issue.localTime && issue.localDate && opts ? await localWaves(tx, { time: issue.localTime, date: issue.localDate }, opts) : { zones: [], times: [] };
    // The sorts below (readers by id, then by wave) hold a million rows in memory instead of spilling
    // to disk at the default 4 MB; for this transaction only.
    await tx.query(`set local work_mem = '64MB'`);
    // Set-based throughout, measured at 1,000,000 readers (docs/decisions.md, "A million readers"): each
    // reader's sections come from one merge join of subscribers with their subscriptions and a group by
    // (not a subquery per reader, which also ran twice), and the rows are inserted without ON CONFLICT
    // (speculative insertion writes every row twice): the issue's row lock and planned_at already make a
    // second plan impossible, and a reader who somehow has a row already is left out by the anti-join.
    await tx.query(
      `with issue_tags as (
         select distinct st.tag_id from summary_tags st
         join issue_summaries i on i.summary_id = st.summary_id and i.issue_id = $1),
       readers as (
         select s.id, s.time_zone, s.density,
                coalesce(array_agg(t.slug order by t.slug) filter (where t.slug is not null), '{}') as sections
         from subscribers s
         left join (subscriptions x join issue_tags it on it.tag_id = x.tag_id join tags t on t.id = x.tag_id)
           on x.subscriber_id = s.id
         where s.status = 'active'
           -- A paused reader is left out until the pause ends; then planning takes them again.
           and (s.paused_until is null or s.paused_until <= now())
           and not exists (select 1 from suppressions p where p.email = s.email)
           and not exists (select 1 from deliveries d where d.issue_id = $1 and d.subscriber_id = s.id)
         group by s.id),
       numbered as (
         select r.id, r.sections, r.density, cardinality(r.sections) > 0 as matched, w.send_at,
                row_number() over (partition by cardinality(r.sections) > 0, w.send_at order by r.id) - 1 as n
         from readers r
         left join unnest($3::text[], $4::timestamptz[]) as w(zone, send_at) on w.zone = coalesce(r.time_zone, $5)),
       -- Batches are numbered wave after wave: each wave starts where the earlier ones' batches end.
       wave_start as (
         select send_at, coalesce(sum(ceil(count(*)::numeric / $2::int)) over (order by send_at nulls first rows between unbounded preceding and 1 preceding), 0)::int as first
         from numbered where matched group by send_at)
       insert into deliveries (issue_id, subscriber_id, batch, sections, density, status, error, send_at)
       select $1, m.id,
              case when m.matched then w.first + m.n / $2::int end,
              m.sections,
              -- Frozen like the sections: the reader's choice, else the editor's default now.
              coalesce(m.density, $6::text),
              case when m.matched then 'pending' else 'skipped' end,
              case when m.matched then null else 'no followed tag has content this week' end,
              case when m.matched then m.send_at end
       from numbered m left join wave_start w on m.matched and w.send_at is not distinct from m.send_at`,
      [issueId, batchSize, waves.zones, waves.times, opts?.defaultTimeZone ?? 'UTC', await editorDefaultDensity(tx)],
    );
    // The planner's statistics for the ledger, now that a whole issue's rows arrived at once: without
    // them every batch's lease and outcome statements were planned for an empty table, and the first
    // issue sent on PGlite (which never runs autovacuum) spent four fifths of its time in them.
    await tx.query(`analyze deliveries`);
    const [planned] = await tx.query<Issue>(
      `update issues set status = 'sending', planned_at = now(),
         recipients = (select count(*) from deliveries where issue_id = $1 and status = 'pending'),
         skipped = (select count(*) from deliveries where issue_id = $1 and status = 'skipped')
       where id = $1 returning ${ISSUE_COLUMNS}`,
      [issueId],
    );
    return planned;
  });
}

/** The send time of each zone the active readers are in; a time already passed becomes `now`. */
async function localWaves(db: Db, local: LocalTime, opts: PlanOptions): Promise<{ zones: string[]; times: Date[] }> {
  const rows = await db.query<{ zone: string }>(
    `select distinct coalesce(time_zone, $1) as zone from subscribers where status = 'active'`,
    [opts.defaultTimeZone],
  );
  const fallback = zonedInstant(local, opts.defaultTimeZone);
  const zones = rows.map((r) => r.zone);
  const times = zones.map((zone) => {
    // A zone the runtime no longer knows (renamed in a newer zone database) sends with the default.
    const at = isTimeZone(zone) ? zonedInstant(local, zone) : fallback;
    return at.getTime() < opts.now.getTime() ? opts.now : at;
  });
  return { zones, times };
}

/** Marks a sending issue sent once no delivery is pending, recording the final counts. */
export async function finalizeIssue(db: Db, issueId: number): Promise<Issue | undefined> {
  const [row] = await db.query<Issue>(
    `update issues i set status = 'sent', finished_at = now(), status_reason = null,
       submitted = c.n_submitted, failed = c.n_failed, skipped = c.n_skipped
     from (select count(*) filter (where status = 'submitted')::int as n_submitted,
                  count(*) filter (where status = 'failed')::int as n_failed,
                  count(*) filter (where status = 'skipped')::int as n_skipped,
                  count(*) filter (where status = 'pending')::int as n_pending
           from deliveries where issue_id = $1) c
     where i.id = $1 and i.status = 'sending' and c.n_pending = 0
     returning ${ISSUE_COLUMNS}`,
    [issueId],
  );
  return row;
}

/** A week with summaries, and the issue that holds it (the newest live edition), if any. */
export interface WeekIssue {
  week: string;
  summaries: number;
  issue: { id: number; status: IssueStatus } | null;
}

/** Every week with summaries, newest first, with the live issue that holds it. */
export async function weeksWithIssues(db: Db): Promise<WeekIssue[]> {
  const rows = await db.query<{ week: string; summaries: number; issueId: number | null; status: IssueStatus | null }>(
    `select w.week, w.summaries, i.id as "issueId", i.status
     from (select week, count(*)::int as summaries from summaries group by week) w
     left join lateral (
       select id, status from issues where week = w.week and ${LIVE} order by edition desc, id desc limit 1
     ) i on true
     order by w.week desc`,
  );
  return rows.map((r) => ({ week: r.week, summaries: r.summaries, issue: r.issueId === null ? null : { id: r.issueId, status: r.status! } }));
}
