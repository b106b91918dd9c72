// One log line per request, in place of Fastify's two ("incoming request" with the raw URL, and
// "request completed"): the method, the route pattern (`/unsubscribe`, `/web/:issue`), the status and
// the time taken, under the request's id (`reqId`). Never the URL as sent, whose query carries reader
// tokens, nor a body, a header or the client's address: reader links and forms are personal. The id
// is also sent back as `x-request-id`, so a report ("it failed") finds its line.
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { stdSerializers } from 'pino';
import { unencapsulated } from './plugin.ts';

/** The route pattern, never the URL a client sent (which may hold a token); "unmatched" for a 404. */
export function routeLabel(req: FastifyRequest): string {
  return req.routeOptions?.url ?? 'unmatched';
}

/** Polled every few seconds by load balancers and Prometheus: logged at debug, not info. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

/** Fastify's request logging, replaced: Fastify calls it for every request it routes or refuses. */
export class RequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'reqId' });
  }

  override incomingRequest(): void {
    // Nothing at the start: the one line is written when the answer is known.
  }

  override routeNotFound(): void {
    // The not-found handler's answer is logged by requestCompleted, without the URL's query.
  }

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    const route = routeLabel(req);
    const line = { method: req.method, route, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, ...(error ? { failed: true } : {}) };
    if (QUIET.has(route) && reply.statusCode < 400) req.log.debug(line, 'request');
    else req.log.info(line, 'request');
  }
}

async function requestLog(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
}

export const requestLogPlugin = unencapsulated('tagcast-request-log', requestLog);

/** Anything shaped like an email address, as `<address>`: a 4xx reason may quote what a client typed. */
export function maskAddresses(s: string): string {
  return s.replace(/[^\s"'<>()[\]{},;:@]+@[^\s"'<>()[\]{},;:@]+\.[^\s"'<>()[\]{},;:@]+/g, '<address>');
}

/**
 * For what code logs explicitly: `req`/`res` without query string, headers or client address; a
 * refusal's `reason` and an error's message and stack with addresses masked.
 */
export const safeSerializers = {
  reason: (reason: unknown) => (typeof reason === 'string' ? maskAddresses(reason) : reason),
  err: (err: Error) => {
    const out = stdSerializers.err(err);
    return { ...out, message: maskAddresses(out.message ?? ''), stack: maskAddresses(out.stack ?? '') };
  },
  req: (req: { method?: string; url?: string; routeOptions?: { url?: string } }) => ({
    method: req.method,
    route: req.routeOptions?.url ?? req.url?.split('?')[0],
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
};
