// /api/v1/preview: one reader's digest of a week or of an issue, rendered as it would be sent, without sending it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { engine, week, wholeNumber } from './schemas.ts';

export function previewRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  defineRoute(
    scope,
    registry,
    {
      method: 'GET',
      url: '/preview',
      tag: 'preview',
      summary: "One reader's digest of a week, or of an issue, as it would be sent (subject and body null: that reader would get no email)",
      query: z
        .strictObject({
          week: week.optional().describe("the week's summaries, the reader's tags now (give week or issue)"),
          issue: wholeNumber(1).optional().describe('an issue as it sends: a planned one with its frozen sections and summaries (give week or issue)'),
          subscriber: z.string().max(254, 'is longer than 254 characters').describe("the reader's address; their tags decide the digest"),
          engine: engine.optional().describe("default: the issue's engine, or TEMPLATE_ENGINE for a week"),
          format: z.enum(['html', 'text', 'eml'], { error: 'must be html, text or eml' }).default('html').describe('the HTML part, the plain-text part or the whole RFC 5322 message'),
        })
        .refine((q) => (q.week === undefined) !== (q.issue === undefined), { message: 'give either week or issue, not both', path: ['week'] }),
      errors: { 404: 'no such subscriber or issue, or no delivery of that reader in a planned issue', 409: 'the digest cannot be rendered (the reason names it)' },
    },
    async ({ query }, req) => deps.editor(req).preview.digest(query),
  );
}
