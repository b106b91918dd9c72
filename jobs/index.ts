// The job handlers: each job's payload schema and process(data, deps), with its policy from the catalog.
// Only the worker start-up (src/workers.ts) loads this file.
import type { Job } from 'bullmq';
import type { z } from 'zod';
import type { Enqueue } from '../src/enqueue.ts';
import type { Pacer } from '../src/send/pacer.ts';
import type { SharedRate, WorkerDeps } from '../src/workers.ts';
import { policies, type JobName } from './catalog.ts';
import * as finalizeIssue from './finalize-issue.ts';
import * as planIssue from './plan-issue.ts';
import * as reconcile from './reconcile.ts';
import * as runSchedule from './run-schedule.ts';
import * as sendBatch from './send-batch.ts';
import * as sendNotice from './send-notice.ts';

/**
 * What every job receives: what the workers were started with, except the queues — a job gets only
 * what it may enqueue — plus the send rate and pacer every worker shares.
 */
export interface JobContext extends Omit<WorkerDeps, 'queues'> {
  enqueue: Enqueue;
  rate: SharedRate;
  pacer: Pacer;
  job?: Job;
}

export type JobOutcome =
  | planIssue.Outcome
  | sendBatch.Outcome
  | sendNotice.Outcome
  | finalizeIssue.Outcome
  | reconcile.Outcome
  | runSchedule.Outcome;

interface Handler<S extends z.ZodType, O extends JobOutcome> {
  schema: S;
  process(data: z.infer<S>, deps: JobContext): Promise<O>;
}

const handler = <S extends z.ZodType, O extends JobOutcome>(name: JobName, h: Handler<S, O>) => ({ ...policies[name], ...h });

export const jobs = {
  'plan-issue': handler('plan-issue', planIssue),
  'send-batch': handler('send-batch', sendBatch),
  'send-notice': handler('send-notice', sendNotice),
  'finalize-issue': handler('finalize-issue', finalizeIssue),
  reconcile: handler('reconcile', reconcile),
  'run-schedule': handler('run-schedule', runSchedule),
} satisfies Record<JobName, unknown>;
