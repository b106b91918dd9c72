// run-schedule(): the recurring weekly issue's run, enqueued by its BullMQ job scheduler (and done by a
// worker's heartbeat when the scheduler did not fire). Creates or finds the week's issue and schedules
// it; a week runs once, however many times this job arrives.
import { z } from 'zod';
import { readSchedule } from '../src/db/schedules.ts';
import { occurrences, runOccurrence, type RunOutcome } from '../src/schedule.ts';
import { skipped, type Skipped } from './catalog.ts';
import type { JobContext } from './index.ts';

export const schema = z.object({});

export type Outcome = Skipped | ({ outcome: 'ran' } & { run: RunOutcome });

/** A scheduler fires at, or a moment after, the run's instant; this much early still counts as that run. */
const EARLY_MS = 5000;

export async function process(_data: z.infer<typeof schema>, deps: JobContext): Promise<Outcome> {
  const s = await readSchedule(deps.db);
  if (!s) return skipped('no schedule is set');
  const now = deps.now();
  const { last } = occurrences(s, new Date(now.getTime() + EARLY_MS));
  const run = await runOccurrence(deps.db, deps.enqueue, s, last.date, now, deps.config.templateEngine);
  deps.log.info({ week: run.week, issue: run.issueId, outcome: run.outcome, reason: run.reason }, 'weekly schedule ran');
  return { outcome: 'ran', run };
}
