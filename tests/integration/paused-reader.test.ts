// A reader who pauses after an issue was planned is skipped by every batch not yet sent, counted as
// skipped with the reason, and recorded on the batch's first attempt: a retry after a lost answer sends
// the same bytes under the same key even though the pause ended meanwhile. Through the real send-batch
// job (process() called directly, so each attempt is one call), the real SDK and the emulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../jobs/index.ts';
import type { SendBatchDeps } from '../../jobs/send-batch.ts';
import { issueProgress } from '../../src/db/deliveries.ts';
import { createIssue, finalizeIssue, planIssue } from '../../src/db/issues.ts';
import { setPause } from '../../src/db/readers.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { createResend } from '../../src/send/resend.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, jobContext, type Harness } from '../support/pipeline.ts';
import { addSummaries } from '../support/reader.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';

const WEEK = '2026-W47';
const READERS = ['a', 'b', 'c', 'd'].map((n) => `${n}@paused.example`);

// Through the catalog, as a worker calls it (send-batch imported alone would load before the catalog it is in).
const sendBatch = (data: { issueId: number; batch: number }, deps: SendBatchDeps) => jobs['send-batch'].process(data, deps);

describe.sequential(`a reader who pauses after planning, on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let emu: Emulator;
  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [{ title: 'Paused, not gone', tags: ['AI'] }]);
    await upsertSubscribers(t.db, READERS.map((email) => ({ email, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' })));
    h = await createHarness(t.db);
    emu = await startResendEmulator();
  });
  afterEach(async () => {
    await emu?.close();
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('skips them in the batches not yet sent, with the reason, and a retry sends the same bytes after the pause ended', async () => {
    const provider = createResend({ apiKey: emu.options.apiKey, baseUrl: emu.url, timeoutMs: 5000 });
    const deps = jobContext(t.db, h, provider, { batchSize: 2 });
    try {
      const issue = await createIssue(t.db, { week: WEEK, engine: 'react', subject: null });
      await t.db.query(`update issues set status = 'scheduled' where id = $1`, [issue.id]);
      await planIssue(t.db, issue.id, 2); // batch 0: a, b; batch 1: c, d
      const id = async (email: string) => (await t.db.query<{ id: number }>(`select id from subscribers where email = $1`, [email]))[0]!.id;

      expect(await sendBatch({ issueId: issue.id, batch: 0 }, deps)).toEqual({ outcome: 'sent', submitted: 2, failed: 0, skipped: 0 });
      // c pauses (the preferences page's own statement) after planning and after batch 0 went out.
      await setPause(t.db, await id(READERS[2]!), 2);

      // Batch 1's first attempt is accepted and its answer lost: the job must retry.
      emu.options.dropAfterAcceptRate = 1;
      await expect(sendBatch({ issueId: issue.id, batch: 1 }, deps)).rejects.toThrow();
      // The pause ends before the retry; the retry still sends what the first attempt sent.
      await setPause(t.db, await id(READERS[2]!), null);
      emu.options.dropAfterAcceptRate = 0;
      expect(await sendBatch({ issueId: issue.id, batch: 1 }, deps)).toEqual({ outcome: 'sent', submitted: 1, failed: 0, skipped: 0 });

      expect(emu.stats.conflicts).toBe(0); // same key, same body
      expect(emu.stats.replayed).toBe(1);
      expect(READERS.map((e) => emu.stats.accepted.get(e) ?? 0)).toEqual([1, 1, 0, 1]);
      const rows = await t.db.query<{ email: string; status: string; error: string | null }>(
        `select s.email, d.status, d.error from deliveries d join subscribers s on s.id = d.subscriber_id where d.issue_id = $1 order by s.email`,
        [issue.id],
      );
      expect(rows).toEqual([
        { email: READERS[0], status: 'submitted', error: null },
        { email: READERS[1], status: 'submitted', error: null },
        { email: READERS[2], status: 'skipped', error: 'subscriber paused' },
        { email: READERS[3], status: 'submitted', error: null },
      ]);
      expect(await issueProgress(t.db, issue.id)).toEqual({ pending: 0, submitted: 3, failed: 0, skipped: 1 });
      expect(await finalizeIssue(t.db, issue.id)).toMatchObject({ status: 'sent', submitted: 3, skipped: 1 });
    } finally {
      await provider.close?.();
    }
  });
});
