// /api/v1/tags: the tags, and the editor's changes to one: rename, describe, hide (PUT), merge (POST).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checkDescription, TAG_DESCRIPTION_MAX, type TagView } from '../../editor/tags.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';

// Tags are named by slug here; a name works too (it is reduced to its slug), as on the command line.
const params = z.object({ slug: z.string().min(1).max(200) });

const change = z
  .object({
    name: z.string().max(200).optional(),
    description: z.string().max(TAG_DESCRIPTION_MAX * 4).nullable().optional(),
    hidden: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.description !== undefined || b.hidden !== undefined, 'name one change: name, description or hidden')
  .meta({ minProperties: 1 });

export function tagRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'tags';
  const errors = { 404: 'no such tag' };

  defineRoute(scope, registry, { method: 'GET', url: '/tags', tag, summary: 'Every tag with its followers, summaries, last week with content, description and whether it is hidden' }, async (_input, req) => ({
    tags: await deps.editor(req).tags.list(),
  }));

  defineRoute(scope, registry, { method: 'GET', url: '/tags/:slug', tag, summary: 'One tag', params, errors }, async ({ params: p }, req) => ({
    tag: await deps.editor(req).tags.show({ tag: p.slug }),
  }));

  defineRoute(
    scope,
    registry,
    {
      method: 'PUT',
      url: '/tags/:slug',
      tag,
      summary: 'Rename a tag (its slug follows the name), describe it (null removes the description) or hide it',
      description: 'A name whose slug another tag has is refused with 409 and `other` (that tag): merge instead.',
      params,
      body: change,
      errors: { ...errors, 409: 'the new name is taken by another tag, or an issue is sending this tag' },
    },
    async ({ params: p, body }, req) => {
      const ops = deps.editor(req).tags;
      // A bad description is refused before anything changes; the rename (the step that may be refused
      // for a taken name) goes first, and the other changes follow under the slug it gives.
      if (body.description !== undefined) checkDescription(body.description);
      let t: TagView | undefined;
      let slug = p.slug;
      if (body.name !== undefined) slug = (t = await ops.rename({ tag: slug, name: body.name })).slug;
      if (body.description !== undefined) t = await ops.describe({ tag: slug, description: body.description });
      if (body.hidden !== undefined) t = await ops.hide({ tag: slug, hidden: body.hidden });
      return { tag: t };
    },
  );

  const into = z.object({ into: z.string().min(1).max(200) });
  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/tags/:slug/merge', tag, summary: 'What merging this tag into another would move (changes nothing)', params, query: into, errors },
    async ({ params: p, query }, req) => deps.editor(req).tags.mergePlan({ from: p.slug, into: query.into }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/tags/:slug/merge',
      tag,
      summary: 'Merge this tag into another: its followers and summaries move, it disappears; readers are not mailed; cannot be undone',
      params,
      body: into.strict(),
      errors: { ...errors, 409: 'an issue is sending this tag' },
    },
    async ({ params: p, body }, req) => deps.editor(req).tags.merge({ from: p.slug, into: body.into }),
  );
}
