// plan-issue(issueId): freeze the issue's summaries, write the delivery ledger in one statement (each
// delivery with its wave's time when the issue goes out at the readers' local time), and enqueue one
// send-batch job per batch of pending deliveries, delayed until its wave. Re-running it re-enqueues
// what is pending.
import { z } from 'zod';
import { pendingBatchTimes } from '../src/db/deliveries.ts';
import { getIssue, planIssue, transitionIssue } from '../src/db/issues.ts';
import { batchDelays } from '../src/enqueue.ts';
import { sendingProblem } from '../src/publication.ts';
import { delayed, skipped, type Delayed, type Skipped } from './catalog.ts';
import type { JobContext } from './index.ts';

export const schema = z.object({ issueId: z.number().int().positive() });

export type Outcome = Skipped | Delayed | { outcome: 'planned'; recipients: number; batches: number };

export async function process(data: z.infer<typeof schema>, deps: JobContext): Promise<Outcome> {
  const issue = await getIssue(deps.db, data.issueId);
  if (!issue || !['scheduled', 'sending'].includes(issue.status)) return skipped(`issue is ${issue?.status ?? 'missing'}`);
  // A job that arrives early (the issue was rescheduled later) waits for the new time.
  if (issue.status === 'scheduled' && issue.sendAt && issue.sendAt.getTime() > deps.now().getTime() + 1000) {
    return delayed(issue.sendAt, 'scheduled later');
  }
  // Every way an issue starts (send, schedule, the weekly schedule) comes here before anything is sent.
  if (!issue.plannedAt) {
    const problem = await sendingProblem(deps.db, deps.config, deps.provider.name);
    if (problem) {
      await transitionIssue(deps.db, issue.id, ['scheduled'], 'paused', { reason: problem });
      deps.log.warn({ issue: issue.id }, problem);
      return skipped(problem);
    }
  }
  const planned = await planIssue(deps.db, issue.id, deps.batchSize, { defaultTimeZone: deps.config.defaultTimeZone, now: deps.now() });
  if (!planned || planned.status !== 'sending') return skipped(`issue is ${planned?.status ?? 'missing'}`);
  const batches = await pendingBatchTimes(deps.db, issue.id);
  await deps.enqueue.batches(issue.id, batchDelays(batches, deps.now()));
  if (batches.length === 0) await deps.enqueue.finalize(issue.id);
  deps.log.info({ issue: issue.id, recipients: planned.recipients, skipped: planned.skipped, batches: batches.length }, 'issue planned');
  return { outcome: 'planned', recipients: planned.recipients, batches: batches.length };
}
