// plan-issue(issueId): freeze the issue's summaries, write the delivery ledger in one statement,
// enqueue one send-batch job per batch of pending deliveries. Re-running it re-enqueues what is pending.
import { z } from 'zod';
import { pendingBatches } from '../src/db/deliveries.ts';
import { getIssue, planIssue } from '../src/db/issues.ts';
import { enqueueBatches, enqueueFinalize } from '../src/queue.ts';
import type { JobContext, JobResult } from './index.ts';

export const schema = z.object({ issueId: z.number().int().positive() });

export async function process(data: z.infer<typeof schema>, deps: JobContext): Promise<JobResult> {
  const issue = await getIssue(deps.db, data.issueId);
  if (!issue || !['scheduled', 'sending'].includes(issue.status)) return { skipped: `issue is ${issue?.status ?? 'missing'}` };
  // A job that arrives early (the issue was rescheduled later) waits for the new time.
  if (issue.status === 'scheduled' && issue.sendAt && issue.sendAt.getTime() > deps.now().getTime() + 1000) {
    return { delayUntil: issue.sendAt };
  }
  const planned = await planIssue(deps.db, issue.id, deps.batchSize);
  if (!planned || planned.status !== 'sending') return { skipped: `issue is ${planned?.status ?? 'missing'}` };
  const batches = await pendingBatches(deps.db, issue.id);
  await enqueueBatches(deps.queues, issue.id, batches);
  if (batches.length === 0) await enqueueFinalize(deps.queues, issue.id);
  deps.log.info({ issue: issue.id, recipients: planned.recipients, skipped: planned.skipped, batches: batches.length }, 'issue planned');
  return { batches: batches.length };
}
