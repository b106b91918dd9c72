// reconcile(): every minute, whatever the ledger says is owed goes back on the queue, as on a worker's
// start. It closes the one gap a pause leaves: a batch job that read "paused" just before an editor
// resumed ends without sending, and nothing else would run its batch again.
import { z } from 'zod';
import { recoverAll } from '../src/issues.ts';
import type { JobContext, JobResult } from './index.ts';

export const schema = z.object({});

/** How often the job scheduler runs reconcile. */
export const RECONCILE_EVERY_MS = 60_000;

export async function process(_data: z.infer<typeof schema>, deps: JobContext): Promise<JobResult> {
  return { issues: await recoverAll(deps.db, deps.queues) };
}
