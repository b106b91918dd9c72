// /api/v1/issues: list, read with progress, create, schedule (a time, or each reader's local time),
// send now, pause, resume, cancel, test send, readers reached, tag combinations. Each route is one
// editor operation (src/editor/issues.ts); its refusals answer with their own status.
import type { FastifyInstance } from 'fastify';
import { EditorError } from '../../editor/errors.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { z } from 'zod';
import { createIssueBody, idParams, issueObject, scheduleIssueBody, scheduleLocalBody, testSendBody } from './schemas.ts';

export function issueRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'issues';
  const notFound = { 404: 'no such issue' };
  const wrongState = { 404: 'no such issue', 409: 'the issue is not in a state that allows this' };
  const needsQueues = { ...wrongState, 503: 'the job queues are not reachable' };
  /** An answer holding the issue as it is now (GET /issues/:id and the actions add more beside it). */
  const withIssue = z.looseObject({ issue: issueObject });

  defineRoute(scope, registry, { method: 'GET', url: '/issues', tag, summary: 'List issues, newest first', success: { status: 200, description: 'every issue, newest first', schema: z.object({ issues: z.array(issueObject) }) } }, async (_i, req) => ({
    issues: await deps.editor(req).issues.list(),
  }));

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/issue-weeks', tag, summary: 'Weeks with summaries, each with the issue that holds it, and the week to make an issue of next' },
    async (_i, req) => deps.editor(req).issues.weeks(),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'GET',
      url: '/issues/:id',
      tag,
      summary: 'One issue with its progress, failure reasons and ledger (rate, waves, outcomes)',
      params: idParams,
      errors: notFound,
      success: { status: 200, description: 'the issue, with progress, failures, tags, skips and ledger', schema: withIssue },
    },
    async ({ params }, req) => deps.editor(req).issues.get(params.id),
  );

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/issues/:id/readers', tag, summary: "How many readers the issue's week reaches now", params: idParams, errors: notFound },
    async ({ params }, req) => deps.editor(req).issues.readers(params.id),
  );

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/issues/:id/combinations', tag, summary: 'The tag combinations readers get, and how many get each', params: idParams, errors: notFound },
    async ({ params }, req) => deps.editor(req).issues.combinations(params.id),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/issues',
      tag,
      summary: 'Create a draft issue for a week, or with again and a reason, a week already sent again on purpose',
      body: createIssueBody,
      success: { status: 201, description: 'the issue', schema: withIssue },
      errors: { 409: 'the week already has an issue (named in existing: id and status), or again was asked for a week not sent' },
    },
    async ({ body }, req, reply) => {
      try {
        const issue = await deps.editor(req).issues.create({ week: body.week, engine: body.engine, subject: body.subject, again: body.again ? { reason: body.reason! } : undefined });
        return reply.code(201).send({ issue });
      } catch (e) {
        const existing = e instanceof EditorError ? (e.details.existing as { status?: string } | null | undefined) : undefined;
        if (e instanceof EditorError && existing?.status === 'sent') {
          throw new EditorError(e.kind, `${e.message}; to send that week again on purpose, post again: true with a reason`, e.details);
        }
        throw e;
      }
    },
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/issues/:id/schedule', tag, summary: 'Schedule an issue for a time (a time now or past sends it now)', params: idParams, body: scheduleIssueBody, errors: needsQueues },
    async ({ params, body }, req) => deps.editor(req).issues.schedule(params.id, { at: new Date(body.at), timeZone: body.timeZone }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/issues/:id/schedule-local',
      tag,
      summary: "Schedule an issue for a local time on a date, in each reader's own time zone",
      params: idParams,
      body: scheduleLocalBody,
      errors: needsQueues,
    },
    async ({ params, body }, req) => deps.editor(req).issues.scheduleLocal(params.id, body),
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/issues/:id/send', tag, summary: 'Send an issue now', params: idParams, errors: needsQueues, success: { status: 200, description: 'the issue and the readers it reaches', schema: withIssue } },
    async ({ params }, req) => deps.editor(req).issues.send(params.id),
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/issues/:id/pause', tag, summary: 'Pause a scheduled or sending issue', params: idParams, errors: wrongState, success: { status: 200, description: 'the issue', schema: withIssue } },
    async ({ params }, req) => ({ issue: await deps.editor(req).issues.pause(params.id) }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/issues/:id/resume',
      tag,
      summary: "Resume a paused issue, or rebuild a sending issue's jobs from the ledger",
      params: idParams,
      errors: needsQueues,
    },
    async ({ params }, req) => deps.editor(req).issues.resume(params.id),
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/issues/:id/cancel', tag, summary: 'Cancel an issue; deliveries not yet sent are skipped', params: idParams, errors: wrongState, success: { status: 200, description: 'the issue', schema: withIssue } },
    async ({ params }, req) => ({ issue: await deps.editor(req).issues.cancel(params.id) }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/issues/:id/test',
      tag,
      summary: 'Send one reader\'s digest of this issue to an address, subject prefixed "[Test]"',
      params: idParams,
      body: testSendBody,
      errors: { 404: 'no such issue or subscriber', 429: 'too many test sends of this issue; see retry-after', 502: 'the provider refused it', 503: 'no provider configured on this server' },
    },
    async ({ params, body }, req, reply) => {
      try {
        return await deps.editor(req).issues.test(params.id, body);
      } catch (e) {
        if (e instanceof EditorError && typeof e.details.retryAfterSeconds === 'number') reply.header('retry-after', String(e.details.retryAfterSeconds));
        throw e;
      }
    },
  );
}
