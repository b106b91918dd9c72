// The job catalog: each job's payload schema, handler, queue and retry policy, in one place.
import type { Job } from 'bullmq';
import type { z } from 'zod';
import type { WorkerDeps } from '../src/queue.ts';
import * as finalizeIssue from './finalize-issue.ts';
import * as planIssue from './plan-issue.ts';
import * as reconcile from './reconcile.ts';
import * as sendBatch from './send-batch.ts';
import * as sendNotice from './send-notice.ts';

export interface JobContext extends WorkerDeps {
  job?: Job;
}

/** What a handler may ask of the queue besides success: to run again later (lease held elsewhere). */
export type JobResult = { delayUntil?: Date; [k: string]: unknown } | void;

interface JobSpec<S extends z.ZodType> {
  queue: 'issues' | 'send';
  schema: S;
  process(data: z.infer<S>, deps: JobContext): Promise<JobResult>;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number; jitter?: number };
}

const spec = <S extends z.ZodType>(s: JobSpec<S>) => s;

export const jobs = {
  'plan-issue': spec({ queue: 'issues', ...planIssue, attempts: 10, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } }),
  'send-batch': spec({ queue: 'send', ...sendBatch, attempts: 12, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } }),
  // One email, one provider request: it shares the send queue's limiter and the pacer with digests.
  'send-notice': spec({ queue: 'send', ...sendNotice, attempts: 8, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } }),
  'finalize-issue': spec({ queue: 'issues', ...finalizeIssue, attempts: 10, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } }),
  // A missed run is harmless: the next one comes a minute later.
  reconcile: spec({ queue: 'issues', ...reconcile, attempts: 1, backoff: { type: 'fixed', delay: 0 } }),
};
export type JobName = keyof typeof jobs;
