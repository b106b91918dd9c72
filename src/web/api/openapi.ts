// The OpenAPI 3.1 document of /api/v1, made from the routes' own zod schemas (z.toJSONSchema), so it
// cannot drift from what the routes accept.
import { z } from 'zod';
import { bodyLimitOf, takesBody, type Registry } from './route.ts';
import { issueObject } from './schemas.ts';

export const API_PREFIX = '/api/v1';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
};

/** A JSON answer's schema, as the server writes it (the output side of each zod type). */
const answerOf = (s: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
};

const errorBody = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'why, in words a person can act on' },
    issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
  required: ['error'],
};

/** /issues/:id → /issues/{id} */
export const openApiPath = (url: string) => API_PREFIX + url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** GET /issues/:id/schedule-local → getIssuesIdScheduleLocal */
export function operationId(method: string, url: string): string {
  const words = url.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** The parameters a params or query schema (an object) describes. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const js = schemaOf(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);

/**
 * Every error status this route answers, with when: its own (spec.errors) and those every route of
 * its kind gives (the token, the limiter, the schemas, and for a method with a body, its size and
 * media type, which Fastify refuses before the route runs).
 */
export function errorAnswers(r: Registry[number]): Record<number, string> {
  const errors: Record<number, string> = { 429: 'too many requests; see retry-after', ...r.errors };
  if (r.params || r.query || r.body) errors[400] = 'the request does not fit the schema; error and issues name each field';
  if (takesBody(r.method)) {
    errors[400] ??= 'the body is not valid JSON';
    errors[413] = `the body is larger than ${size(bodyLimitOf(r))}`;
    errors[415] = r.body ? `the body is not ${(r.bodyTypes ?? ['application/json']).join(' or ')}` : 'the body is of a type this API does not read (send none, or JSON)';
  }
  if (!r.public) errors[401] = 'no token, or an unknown or revoked one';
  return errors;
}

export function openApiDocument(registry: Registry, opts: { version: string; serverUrl: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of registry) {
    const success = r.success ?? { status: 200, description: 'done' };
    const responses: Record<string, Json> = {
      [success.status]: {
        description: success.description,
        content: { [success.contentType ?? 'application/json']: { schema: success.contentType ? { type: 'string' } : success.schema ? answerOf(success.schema) : { type: 'object' } } },
      },
    };
    const errors = errorAnswers(r);
    for (const [status, description] of Object.entries(errors)) {
      responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const op: Json = {
      operationId: operationId(r.method, r.url),
      tags: [r.tag],
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body
        ? { requestBody: { required: true, content: Object.fromEntries((r.bodyTypes ?? ['application/json']).map((t) => [t, { schema: t === 'text/csv' ? { type: 'string' } : schemaOf(r.body!) }])) } }
        : {}),
      responses,
      ...(r.public ? { security: [] } : {}),
    };
    (paths[openApiPath(r.url)] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'tagcast editor API',
      version: opts.version,
      description: 'Every editor action on issues, summaries, subscribers and the recurring schedule. Authenticate with `Authorization: Bearer <token>` (`tagcast tokens create --name NAME`).',
    },
    servers: [{ url: opts.serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `tagcast tokens create`' } },
      schemas: { Error: errorBody, Issue: answerOf(issueObject) },
    },
    paths,
  };
}
