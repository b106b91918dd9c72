// One error handler and one not-found handler for the whole app.
//
// JSON ({ "error": "reason" }) for API routes, webhooks, health checks and clients that ask for JSON;
// a small HTML page otherwise. A 4xx keeps its reason (malformed JSON, too large, validation…): the
// client can act on it. A 5xx never shows its cause, which may hold SQL, a database message or a
// path: the answer is generic with the request id, and the log has the real error under that id.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unencapsulated } from './plugin.ts';

/** An error whose message is written for the client; thrown by routes that want a given status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const SERVER_FAULT = 'something went wrong on our side';

export interface ErrorPage {
  status: number;
  /** The status text, e.g. "Not Found". */
  title: string;
  reason: string;
  /** Set on 5xx answers, for a reader to quote and an operator to find in the log. */
  requestId?: string | undefined;
}

export type ErrorsOptions = {
  /** The HTML page; the default is minimal, the site layout may replace it. Must escape what it shows. */
  renderPage?: ((page: ErrorPage) => string) | undefined;
};

// Machine clients: their errors are JSON whatever they send in Accept.
const JSON_PATHS = ['/api', '/webhooks', '/healthz', '/readyz', '/metrics'];

export function wantsJson(req: FastifyRequest): boolean {
  const path = pathOf(req);
  if (JSON_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) return true;
  const accept = req.headers.accept ?? '';
  return /\bjson\b/i.test(accept) && !/text\/html/i.test(accept);
}

/** The path without its query: reader links carry tokens there, and an error page must not repeat them. */
function pathOf(req: FastifyRequest): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function defaultErrorPage(p: ErrorPage): string {
  const id = p.requestId ? `<p>Request id: <code>${escapeHtml(p.requestId)}</code></p>` : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${p.status} ${escapeHtml(p.title)} · tagcast</title></head>` +
    `<body><main><h1>${escapeHtml(p.title)}</h1><p>${escapeHtml(p.reason)}</p>${id}</main></body></html>`
  );
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Fastify's own 4xx, said the way the rest of tagcast speaks. */
function reasonFor(err: FastifyError, req: FastifyRequest): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `this address does not take a body of type ${clip(String(req.headers['content-type'] ?? '(none)'), 100)}`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the body is too large';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty but its content-type says JSON';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the body is not as long as its content-length says';
    default:
      return clip(err.message || STATUS_CODES[err.statusCode ?? 400] || 'bad request', 500);
  }
}

function statusOf(err: { statusCode?: unknown }): number {
  const s = err.statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599 ? s : 500;
}

function answer(req: FastifyRequest, reply: FastifyReply, render: (p: ErrorPage) => string, page: Omit<ErrorPage, 'title'>): void {
  const title = STATUS_CODES[page.status] ?? 'Error';
  reply.code(page.status);
  if (wantsJson(req)) {
    reply.type('application/json; charset=utf-8').send(page.requestId ? { error: page.reason, requestId: page.requestId } : { error: page.reason });
  } else {
    reply.type('text/html; charset=utf-8').send(render({ ...page, title }));
  }
}

/** The answer to any error; also Fastify's `frameworkErrors` (bad URLs), which arrive before routing. */
export function errorAnswer(render: (p: ErrorPage) => string = defaultErrorPage) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const status = statusOf(err);
    if (status >= 500 && !(err instanceof HttpError)) {
      req.log.error({ err }, 'request failed');
      answer(req, reply, render, { status, reason: SERVER_FAULT, requestId: String(req.id) });
      return;
    }
    const reason = reasonFor(err, req);
    req.log.info({ statusCode: status, reason }, 'request refused');
    answer(req, reply, render, { status, reason, requestId: status >= 500 ? String(req.id) : undefined });
  };
}

async function errors(app: FastifyInstance, opts: ErrorsOptions): Promise<void> {
  const render = opts.renderPage ?? defaultErrorPage;
  app.setErrorHandler(errorAnswer(render));
  // Unknown addresses count against the client's global limit too: scanners probe thousands.
  const preHandler = app.hasDecorator('rateLimit') ? app.rateLimit() : undefined;
  app.setNotFoundHandler(preHandler ? { preHandler } : {}, (req, reply) => {
    answer(req, reply, render, { status: 404, reason: `not found: ${req.method} ${clip(pathOf(req), 200)}` });
  });
}

export const errorsPlugin = unencapsulated('tagcast-errors', errors);
