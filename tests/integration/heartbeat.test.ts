// What docs/sending.md promises of the heartbeat and the queues' names, with literal figures: the heartbeat
// runs once a minute by default; a scheduled week more than a day late is recorded as missed, not
// sent; two installations sharing one Redis (and one QUEUE_PREFIX) never touch each other's jobs.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importPaths } from '../../src/content/import.ts';
import { createIssue } from '../../src/db/issues.ts';
import { scheduleRuns } from '../../src/db/schedules.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { enqueueTo } from '../../src/enqueue.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { assertScheduler, clearSchedule, setSchedule } from '../../src/schedule.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, waitForStatus, type Harness } from '../support/pipeline.ts';
import { testPrefix } from '../support/redis.ts';
import { eventually } from '../support/eventually.ts';

describe.sequential(`the heartbeat and shared Redis on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  beforeAll(async () => {
    t = await createTestDb();
    expect((await importPaths(t.db, [path.resolve('content/2026-W48')])).errors).toEqual([]);
    h = await createHarness(t.db);
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('beats once a minute by default: one timer of 60,000 ms that takes the heartbeat lock for 59 s', async () => {
    const timers = vi.spyOn(globalThis, 'setInterval');
    try {
      h.start(); // no reconcileEveryMs: the product's default
      const beats = timers.mock.calls.filter(([, ms]) => ms === 60_000);
      expect(beats).toHaveLength(1);
      // It is the heartbeat: firing it takes the heartbeat's lock, held one second less than the period.
      beats[0]![0]();
      const lock = `${h.queues.issues.qualifiedName}:heartbeat`;
      expect(await eventually(() => h.queues.connection.get(lock), { what: `the heartbeat's lock ${lock}`, every: 20 })).toBe(String(process.pid));
      const ttl = await h.queues.connection.pttl(lock);
      expect(ttl).toBeGreaterThan(58_000);
      expect(ttl).toBeLessThanOrEqual(59_000);
    } finally {
      timers.mockRestore();
      await h.stopAll();
    }
  });

  it('runs a week the scheduler missed up to a day late, and records one more than a day late as missed', async () => {
    // Mondays at 08:00 UTC, set the Friday before; no worker ran the two Mondays after.
    const setAt = new Date('2026-11-20T12:00:00Z');
    await setSchedule(t.db, h.queues, { weekday: 1, time: '08:00', timeZone: 'UTC' }, setAt);
    await t.db.query(`update schedules set updated_at = $1`, [setAt]);
    const enqueue = enqueueTo(h.queues);
    // Monday 23 November's run (week 48), looked at a day and a minute late: missed, nothing created.
    await assertScheduler(t.db, enqueue, new Date('2026-11-24T08:01:00Z'));
    // Monday 30 November's run (week 49), a day less a minute late: it runs (week 49 has no summaries).
    await assertScheduler(t.db, enqueue, new Date('2026-12-01T07:59:00Z'));
    expect((await scheduleRuns(t.db, 10)).map((r) => [r.week, r.outcome])).toEqual([
      ['2026-W49', 'skipped: no content'],
      ['2026-W48', 'skipped: missed (no worker was running)'],
    ]);
    expect(await t.db.query(`select id from issues`)).toEqual([]);
    await clearSchedule(t.db, h.queues);
  });

  it('keeps two installations on one Redis and one QUEUE_PREFIX apart, though their issues have the same id', async () => {
    const other = await createTestDb();
    const prefix = testPrefix();
    const a = await createHarness(t.db, undefined, { prefix });
    const b = await createHarness(other.db, undefined, { prefix });
    try {
      expect((await importPaths(other.db, [path.resolve('content/2026-W48')])).errors).toEqual([]);
      const readers = (domain: string) => Array.from({ length: 12 }, (_, i) => ({ email: `r${i}@${domain}`, name: null, timeZone: null, tags: ['AI'], status: 'active' as const, source: 'test' }));
      await upsertSubscribers(t.db, readers('one.example'));
      await upsertSubscribers(other.db, readers('two.example'));
      const [ia, ib] = [await createIssue(t.db, { week: '2026-W48', engine: 'react', subject: null }), await createIssue(other.db, { week: '2026-W48', engine: 'react', subject: null })];
      expect(ia.id).toBe(ib.id); // the same job ids, were the queues shared
      expect(a.queues.send.name).not.toBe(b.queues.send.name);
      a.start();
      b.start();
      await Promise.all([sendIssueNow(t.db, a.queues, ia.id), sendIssueNow(other.db, b.queues, ib.id)]);
      const [sa, sb] = await Promise.all([waitForStatus(t.db, ia.id), waitForStatus(other.db, ib.id)]);
      expect([sa.submitted, sb.submitted]).toEqual([12, 12]);
      const sentTo = (x: Harness) => [...x.provider.sentTo.entries()].sort();
      expect(sentTo(a)).toEqual(readers('one.example').map((r) => [r.email, 1]).sort());
      expect(sentTo(b)).toEqual(readers('two.example').map((r) => [r.email, 1]).sort());
    } finally {
      await a.close();
      await b.close();
      await other.drop();
    }
  });
});
