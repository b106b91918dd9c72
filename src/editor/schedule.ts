// The recurring weekly issue (one per installation): show, set, clear. The domain rules are in
// src/schedule.ts; this is the editor's operation over them, the same for every face.
import { ZodError } from 'zod';
import { clearSchedule, getSchedule, scheduleRuns, setSchedule, type ScheduleInput, type ScheduleRun, type ScheduleView } from '../schedule.ts';
import { queuesOf, type EditorDeps } from './deps.ts';
import { invalid } from './errors.ts';

/** Runs listed with the schedule, newest first. */
export const SCHEDULE_RUNS = 5;

export interface ScheduleShown {
  schedule: ScheduleView | null;
  runs: ScheduleRun[];
}

export interface ScheduleOps {
  show(input?: { runs?: number }): Promise<ScheduleShown>;
  /** Sets (or replaces) the schedule; a bad field is an 'invalid' refusal naming it. */
  set(input: ScheduleInput): Promise<ScheduleView>;
  /** Whether there was one. Issues already scheduled stay. */
  clear(): Promise<boolean>;
}

export function scheduleOps(deps: EditorDeps): ScheduleOps {
  return {
    async show(input = {}) {
      const [schedule, runs] = await Promise.all([getSchedule(deps.db, deps.now()), scheduleRuns(deps.db, input.runs ?? SCHEDULE_RUNS)]);
      return { schedule: schedule ?? null, runs };
    },
    async set(input) {
      const queues = await queuesOf(deps);
      try {
        return await setSchedule(deps.db, queues, input, deps.now());
      } catch (e) {
        if (e instanceof ZodError) throw invalid(e.issues.map((i) => i.message).join('; '));
        throw e;
      }
    },
    async clear() {
      return clearSchedule(deps.db, await queuesOf(deps));
    },
  };
}
