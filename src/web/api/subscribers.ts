// /api/v1/subscribers: search (paginated), add, CSV import (text/csv, or JSON carrying the text) and
// CSV export, with the same validation and outcomes as `tagcast subscribers`.
import type { FastifyInstance } from 'fastify';
import { searchSubscribers } from '../../db/report.ts';
import { upsertSubscribers } from '../../db/subscribers.ts';
import { exportSubscribersCsv, importSubscribersCsv, validateSubscriber } from '../../subscriptions/subscribers.ts';
import { HttpError } from '../plugins/errors.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { addSubscriberBody, CSV_BODY_BYTES, importSubscribersJson, subscribersQuery } from './schemas.ts';

export function subscriberRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'subscribers';
  // A CSV upload arrives as text; the schema below decides what it may be.
  scope.addContentTypeParser(['text/csv'], { parseAs: 'string', bodyLimit: CSV_BODY_BYTES }, (_req, body, done) => done(null, { csv: body }));

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/subscribers', tag, summary: 'Subscribers, oldest first; q searches address and name, status filters', query: subscribersQuery },
    async ({ query }) => {
      const { rows, total } = await searchSubscribers(deps.db, { q: query.q ?? '', status: query.status ?? null, limit: query.limit, offset: query.offset });
      return { subscribers: rows, total, limit: query.limit, offset: query.offset };
    },
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/subscribers',
      tag,
      summary: 'Add a subscriber (an existing address gains the tags)',
      body: addSubscriberBody,
      success: { status: 201, description: 'added (200: an existing address was updated)' },
      errors: { 409: 'the address was erased at its owner’s request' },
    },
    async ({ body }, _req, reply) => {
      const v = validateSubscriber({ email: body.email, tags: body.tags, timeZone: body.timeZone, name: body.name }, 'api');
      if ('errors' in v) return reply.code(400).send({ error: `invalid request: ${v.errors.join('; ')}`, issues: v.errors.map((message) => ({ path: 'body', message })) });
      if (v.tags.length === 0) return reply.code(400).send({ error: 'invalid request: body.tags: needs at least one tag', issues: [{ path: 'body.tags', message: 'needs at least one tag' }] });
      const r = await upsertSubscribers(deps.db, [v]);
      if (r.erased) throw new HttpError(409, `${v.email} was erased at its owner's request; only they can subscribe again (on the subscribe page)`);
      return reply.code(r.created ? 201 : 200).send({ created: r.created > 0, email: v.email, tags: v.tags });
    },
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/subscribers/import',
      tag,
      summary: 'Import subscribers from CSV; bad rows are reported by line, good ones kept',
      description: 'The body is the CSV itself (Content-Type: text/csv) or JSON {"csv": "..."}. The answer is 200 even when rows were rejected: see errors.',
      body: importSubscribersJson,
      bodyTypes: ['application/json', 'text/csv'],
      bodyLimit: CSV_BODY_BYTES,
    },
    async ({ body }) => importSubscribersCsv(deps.db, body.csv, body.name ?? 'upload.csv'),
  );

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/subscribers/export', tag, summary: 'Every subscriber as CSV', success: { status: 200, description: 'the CSV', contentType: 'text/csv' } },
    async (_input, _req, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="subscribers.csv"').send(await exportSubscribersCsv(deps.db)),
  );
}
