// /api/v1/schedule: the recurring weekly issue (one per installation): read, set, clear.
import type { FastifyInstance } from 'fastify';
import { clearSchedule, getSchedule, scheduleInput, scheduleRuns, setSchedule } from '../../schedule.ts';
import { queuesOf, type ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';

/** Runs listed with the schedule, newest first. */
const RUNS = 5;

export function scheduleRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'schedule';
  defineRoute(scope, registry, { method: 'GET', url: '/schedule', tag, summary: 'The recurring schedule (null when there is none) and what its last runs did' }, async () => ({
    schedule: (await getSchedule(deps.db, deps.now())) ?? null,
    runs: await scheduleRuns(deps.db, RUNS),
  }));

  defineRoute(
    scope,
    registry,
    { method: 'PUT', url: '/schedule', tag, summary: 'Set (or replace) the recurring schedule', body: scheduleInput, errors: { 503: 'the job queues are not reachable' } },
    async ({ body }) => {
      const queues = await queuesOf(deps);
      return { schedule: await setSchedule(deps.db, queues, body, deps.now()) };
    },
  );

  defineRoute(
    scope,
    registry,
    { method: 'DELETE', url: '/schedule', tag, summary: 'Clear the recurring schedule', errors: { 503: 'the job queues are not reachable' } },
    async () => {
      const queues = await queuesOf(deps);
      return { cleared: await clearSchedule(deps.db, queues) };
    },
  );
}
