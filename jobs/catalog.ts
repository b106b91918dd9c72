// The job catalog's policies: which queue each job runs on and how it retries. Pure data, so the code
// that enqueues jobs reads it without loading any handler (and handlers never load the queue).
export interface JobPolicy {
  queue: 'issues' | 'send';
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number; jitter?: number };
}

export const policies = {
  'plan-issue': { queue: 'issues', attempts: 10, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } },
  'send-batch': { queue: 'send', attempts: 12, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } },
  // One email, one provider request: it shares the send queue's limiter and the pacer with digests.
  'send-notice': { queue: 'send', attempts: 8, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } },
  'finalize-issue': { queue: 'issues', attempts: 10, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } },
  // A missed run is harmless: the next one comes a minute later.
  reconcile: { queue: 'issues', attempts: 1, backoff: { type: 'fixed', delay: 0 } },
  // The recurring weekly issue's run; its week's row in schedule_runs makes a repeat a no-op.
  'run-schedule': { queue: 'issues', attempts: 5, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 } },
} as const satisfies Record<string, JobPolicy>;

export type JobName = keyof typeof policies;

// Job ids may not contain ':'; they are derived from the payload, so a duplicate add is a no-op.
export const jobIds = {
  'plan-issue': (d: { issueId: number }) => `plan-issue-${d.issueId}`,
  'send-batch': (d: { issueId: number; batch: number }) => `send-batch-${d.issueId}-${d.batch}`,
  'finalize-issue': (d: { issueId: number }) => `finalize-issue-${d.issueId}`,
  'send-notice': (d: { noticeId: number }) => `send-notice-${d.noticeId}`,
};

/**
 * What a job's run came to. Every handler returns one of these (its own subset), so the worker's
 * bootstrap can act on "run again later" and "the provider asked us to wait" without guessing.
 */
export type Skipped = { outcome: 'skipped'; reason: string };
/** Not a failure: run this job again at `until` without spending an attempt. */
export type Delayed = { outcome: 'delayed'; until: Date; reason: string };
/** The provider asked every worker to wait this long; the job goes back to the queue. */
export type RateLimited = { outcome: 'rate-limited'; retryAfterMs: number };

export const skipped = (reason: string): Skipped => ({ outcome: 'skipped', reason });
export const delayed = (until: Date, reason: string): Delayed => ({ outcome: 'delayed', until, reason });
