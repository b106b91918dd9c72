// reconcile(): every minute, whatever the database says is owed goes back on the queue, as on a worker's
// start: the ledger's batches, and the emails readers asked for. It closes the one gap a pause leaves
// (a batch job that read "paused" just before an editor resumed ends without sending, and nothing else
// would run its batch again), and sends a notice whose job never reached Redis.
import { z } from 'zod';
import { recoverAll, recoverNotices } from '../src/issues.ts';
import type { JobContext, JobResult } from './index.ts';

export const schema = z.object({});

/** How often the job scheduler runs reconcile. */
export const RECONCILE_EVERY_MS = 60_000;

export async function process(_data: z.infer<typeof schema>, deps: JobContext): Promise<JobResult> {
  return { issues: await recoverAll(deps.db, deps.queues), notices: await recoverNotices(deps.db, deps.queues) };
}
