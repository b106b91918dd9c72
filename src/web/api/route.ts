// One way to declare an API route: its zod schemas validate the request and, the same objects, make
// its OpenAPI description (openapi.ts). A request that does not fit is answered 400 naming each field.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../plugins/errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined> {
  method: Method;
  /** Below /api/v1, Fastify style: /issues/:id. */
  url: string;
  /** The OpenAPI tag: the route group. */
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The body's media types (default application/json). */
  bodyTypes?: string[];
  /** The body size limit in bytes (default: BODY_BYTES, or NO_BODY_BYTES for a route without a body). */
  bodyLimit?: number;
  /** Success status and what it carries (default 200 JSON); `schema`: the JSON answer's shape, for the document (default: an object). */
  success?: { status: number; description: string; contentType?: string; schema?: z.ZodType };
  /** Error statuses this route may answer besides 400, 401 and 429, with when. */
  errors?: Record<number, string>;
  /** Open without a token (only the OpenAPI document). */
  public?: boolean;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** A JSON body's size limit unless the route names its own. */
export const BODY_BYTES = 1024 * 1024;
/** A route that takes no body still reads one a client sends (`{}` from many clients): a small one. */
export const NO_BODY_BYTES = 1024;

/** The largest body a route reads; past it the answer is 413 before any parsing. */
export function bodyLimitOf(spec: { body?: unknown; bodyLimit?: number | undefined }): number {
  return spec.bodyLimit ?? (spec.body ? BODY_BYTES : NO_BODY_BYTES);
}

/** GET (and its HEAD) never has its body read; every other method may carry one. */
export const takesBody = (method: Method) => method !== 'GET';

export interface Input<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

/** The routes declared so far, in order, for the OpenAPI document. */
export type Registry = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>[];

export interface FieldIssue {
  /** Where, e.g. "body.files.0.name" or "query.limit". */
  path: string;
  message: string;
}

/** A zod failure as the API reports it: one line naming every field, and the list. */
export function invalid(where: 'params' | 'query' | 'body', error: z.ZodError): { error: string; issues: FieldIssue[] } {
  const issues = error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  return { error: `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues };
}

export function defineRoute<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  scope: FastifyInstance,
  registry: Registry,
  spec: RouteSpec<P, Q, B>,
  handler: (input: Input<P, Q, B>, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): void {
  registry.push(spec as Registry[number]);
  scope.route({
    method: spec.method,
    url: spec.url,
    bodyLimit: bodyLimitOf(spec),
    config: { apiPublic: spec.public === true },
    handler: async (req, reply) => {
      // Only the media types the document names (not the site's form posts, not text/plain).
      if (spec.body && req.body !== undefined) {
        const types = spec.bodyTypes ?? ['application/json'];
        const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!types.includes(type)) throw new HttpError(415, `this address takes ${types.join(' or ')}, not ${type || 'a body without a type'}`);
      }
      const input: Record<string, unknown> = {};
      for (const where of ['params', 'query', 'body'] as const) {
        const schema = spec[where];
        if (!schema) continue;
        // A JSON body that is absent is an empty object to the schema, so it names the missing fields.
        const raw = where === 'body' && req.body === undefined ? {} : req[where];
        const r = schema.safeParse(raw);
        if (!r.success) return reply.code(400).send(invalid(where, r.error));
        input[where] = r.data;
      }
      return handler(input as unknown as Input<P, Q, B>, req, reply);
    },
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An API route open without a token. */
    apiPublic?: boolean;
  }
}
