// /api/v1/subscribers: search with filters (paginated), add, CSV import (text/csv, or JSON carrying
// the text), CSV export, and one reader: show, edit, unsubscribe, erase — the editor's operations
// (src/editor/subscribers.ts), the same as `tagcast subscribers` and the admin pages.
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { addSubscriberBody, CSV_BODY_BYTES, editSubscriberBody, idParams, importSubscribersJson, subscribersQuery } from './schemas.ts';

export function subscriberRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'subscribers';
  const unknownTag = { 400: 'a field is wrong, or a tag does not exist (the answer names the known tags; send createTags: true to create it)' };
  // A CSV upload arrives as text; the schema below decides what it may be.
  scope.addContentTypeParser(['text/csv'], { parseAs: 'string', bodyLimit: CSV_BODY_BYTES }, (_req, body, done) => done(null, { csv: body }));

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/subscribers', tag, summary: 'Subscribers, oldest first; q searches address and name, email finds one address, status filters', query: subscribersQuery },
    async ({ query }, req) => deps.editor(req).subscribers.list(query),
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
      errors: { ...unknownTag, 409: 'the address was erased at its owner’s request' },
    },
    async ({ body }, req, reply) => {
      const r = await deps.editor(req).subscribers.add(body);
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/subscribers/import',
      tag,
      summary: 'Import subscribers from CSV; bad rows (an unknown tag among them, unless createTags) are reported by line, good ones kept',
      description: 'The body is the CSV itself (Content-Type: text/csv) or JSON {"csv": "...", "createTags": true}. The answer is 200 even when rows were rejected: see errors.',
      body: importSubscribersJson,
      bodyTypes: ['application/json', 'text/csv'],
      bodyLimit: CSV_BODY_BYTES,
    },
    async ({ body }, req) => deps.editor(req).subscribers.import(body),
  );

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/subscribers/export', tag, summary: 'Every subscriber as CSV', success: { status: 200, description: 'the CSV', contentType: 'text/csv' } },
    async (_input, req, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="subscribers.csv"').send(await deps.editor(req).subscribers.export()),
  );

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/subscribers/:id', tag, summary: 'One reader: status, tags, time zone, pause, every delivery with its provider events, the notices sent', params: idParams, errors: { 404: 'no such subscriber' } },
    async ({ params }, req) => deps.editor(req).subscribers.show(params.id),
  );

  defineRoute(
    scope,
    registry,
    { method: 'PUT', url: '/subscribers/:id', tag, summary: 'Change a reader’s tags (exactly these) and time zone (null: the default)', params: idParams, body: editSubscriberBody, errors: { ...unknownTag, 404: 'no such subscriber' } },
    async ({ params, body }, req) => ({ subscriber: await deps.editor(req).subscribers.edit(params.id, body) }),
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/subscribers/:id/unsubscribe', tag, summary: 'Unsubscribe a reader from everything (changed: false when they were not active or pending)', params: idParams, errors: { 404: 'no such subscriber' } },
    async ({ params }, req) => deps.editor(req).subscribers.unsubscribe(params.id),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'DELETE',
      url: '/subscribers/:id',
      tag,
      summary: 'Erase a reader as their own delete-my-data does: everything held goes, the address stays only as a hash so nobody can add it back',
      params: idParams,
      errors: { 404: 'no such subscriber' },
    },
    async ({ params }, req) => deps.editor(req).subscribers.erase(params.id),
  );
}
