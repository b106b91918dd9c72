// /api/v1/issues: list, read with progress, create, schedule (a time, or each reader's local time),
// send now, pause, resume, cancel, test send.
import type { FastifyInstance } from 'fastify';
import { failureReasons, issueProgress, sectionCounts } from '../../db/deliveries.ts';
import { listIssues, readersForWeek, type Issue } from '../../db/issues.ts';
import { cancelIssue, createWeekIssue, IssueStateError, pauseIssue, resumeIssue, scheduleIssue, scheduleIssueLocal, sendIssueNow, WeekTakenError } from '../../issues.ts';
import { sendTestEmail, TestSendError, type TestSendRefusal } from '../../send/test-send.ts';
import { HttpError } from '../plugins/errors.ts';
import { issueOr404, onIssue, queuesOf, type ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { createIssueBody, idParams, scheduleIssueBody, scheduleLocalBody, testSendBody } from './schemas.ts';

/** How each refusal of a test send is answered. */
const TEST_SEND_STATUS: Record<TestSendRefusal, number> = { address: 400, content: 400, issue: 404, subscriber: 404, limit: 429, provider: 502 };

/** Failure reasons listed with an issue, most common first. */
const REASONS = 10;

export async function issueDetail(deps: ApiDeps, issue: Issue) {
  const p = await issueProgress(deps.db, issue.id);
  return {
    issue,
    // total: the deliveries owed (sent, failed or still pending); skipped ones are counted apart.
    progress: { submitted: p.submitted, total: p.submitted + p.failed + p.pending, failed: p.failed, skipped: p.skipped, pending: p.pending },
    failures: p.failed > 0 ? await failureReasons(deps.db, issue.id, REASONS) : [],
    tags: await sectionCounts(deps.db, issue.id),
  };
}

/** A scheduled or sent issue with how many readers it reaches (the count the admin page confirms with). */
async function withReaders(deps: ApiDeps, issue: Issue) {
  return { issue, readers: await readersForWeek(deps.db, issue.week) };
}

export function issueRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'issues';
  const notFound = { 404: 'no such issue' };
  const wrongState = { 404: 'no such issue', 409: 'the issue is not in a state that allows this' };

  defineRoute(scope, registry, { method: 'GET', url: '/issues', tag, summary: 'List issues, newest first' }, async () => ({
    issues: await listIssues(deps.db),
  }));

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/issues/:id', tag, summary: 'One issue with its progress and failure reasons', params: idParams, errors: notFound },
    async ({ params }) => issueDetail(deps, await issueOr404(deps, params.id)),
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
      success: { status: 201, description: 'the issue' },
      errors: { 409: 'the week already has an issue (named in existing: id and status), or again was asked for a week not sent' },
    },
    async ({ body }, _req, reply) => {
      const input = { week: body.week, engine: body.engine ?? deps.config.templateEngine, subject: body.subject ?? null };
      try {
        const issue = await createWeekIssue(deps.db, body.again ? { ...input, again: { reason: body.reason! } } : input);
        return reply.code(201).send({ issue });
      } catch (e) {
        if (e instanceof WeekTakenError) {
          const advice = e.existing?.status === 'sent' ? '; to send that week again on purpose, post again: true with a reason' : '';
          return reply.code(409).send({ error: `${e.message}${advice}`, week: e.week, existing: e.existing ?? null });
        }
        if (e instanceof IssueStateError) throw new HttpError(409, e.message);
        throw e;
      }
    },
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/issues/:id/schedule',
      tag,
      summary: 'Schedule an issue for a time (a time now or past sends it now)',
      params: idParams,
      body: scheduleIssueBody,
      errors: { ...wrongState, 503: 'the job queues are not reachable' },
    },
    async ({ params, body }) => {
      const queues = await queuesOf(deps);
      return withReaders(deps, await onIssue(deps, params.id, () => scheduleIssue(deps.db, queues, params.id, new Date(body.at), deps.now())));
    },
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
      errors: { ...wrongState, 503: 'the job queues are not reachable' },
    },
    async ({ params, body }) => {
      const queues = await queuesOf(deps);
      return withReaders(deps, await onIssue(deps, params.id, () => scheduleIssueLocal(deps.db, queues, params.id, body, deps.now())));
    },
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/issues/:id/send', tag, summary: 'Send an issue now', params: idParams, errors: { ...wrongState, 503: 'the job queues are not reachable' } },
    async ({ params }) => {
      const queues = await queuesOf(deps);
      return withReaders(deps, await onIssue(deps, params.id, () => sendIssueNow(deps.db, queues, params.id, deps.now())));
    },
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/issues/:id/pause', tag, summary: 'Pause a scheduled or sending issue', params: idParams, errors: wrongState },
    async ({ params }) => ({ issue: await onIssue(deps, params.id, () => pauseIssue(deps.db, params.id)) }),
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
      errors: { ...wrongState, 503: 'the job queues are not reachable' },
    },
    async ({ params }) => {
      const queues = await queuesOf(deps);
      return onIssue(deps, params.id, () => resumeIssue(deps.db, queues, params.id, deps.now()));
    },
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/issues/:id/cancel', tag, summary: 'Cancel an issue; deliveries not yet sent are skipped', params: idParams, errors: wrongState },
    async ({ params }) => ({ issue: await onIssue(deps, params.id, () => cancelIssue(deps.db, params.id)) }),
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
    async ({ params, body }, _req, reply) => {
      await issueOr404(deps, params.id);
      if (!deps.provider) throw new HttpError(503, 'this server has no email provider configured');
      try {
        const r = await sendTestEmail(
          { db: deps.db, provider: deps.provider, config: deps.config, now: deps.now, ...(deps.redis ? { redis: deps.redis } : {}) },
          params.id,
          body.to,
          body.subscriberId === undefined ? {} : { subscriberId: body.subscriberId },
        );
        return { providerId: r.providerId };
      } catch (e) {
        if (!(e instanceof TestSendError)) throw e;
        if (e.retryAfterMs !== undefined) reply.header('retry-after', String(Math.ceil(e.retryAfterMs / 1000)));
        throw new HttpError(TEST_SEND_STATUS[e.reason], e.message);
      }
    },
  );
}
