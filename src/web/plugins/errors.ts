// One error handler and one not-found handler for the whole app.
//
// JSON ({ "error": "reason" }) for API routes, webhooks, health checks and clients that ask for JSON;
// a small HTML page otherwise. A 4xx keeps its reason (malformed JSON, too large, validation…): the
// client can act on it. A 5xx never shows its cause, which may hold SQL, a database message or a
// path: the answer is generic with the request id, and the log has the real error under that id.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EditorError } from '../../editor/errors.ts';
import { RedisUnavailableError } from '../../queue.ts';
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

/** Whether a path belongs to a machine client (the API, webhooks, health checks, metrics). */
export function isMachinePath(path: string): boolean {
  return JSON_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export function wantsJson(req: FastifyRequest): boolean {
  if (isMachinePath(pathOf(req))) return true;
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

/**
 * The multipart parser's own errors carry no status, so they would be 500s: a boundary missing, empty
 * or longer than 256, a body cut off before its closing boundary. They are the client's.
 */
const MULTIPART_FAULT = /^(Multipart: Boundary not found|Boundary required|The needle cannot (be an empty|have a length bigger)|Unexpected end of (multipart data|form|file)|.* terminated early due to unexpected end of multipart data)/;

/** The status of an error: its own, 400 for a malformed multipart body, else 500. */
function statusOf(err: { statusCode?: unknown; message?: unknown; code?: unknown }): number {
  // @fastify/multipart says 406 for "not multipart", but that is a media type this route does not take.
  if (err.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return 415;
  const s = err.statusCode;
  if (typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599) return s;
  return typeof err.message === 'string' && MULTIPART_FAULT.test(err.message) ? 400 : 500;
}

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
    // Fastify's messages repeat the URL, whose query may hold a reader's token.
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_INVALID_URL':
      return 'the address has a broken %-escape or is not UTF-8';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a part of the address is too long';
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return 'this address takes a multipart/form-data body';
    default:
      if (MULTIPART_FAULT.test(err.message)) return 'the multipart body is malformed (its boundary is missing or wrong, or it ends early)';
      return clip(err.message || STATUS_CODES[err.statusCode ?? 400] || 'bad request', 500);
  }
}

function answer(req: FastifyRequest, reply: FastifyReply, render: (p: ErrorPage) => string, page: Omit<ErrorPage, 'title'>, details: Record<string, unknown> = {}): void {
  const title = STATUS_CODES[page.status] ?? 'Error';
  reply.code(page.status);
  if (wantsJson(req)) {
    reply.type('application/json; charset=utf-8').send(page.requestId ? { ...details, error: page.reason, requestId: page.requestId } : { ...details, error: page.reason });
  } else {
    reply.type('text/html; charset=utf-8').send(render({ ...page, title }));
  }
}

/** The answer to any error; also Fastify's `frameworkErrors` (bad URLs), which arrive before routing. */
export function errorAnswer(render: (p: ErrorPage) => string = defaultErrorPage) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    // An editor operation's refusal: its own status, its message and what a machine client may act on.
    if ((err as unknown) instanceof EditorError) {
      const e = err as unknown as EditorError;
      req.log.info({ statusCode: e.httpStatus, reason: e.message }, 'request refused');
      answer(req, reply, render, { status: e.httpStatus, reason: e.message }, e.details);
      return;
    }
    if ((err as unknown) instanceof RedisUnavailableError) {
      req.log.warn({ err }, 'job queues unreachable');
      answer(req, reply, render, { status: 503, reason: 'the job queues are not reachable (Redis is not answering); try again shortly' });
      return;
    }
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

/**
 * Fastify's `clientErrorHandler`: a request Node could not even parse (a bad request line or header,
 * headers too large, a request too slow to arrive) gets the site's page and headers, like any other
 * 4xx, instead of Node's bare JSON. Nothing of the raw request is logged: it may hold a token.
 */
export function clientErrorAnswer(render: (p: ErrorPage) => string, headers: Record<string, string>, log: { info: (o: object, msg: string) => void }) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reason = status === 408 ? 'the request took too long to arrive' : status === 431 ? 'the request headers are too large' : 'the request is not valid HTTP';
    log.info({ statusCode: status, code: err.code, reason }, 'request refused before parsing');
    if (socket.writable) {
      const title = STATUS_CODES[status]!;
      const body = render({ status, title, reason });
      const head = Object.entries({ ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`HTTP/1.1 ${status} ${title}\r\n${head}\r\n${body}`);
    }
    socket.destroy();
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
