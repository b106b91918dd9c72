// /api/v1/preview: one reader's digest for a week, rendered as it would be sent, without sending it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { engine, week } from './schemas.ts';

export function previewRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  defineRoute(
    scope,
    registry,
    {
      method: 'GET',
      url: '/preview',
      tag: 'preview',
      summary: "One reader's digest of a week as it would be sent (subject and body null: that reader would get no email)",
      query: z.strictObject({
        week,
        subscriber: z.string().max(254, 'is longer than 254 characters').describe("the reader's address; their tags decide the digest"),
        engine: engine.optional().describe('default: TEMPLATE_ENGINE'),
        format: z.enum(['html', 'text', 'eml'], { error: 'must be html, text or eml' }).default('html').describe('the HTML part, the plain-text part or the whole RFC 5322 message'),
      }),
      errors: { 404: 'no such subscriber', 409: 'the digest cannot be rendered (the reason names it)' },
    },
    async ({ query }, req) => deps.editor(req).preview.digest(query),
  );
}
