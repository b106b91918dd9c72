// A local-time issue's ledger counted row by row, with every instant written out: six zones (one at
// +05:45, one at +05:30, one already past 08:00 when planning runs, and readers without a zone on
// DEFAULT_TIME_ZONE), three readers each, and a reader whose tags have nothing this week skipped.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../src/content/import.ts';
import { createIssue, planIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { scheduleIssueLocal } from '../../src/issues.ts';
import type { Queues } from '../../src/queue.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { deleteKeys, testPrefix, testQueues } from '../support/redis.ts';

describe.sequential(`local-time rows on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let queues: Queues;
  const prefix = testPrefix();
  beforeAll(async () => {
    t = await createTestDb();
    expect((await importPaths(t.db, [path.resolve('content/2026-W48')])).errors).toEqual([]);
    queues = await testQueues(t.db, prefix);
  });
  afterAll(async () => {
    await queues?.close();
    await deleteKeys(prefix);
    await t?.drop();
  });

  it('writes one row per reader, 3 per zone and 1 skipped, at 08:00 on 30 November in each zone, in 2-reader batches that never span two times', async () => {
    const zones = ['Europe/Berlin', 'Asia/Kathmandu', 'Asia/Kolkata', 'America/New_York', null, 'Pacific/Kiritimati'];
    await upsertSubscribers(t.db, [
      ...zones.flatMap((timeZone, z) => [0, 1, 2].map((i) => ({ email: `z${z}-${i}@rows.example`, name: null, timeZone, tags: ['AI'], status: 'active' as const, source: 'test' }))),
      // Nothing this week under their tag: a skipped row, no time, no batch.
      { email: 'quantum@rows.example', name: null, timeZone: 'UTC', tags: ['Quantum Computing'], status: 'active', source: 'test' },
    ]);
    const now = new Date('2026-11-30T00:00:00Z');
    const issue = await createIssue(t.db, { week: '2026-W48', engine: 'react', subject: null });
    await scheduleIssueLocal(t.db, queues, issue.id, { localTime: '08:00', date: '2026-11-30' }, now);
    await queues.issues.remove(`plan-issue-${issue.id}`); // planned here, at the chosen "now"
    await planIssue(t.db, issue.id, 2, { defaultTimeZone: 'America/Sao_Paulo', now });
    const waves = await t.db.query<{ status: string; at: string | null; n: number; batches: number }>(
      `select status, to_char(send_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as at, count(*)::int as n, count(distinct batch)::int as batches
       from deliveries where issue_id = $1 group by 1, 2 order by 1, 2`,
      [issue.id],
    );
    expect(waves).toEqual([
      { status: 'pending', at: '2026-11-30T00:00', n: 3, batches: 2 }, // Kiritimati (UTC+14) reached 08:00 already: at once
      { status: 'pending', at: '2026-11-30T02:15', n: 3, batches: 2 }, // Kathmandu, +05:45
      { status: 'pending', at: '2026-11-30T02:30', n: 3, batches: 2 }, // Kolkata, +05:30
      { status: 'pending', at: '2026-11-30T07:00', n: 3, batches: 2 }, // Berlin, +01:00
      { status: 'pending', at: '2026-11-30T11:00', n: 3, batches: 2 }, // no zone: DEFAULT_TIME_ZONE São Paulo, −03:00
      { status: 'pending', at: '2026-11-30T13:00', n: 3, batches: 2 }, // New York, −05:00
      { status: 'skipped', at: null, n: 1, batches: 0 },
    ]);
    expect(await t.db.query(`select count(*)::int as n, count(distinct batch)::int as batches from deliveries where issue_id = $1`, [issue.id])).toEqual([{ n: 19, batches: 12 }]);
  });
});
