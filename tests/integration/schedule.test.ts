// The recurring weekly issue, local-time waves and self-healing, through real Redis, BullMQ and the
// test's database: a week runs once, a week without summaries sends nothing, an editor's issue is not
// duplicated; each reader's delivery carries their own time; and with workers running, an issue whose
// queue state vanished finishes by itself, each reader once.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../src/content/import.ts';
import { issueProgress, pendingBatchTimes } from '../../src/db/deliveries.ts';
import { getIssue, planIssue } from '../../src/db/issues.ts';
import { scheduleRuns } from '../../src/db/schedules.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { enqueueTo } from '../../src/enqueue.ts';
import { IssueStateError, rebuildJobs, scheduleIssueLocal, sendIssueNow } from '../../src/issues.ts';
import { assertScheduler, clearSchedule, cronFor, getSchedule, runInstant, runOccurrence, setSchedule } from '../../src/schedule.ts';
import { zonedInstant } from '../../src/time.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, waitForStatus, type Harness } from '../support/pipeline.ts';
import { addSummaries } from '../support/reader.ts';
import { deleteKeys } from '../support/redis.ts';
import { weekIssue } from '../support/issues.ts';
import { eventually } from '../support/eventually.ts';

const WEEK = '2026-W48';
const HEAL_WEEK = '2026-W50';

function reader(i: number, timeZone: string | null, tags = ['AI', 'Security']): SubscriberInput {
  return { email: `r${i}@schedule.example`, name: null, timeZone, tags, status: 'active', source: 'test' };
}

describe.sequential(`the weekly schedule and local-time sending on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  beforeAll(async () => {
    t = await createTestDb();
    expect((await importPaths(t.db, [path.resolve('content')])).errors).toEqual([]);
    h = await createHarness(t.db, undefined, { batchSize: 2, reconcileEveryMs: 400 });
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('stores the schedule and realises it as a job scheduler in its zone; clearing removes both', async () => {
    const s = await setSchedule(t.db, h.queues, { weekday: 1, time: '08:00', timeZone: 'Europe/Berlin' }, new Date('2026-11-25T12:00:00Z'));
    expect(s.nextRun.toISOString()).toBe('2026-11-30T07:00:00.000Z');
    const job = await h.queues.issues.getJobScheduler('weekly-issue');
    expect(job).toMatchObject({ pattern: '0 8 * * 1', tz: 'Europe/Berlin' });
    await expect(setSchedule(t.db, h.queues, { weekday: 8, time: '25:00', timeZone: 'Mars/Base' })).rejects.toThrow(/weekday must be 1[\s\S]*time must be HH:MM[\s\S]*IANA time zone/);
    expect(await clearSchedule(t.db, h.queues)).toBe(true);
    expect(await getSchedule(t.db)).toBeUndefined();
    expect(await h.queues.issues.getJobScheduler('weekly-issue')).toBeUndefined();
  });

  it("agrees with BullMQ's cron on when each run happens, across daylight-saving changes", async () => {
    // Sundays at 08:00 in Berlin and New York, on and around 2027's changes; and a local-time schedule.
    const cases = [
      { s: { weekday: 7, time: '08:00', timeZone: 'Europe/Berlin', local: false }, dates: ['2027-03-21', '2027-03-28', '2027-10-31'] },
      { s: { weekday: 7, time: '08:00', timeZone: 'America/New_York', local: false }, dates: ['2027-03-14', '2027-11-07'] },
      { s: { weekday: 1, time: '07:30', timeZone: 'UTC', local: true }, dates: ['2027-03-29'] },
    ] as const;
    for (const { s, dates } of cases) {
      const schedule = { ...s, engine: null, week: 'current' as const };
      for (const date of dates) {
        const expected = runInstant(schedule, date);
        // Ask BullMQ for the first run from a day before: its cron parser and tz must land on our instant.
        const id = `probe-${s.timeZone.replace('/', '-')}-${date}`;
        await h.queues.issues.upsertJobScheduler(id, { ...cronFor(schedule), startDate: new Date(expected.getTime() - 86_400_000) }, { name: 'run-schedule', data: {} });
        expect({ date, next: new Date((await h.queues.issues.getJobScheduler(id))!.next!).toISOString() }).toEqual({ date, next: expected.toISOString() });
        await h.queues.issues.removeJobScheduler(id);
      }
    }
  });

  it('creates and schedules the week\'s issue once, records a week without summaries, and never duplicates an editor\'s issue', async () => {
    const enqueue = enqueueTo(h.queues);
    const s = { weekday: 1, time: '08:00', timeZone: 'Europe/Berlin', local: false, engine: null, week: 'current' as const };
    const now = new Date('2026-11-23T07:00:05Z');
    const first = await runOccurrence(t.db, enqueue, s, '2026-11-23', now, 'react');
    expect(first).toMatchObject({ outcome: 'created', week: WEEK });
    const issue = (await getIssue(t.db, first.issueId!))!;
    expect(issue).toMatchObject({ status: 'scheduled', week: WEEK });
    expect(issue.sendAt!.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(await h.queues.issues.getJob(`plan-issue-${issue.id}`)).toBeDefined();
    // The same week again (a retried job, a second worker, the hour that happens twice): nothing new.
    expect(await runOccurrence(t.db, enqueue, s, '2026-11-23', now, 'react')).toMatchObject({ outcome: 'skipped', reason: 'this week has run already' });
    expect((await t.db.query(`select count(*)::int as n from issues where week = $1`, [WEEK]))[0]).toEqual({ n: 1 });
    // A week with no summaries.
    const empty = await runOccurrence(t.db, enqueue, s, '2027-06-07', now, 'react');
    expect(empty).toMatchObject({ outcome: 'skipped', week: '2027-W23', reason: 'no content', issueId: null });
    // An editor made a draft for the week before the run: it is scheduled, not duplicated.
    const draft = await weekIssue(t.db, { week: '2026-W47', engine: 'mjml', subject: 'Hand-made' });
    const found = await runOccurrence(t.db, enqueue, s, '2026-11-16', now, 'react');
    expect(found).toMatchObject({ outcome: 'found', issueId: draft.id });
    expect((await getIssue(t.db, draft.id))!.status).toBe('scheduled');
    expect((await t.db.query(`select count(*)::int as n from issues where week = '2026-W47'`))[0]).toEqual({ n: 1 });
    const runs = await scheduleRuns(t.db, 10);
    expect(runs.map((r) => [r.week, r.outcome])).toEqual([
      ['2027-W23', 'skipped: no content'],
      [WEEK, `created issue ${issue.id}`],
      ['2026-W47', `found issue ${draft.id}`],
    ]);
    // Leave nothing for the next tests' workers to send.
    await t.db.query(`update issues set status = 'cancelled' where id = any($1::int[])`, [[issue.id, draft.id]]);
  });

  it('plans a weekly local-time issue an hour before the first zone reaches its time', async () => {
    // Mondays at 08:00 in each reader's zone: Kiritimati (UTC+14) reaches 08:00 on 2026-11-30 at 18:00 UTC on the 29th.
    const s = { weekday: 1, time: '08:00', timeZone: 'UTC', local: true, engine: null, week: 'previous' as const };
    const now = new Date('2026-11-29T17:00:05Z');
    await t.db.query(`delete from schedule_runs`);
    const draft = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    try {
      expect(await runOccurrence(t.db, enqueueTo(h.queues), s, '2026-11-30', now, 'react')).toMatchObject({ outcome: 'found', issueId: draft.id });
      const issue = (await getIssue(t.db, draft.id))!;
      expect({ sendAt: issue.sendAt!.toISOString(), localTime: issue.localTime, localDate: issue.localDate }).toEqual({ sendAt: '2026-11-29T17:00:00.000Z', localTime: '08:00', localDate: '2026-11-30' });
      // The plan job runs now, not when the first readers are due.
      const job = await h.queues.issues.getJob(`plan-issue-${issue.id}`);
      expect(job!.opts.delay ?? 0).toBe(0);
    } finally {
      await t.db.query(`update issues set status = 'cancelled' where id = $1`, [draft.id]);
      await h.queues.issues.remove(`plan-issue-${draft.id}`);
    }
  });

  it('puts the scheduler back after Redis lost it, and runs a due week the scheduler missed', async () => {
    await t.db.query(`delete from schedule_runs`);
    const setAt = new Date('2026-11-20T12:00:00Z');
    await setSchedule(t.db, h.queues, { weekday: 1, time: '08:00', timeZone: 'Europe/Berlin', week: 'previous' }, setAt);
    await t.db.query(`update schedules set updated_at = $1`, [setAt]);
    await deleteKeys(h.prefix); // a Redis flush
    expect(await h.queues.issues.getJobScheduler('weekly-issue')).toBeUndefined();
    // The heartbeat, two minutes after Monday's run should have happened.
    const now = new Date('2026-11-30T07:02:00Z');
    expect(await assertScheduler(t.db, enqueueTo(h.queues), now)).toBe(true);
    expect(await h.queues.issues.getJobScheduler('weekly-issue')).toMatchObject({ pattern: '0 8 * * 1', tz: 'Europe/Berlin' });
    const [run] = await scheduleRuns(t.db, 1);
    expect(run).toMatchObject({ week: WEEK });
    expect(run!.outcome).toMatch(/^created issue \d+$/);
    // A second heartbeat finds the week done.
    await assertScheduler(t.db, enqueueTo(h.queues), new Date(now.getTime() + 60_000));
    expect((await t.db.query(`select count(*)::int as n from issues where week = $1 and status = 'scheduled'`, [WEEK]))[0]).toEqual({ n: 1 });
    await t.db.query(`update issues set status = 'cancelled' where status = 'scheduled'`);
    await clearSchedule(t.db, h.queues);
  });

  it("gives each delivery its reader's local time, batches within waves, and sends at once to zones whose time has passed", async () => {
    const zones = ['Europe/Berlin', 'Asia/Kathmandu', 'Asia/Kolkata', 'America/New_York', null, 'Pacific/Kiritimati'];
    await upsertSubscribers(t.db, zones.flatMap((z, i) => [reader(i * 10, z), reader(i * 10 + 1, z), reader(i * 10 + 2, z)]));
    // Planning "now" is 2026-11-30 00:00 UTC: Kiritimati (UTC+14) reached 08:00 already; the others have not.
    const now = new Date('2026-11-30T00:00:00Z');
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    await expect(scheduleIssueLocal(t.db, h.queues, issue.id, { localTime: '8:00', date: '2026-11-30' }, now)).rejects.toThrow(IssueStateError);
    await expect(scheduleIssueLocal(t.db, h.queues, issue.id, { localTime: '08:00', date: '2026-02-30' }, now)).rejects.toThrow(/real YYYY-MM-DD/);
    const scheduled = await scheduleIssueLocal(t.db, h.queues, issue.id, { localTime: '08:00', date: '2026-11-30' }, now);
    // Planned an hour before the first zone (UTC+14) reaches 08:00 on the 30th, i.e. 18:00 UTC on the 29th.
    expect(scheduled.sendAt!.toISOString()).toBe('2026-11-29T17:00:00.000Z');
    await h.queues.issues.remove(`plan-issue-${issue.id}`); // planned here, with the chosen "now"
    await planIssue(t.db, issue.id, 2, { defaultTimeZone: 'America/Sao_Paulo', now });
    const rows = await t.db.query<{ email: string; sendAt: Date; batch: number }>(
      `select s.email, d.send_at as "sendAt", d.batch from deliveries d join subscribers s on s.id = d.subscriber_id
       where d.issue_id = $1 and s.email like '%@schedule.example' order by s.email`,
      [issue.id],
    );
    const want = (i: number) => {
      const zone = zones[Math.floor(i / 10)] ?? 'America/Sao_Paulo';
      const at = zonedInstant({ date: '2026-11-30', time: '08:00' }, zone);
      return (at < now ? now : at).toISOString();
    };
    for (const r of rows) expect({ email: r.email, at: r.sendAt.toISOString() }).toEqual({ email: r.email, at: want(Number(/r(\d+)@/.exec(r.email)![1])) });
    expect(rows.find((r) => r.email === 'r40@schedule.example')!.sendAt.toISOString()).toBe('2026-11-30T11:00:00.000Z'); // no zone: DEFAULT_TIME_ZONE (UTC−3)
    expect(rows.find((r) => r.email === 'r10@schedule.example')!.sendAt.toISOString()).toBe('2026-11-30T02:15:00.000Z'); // +05:45
    // No batch spans two send times.
    const byBatch = new Map<number, Set<string>>();
    for (const b of await t.db.query<{ batch: number; sendAt: Date | null }>(`select batch, send_at as "sendAt" from deliveries where issue_id = $1 and status = 'pending'`, [issue.id])) {
      byBatch.set(b.batch, (byBatch.get(b.batch) ?? new Set()).add(String(b.sendAt?.toISOString())));
    }
    expect([...byBatch.values()].every((times) => times.size === 1)).toBe(true);
    expect((await pendingBatchTimes(t.db, issue.id)).length).toBe(byBatch.size);
    await t.db.query(`update issues set status = 'cancelled' where id = $1`, [issue.id]);
    await t.db.query(`update deliveries set status = 'skipped' where issue_id = $1 and status = 'pending'`, [issue.id]);
  });

  it('never sends a wave before its time, and sends the waves whose time has come at once', async () => {
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    await t.db.query(`update issues set status = 'scheduled' where id = $1`, [issue.id]);
    const planned = (await planIssue(t.db, issue.id, 2))!;
    // Two waves: half the batches now, half two seconds from now (as a later zone's would be).
    const later = new Date(Date.now() + 2000);
    await t.db.query(
      `update deliveries set send_at = case when batch % 2 = 0 then now() else $2::timestamptz end where issue_id = $1 and status = 'pending'`,
      [issue.id, later],
    );
    expect((await pendingBatchTimes(t.db, issue.id)).length).toBeGreaterThan(1);
    h.start();
    await rebuildJobs(t.db, enqueueTo(h.queues), planned, new Date());
    const sent = await waitForStatus(t.db, issue.id);
    expect(sent.status).toBe('sent');
    const early = await t.db.query(`select 1 from deliveries where issue_id = $1 and submitted_at < send_at`, [issue.id]);
    expect(early).toEqual([]);
    await h.stopAll();
  });

  it('finishes an issue whose queue state vanished mid-send, with workers running and nobody acting, each reader once', async () => {
    // 58 readers of a tag only they follow, in a week of its own: 29 batches of 2. The earlier tests'
    // readers leave, so the ledger holds these 58 alone.
    await t.db.query(`update subscribers set status = 'unsubscribed'`);
    await upsertSubscribers(t.db, Array.from({ length: 58 }, (_, i) => reader(1000 + i, 'UTC', ['Healing'])));
    await addSummaries(t.db, HEAL_WEEK, [{ title: 'Healing queues from the ledger', tags: ['Healing'] }]);
    const issue = await weekIssue(t.db, { week: HEAL_WEEK, engine: 'react', subject: null });
    h.provider.sentTo.clear();
    // Hold the provider after its first request, so Redis is flushed with most of the issue owed.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const inner = h.provider.sendBatch;
    h.provider.sendBatch = async (emails, opts) => {
      if (calls++ >= 1) await gate;
      return inner(emails, opts);
    };
    await sendIssueNow(t.db, h.queues, issue.id);
    h.start();
    await eventually(async () => (await issueProgress(t.db, issue.id)).submitted > 0, { what: 'the first batch submitted', every: 20 });
    await deleteKeys(h.prefix); // FLUSHALL, as far as this installation can tell
    // What the flush left: no job of this installation in Redis, and the ledger owing all but the first batch.
    const jobsLeft = Object.values(await h.queues.send.getJobCounts()).reduce((a, b) => a + b, 0);
    const owed = (await issueProgress(t.db, issue.id)).pending;
    release();
    expect(jobsLeft).toBe(0);
    expect(owed).toBe(56);
    // No resume: the workers' heartbeat re-drives the ledger.
    const sent = await waitForStatus(t.db, issue.id);
    h.provider.sendBatch = inner;
    expect(sent).toMatchObject({ status: 'sent', recipients: 58, submitted: 58, failed: 0, skipped: 0 });
    expect(await t.db.query(`select status, count(*)::int as n from deliveries where issue_id = $1 group by 1`, [issue.id])).toEqual([{ status: 'submitted', n: 58 }]);
    expect(h.provider.sentTo.size).toBe(58);
    expect([...h.provider.sentTo.values()].every((n) => n === 1)).toBe(true);
    await h.stopAll();
  });
});
