// Putting jobs on the queues: deterministic ids from the payload (a duplicate add is a no-op), each
// job's retry policy from the catalog. Jobs receive an `Enqueue` as a dependency instead of the
// queues, so no job imports the queue and the queue never imports a job's handler.
import type { JobsOptions, Queue } from 'bullmq';
import { jobIds, policies, type JobName } from '../jobs/catalog.ts';
import type { Queues } from './queue.ts';

/** What jobs and editor operations may put on the queues. */
export interface Enqueue {
  /** One send-batch job per batch, each delayed until its wave's time (0: now); in chunks of 1,000. */
  batches(issueId: number, batches: { batch: number; delayMs: number }[]): Promise<void>;
  finalize(issueId: number): Promise<void>;
  notice(noticeId: number): Promise<void>;
  /** Makes sure a job exists that will run (see ensureJob). */
  ensure(name: JobName, data: Record<string, number>, delayMs?: number): Promise<void>;
  /** Removes a job waiting or delayed under its id (a rescheduled plan job). */
  remove(name: JobName, data: Record<string, number>): Promise<void>;
  /** The recurring schedule's BullMQ job scheduler, which enqueues run-schedule. */
  weekly: {
    get(): Promise<{ pattern?: string | null; tz?: string | null; next?: number | null } | undefined>;
    set(repeat: { pattern: string; tz: string }): Promise<void>;
    remove(): Promise<void>;
  };
}

/** The job scheduler's id in the issues queue. */
export const WEEKLY_SCHEDULER = 'weekly-issue';

const ENQUEUE_CHUNK = 1000;

/** The delay of each batch's job: until its wave, or none when that time has passed. */
export function batchDelays(batches: { batch: number; sendAt: Date | null }[], now: Date): { batch: number; delayMs: number }[] {
  return batches.map((b) => ({ batch: b.batch, delayMs: b.sendAt ? Math.max(0, b.sendAt.getTime() - now.getTime()) : 0 }));
}

function idFor(name: JobName, data: Record<string, number>): string {
  switch (name) {
    case 'plan-issue':
    case 'finalize-issue':
      return jobIds[name]({ issueId: data.issueId! });
    case 'send-batch':
      return jobIds[name]({ issueId: data.issueId!, batch: data.batch! });
    case 'send-notice':
      return jobIds[name]({ noticeId: data.noticeId! });
    default:
      throw new Error(`${name} has no deterministic id`);
  }
}

export function jobOptions(name: JobName, jobId: string, delay = 0): JobsOptions {
  const p = policies[name];
  return { jobId, attempts: p.attempts, backoff: p.backoff, delay: Math.max(0, Math.round(delay)) };
}

function queueFor(queues: Queues, name: JobName): Queue {
  return policies[name].queue === 'send' ? queues.send : queues.issues;
}

/**
 * Makes sure a job exists that will run: adds it when missing, retries it when it failed, replaces it
 * when an earlier run already completed. Used when resuming from the ledger (after a Redis loss,
 * a pause, or exhausted retries); the ledger makes a spare run harmless.
 */
async function ensureJob(queues: Queues, name: JobName, data: Record<string, number>, delayMs = 0): Promise<void> {
  const queue = queueFor(queues, name);
  const jobId = idFor(name, data);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') return void (await existing.retry('failed'));
    if (state !== 'completed' && state !== 'unknown') return;
    await existing.remove().catch(() => undefined);
  }
  await queue.add(name, data, jobOptions(name, jobId, delayMs));
}

export function enqueueTo(queues: Queues): Enqueue {
  return {
    async batches(issueId, batches) {
      for (let i = 0; i < batches.length; i += ENQUEUE_CHUNK) {
        await queues.send.addBulk(
          batches.slice(i, i + ENQUEUE_CHUNK).map(({ batch, delayMs }) => {
            const data = { issueId, batch };
            return { name: 'send-batch', data, opts: jobOptions('send-batch', idFor('send-batch', data), delayMs) };
          }),
        );
      }
    },
    async finalize(issueId) {
      const data = { issueId };
      await queues.issues.add('finalize-issue', data, jobOptions('finalize-issue', idFor('finalize-issue', data)));
    },
    async notice(noticeId) {
      const data = { noticeId };
      await queues.send.add('send-notice', data, jobOptions('send-notice', idFor('send-notice', data)));
    },
    ensure: (name, data, delayMs) => ensureJob(queues, name, data, delayMs),
    async remove(name, data) {
      await queueFor(queues, name).remove(idFor(name, data)).catch(() => undefined);
    },
    weekly: {
      get: async () => (await queues.issues.getJobScheduler(WEEKLY_SCHEDULER)) ?? undefined,
      async set(repeat) {
        const p = policies['run-schedule'];
        await queues.issues.upsertJobScheduler(WEEKLY_SCHEDULER, repeat, {
          name: 'run-schedule',
          data: {},
          opts: { attempts: p.attempts, backoff: p.backoff, removeOnComplete: 50, removeOnFail: 50 },
        });
      },
      async remove() {
        await queues.issues.removeJobScheduler(WEEKLY_SCHEDULER);
      },
    },
  };
}

/** Queues the email a notice owes; the notice row decides whether it is still owed. */
export function enqueueNotice(queues: Queues, noticeId: number): Promise<void> {
  return enqueueTo(queues).notice(noticeId);
}
