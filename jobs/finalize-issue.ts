// finalize-issue(issueId): once no delivery is pending, the issue is sent and its counts recorded.
import { z } from 'zod';
import { finalizeIssue } from '../src/db/issues.ts';
import { skipped, type Skipped } from './catalog.ts';
import type { JobContext } from './index.ts';

export const schema = z.object({ issueId: z.number().int().positive() });

export type Outcome = Skipped | { outcome: 'finalized'; submitted: number; failed: number; skipped: number };

export async function process(data: z.infer<typeof schema>, deps: JobContext): Promise<Outcome> {
  const issue = await finalizeIssue(deps.db, data.issueId);
  if (!issue) return skipped('not sending, or deliveries still pending');
  deps.log.info({ issue: issue.id, submitted: issue.submitted, failed: issue.failed, skipped: issue.skipped }, 'issue sent');
  return { outcome: 'finalized', submitted: issue.submitted, failed: issue.failed, skipped: issue.skipped };
}
