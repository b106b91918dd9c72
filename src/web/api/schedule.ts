// /api/v1/schedule: the recurring weekly issue (one per installation): read, set, clear.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scheduleInput } from '../../schedule.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';

export function scheduleRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'schedule';
  defineRoute(
    scope,
    registry,
    {
      method: 'GET',
      url: '/schedule',
      tag,
      summary: 'The recurring schedule (null when there is none) and what its last runs did',
      query: z.object({ runs: z.coerce.number().int().min(1).max(100).optional() }),
    },
    async ({ query }, req) => deps.editor(req).schedule.show(query.runs === undefined ? {} : { runs: query.runs }),
  );

  defineRoute(
    scope,
    registry,
    { method: 'PUT', url: '/schedule', tag, summary: 'Set (or replace) the recurring schedule', body: scheduleInput, errors: { 503: 'the job queues are not reachable' } },
    async ({ body }, req) => ({ schedule: await deps.editor(req).schedule.set(body) }),
  );

  defineRoute(
    scope,
    registry,
    { method: 'DELETE', url: '/schedule', tag, summary: 'Clear the recurring schedule', errors: { 503: 'the job queues are not reachable' } },
    async (_input, req) => ({ cleared: await deps.editor(req).schedule.clear() }),
  );
}
