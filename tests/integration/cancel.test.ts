// Cancel while an issue is sending: batches already handed to the provider cannot be called back, so
// they are recorded as what they are (submitted, with the provider's ids); nothing else is sent, the
// rest of the ledger is skipped with the reason, and no reader gets the issue twice.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../src/content/import.ts';
import { createIssue, getIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { cancelIssue, sendIssueNow } from '../../src/issues.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { eventually } from '../support/eventually.ts';
import { createHarness, type Harness } from '../support/pipeline.ts';

const READERS = 30;
const BATCH = 5;

describe.sequential(`cancel mid-send on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  beforeAll(async () => {
    t = await createTestDb();
    expect((await importPaths(t.db, [path.resolve('content/2026-W48')])).errors).toEqual([]);
    h = await createHarness(t.db, undefined, { batchSize: BATCH });
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('sends no batch after the cancel, records the batches in flight as submitted and skips the rest, each reader at most once', async () => {
    await upsertSubscribers(t.db, Array.from({ length: READERS }, (_, i) => ({ email: `c${i}@cancel.example`, name: null, timeZone: null, tags: ['AI'], status: 'active' as const, source: 'test' })));
    const issue = await createIssue(t.db, { week: '2026-W48', engine: 'react', subject: null });
    // The first request goes through; the next ones are held at the provider, in flight, until released.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inner = h.provider.sendBatch;
    let started = 0;
    h.provider.sendBatch = async (emails, opts) => {
      if (started++ > 0) await gate;
      return inner(emails, opts);
    };
    await sendIssueNow(t.db, h.queues, issue.id);
    h.start();
    // The harness's worker runs 4 batches at once: after the first, 4 requests wait in flight.
    await eventually(() => started === 5, { what: '4 batches held in flight after the first was accepted' });
    const held = started - 1;
    // Evidence that the cancel lands mid-lease: the held batches' rows are leased, still pending.
    const leased = await t.db.query<{ n: number }>(`select count(*)::int as n from deliveries where issue_id = $1 and status = 'pending' and lease_until > now()`, [issue.id]);
    expect(leased[0]!.n).toBe(held * BATCH);
    await cancelIssue(t.db, issue.id);
    release();
    // Every job ends: the held batches answer, the others find the issue cancelled.
    for (let b = 0; b < READERS / BATCH; b++) {
      const id = `send-batch-${issue.id}-${b}`;
      await eventually(
        async () => {
          const job = await h.queues.send.getJob(id);
          return !job || (await job.isCompleted()) || (await job.isFailed());
        },
        { what: `job ${id} ended`, every: 20 },
      );
    }
    await h.stopAll();
    h.provider.sendBatch = inner;
    expect(started).toBe(1 + held); // no request started after the cancel
    const calls = h.provider.calls.length;
    expect(calls).toBe(started);
    expect([...h.provider.sentTo.values()].every((n) => n === 1)).toBe(true);
    const accepted = h.provider.sentTo.size;
    expect(accepted).toBe(calls * BATCH);
    expect(accepted).toBeLessThan(READERS);
    const ledger = await t.db.query<{ status: string; error: string | null; n: number; ids: number }>(
      `select status, error, count(*)::int as n, count(provider_id)::int as ids from deliveries where issue_id = $1 group by 1, 2 order by 1`,
      [issue.id],
    );
    expect(ledger).toEqual([
      { status: 'skipped', error: 'issue cancelled', n: READERS - accepted, ids: 0 },
      { status: 'submitted', error: null, n: accepted, ids: accepted },
    ]);
    const submittedTo = await t.db.query<{ email: string }>(
      `select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where d.issue_id = $1 and d.status = 'submitted' order by 1`,
      [issue.id],
    );
    expect(submittedTo.map((r) => r.email)).toEqual([...h.provider.sentTo.keys()].sort());
    expect((await getIssue(t.db, issue.id))!.status).toBe('cancelled');
  });
});
