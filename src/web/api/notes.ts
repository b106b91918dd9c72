// /api/v1/issues/:id/note: the editor's note at the top of an issue's digests and web version.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { idParams } from './schemas.ts';

export function noteRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'issues';
  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/issues/:id/note', tag, summary: "An issue's editor's note (Markdown; null when it has none)", params: idParams, errors: { 404: 'no such issue' } },
    async ({ params }, req) => deps.editor(req).notes.show(params.id),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'PUT',
      url: '/issues/:id/note',
      tag,
      summary: 'Set (or with "" remove) the note; only while the issue is a draft or scheduled',
      params: idParams,
      body: z.object({ text: z.string().max(40_000).describe('Markdown: paragraphs, "- " lists, **bold**, *emphasis*, `code`, [links](https://…)') }).strict(),
      errors: { 404: 'no such issue', 409: 'the issue is sending or sent' },
    },
    async ({ params, body }, req) => deps.editor(req).notes.set(params.id, body.text),
  );
}
