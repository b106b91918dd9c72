// reconcile(): whatever the database says is owed goes back on the queue, as on a worker's start: the
// ledger's batches (each delayed until its wave), the emails readers asked for, and the recurring
// schedule's job scheduler. It closes the gap a pause leaves (a batch job that read "paused" just
// before an editor resumed ends without sending, and nothing else would run its batch again), sends a
// notice whose job never reached Redis, and heals a Redis that lost its keys. Every worker runs it
// from an in-process timer (src/workers.ts), so it survives a Redis flush; the job form remains for
// an operator who wants to trigger it. It also forgets subscription requests nobody confirmed before
// their links expired, and mailbox slots past their window.
import { z } from 'zod';
import { purgeMailboxLimits } from '../src/db/notices.ts';
import { purgeUnconfirmed } from '../src/db/readers.ts';
import { recoverAll, recoverNotices } from '../src/issues.ts';
import { assertScheduler } from '../src/schedule.ts';
import { LINK_TTL_S } from '../src/subscriptions/notices.ts';
import type { JobContext } from './index.ts';

export const schema = z.object({});

/** How often every worker re-drives the queues from the database. */
export const RECONCILE_EVERY_MS = 60_000;

export type Outcome = { outcome: 'reconciled'; issues: number; notices: number; schedule: boolean; purged: { subscribers: number; requests: number } };

export async function reconcileOnce(deps: Pick<JobContext, 'db' | 'enqueue' | 'now' | 'config'>): Promise<Outcome> {
  const issues = await recoverAll(deps.db, deps.enqueue, deps.now());
  // Before the owed notices are read: a request purged now needs no email.
  const purged = await purgeUnconfirmed(deps.db, LINK_TTL_S.confirm * 1000);
  await purgeMailboxLimits(deps.db);
  const notices = await recoverNotices(deps.db, deps.enqueue);
  const schedule = await assertScheduler(deps.db, deps.enqueue, deps.now(), deps.config.templateEngine);
  return { outcome: 'reconciled', issues, notices, schedule, purged };
}

export function process(_data: z.infer<typeof schema>, deps: JobContext): Promise<Outcome> {
  return reconcileOnce(deps);
}
