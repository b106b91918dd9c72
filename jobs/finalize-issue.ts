// finalize-issue(issueId): once no delivery is pending, the issue is sent and its counts recorded.
import { z } from 'zod';
import { finalizeIssue } from '../src/db/issues.ts';
import type { JobContext, JobResult } from './index.ts';

export const schema = z.object({ issueId: z.number().int().positive() });

export async function process(data: z.infer<typeof schema>, deps: JobContext): Promise<JobResult> {
  const issue = await finalizeIssue(deps.db, data.issueId);
  if (issue) deps.log.info({ issue: issue.id, submitted: issue.submitted, failed: issue.failed, skipped: issue.skipped }, 'issue sent');
  return { finalized: Boolean(issue) };
}
