// What every editor route shares: its dependencies, HTML answers, and refusals as pages with reasons.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReactNode } from 'react';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connection.ts';
import type { Queues, RedisClient } from '../../queue.ts';
import type { Provider } from '../../send/provider.ts';
import type { Csrf } from '../csrf.ts';
import { localEditor, type Editor } from '../../editor/index.ts';
import type { EditorError } from '../../editor/errors.ts';
import { HttpError } from '../plugins/errors.ts';
import { field } from '../reader/common.tsx';
import { renderPage } from '../views/layout.tsx';
import { AdminMessagePage } from '../views/admin/layout.tsx';

export interface AdminDeps {
  db: Db;
  config: Config;
  csrf: Csrf;
  now(): Date;
  /** The job queues, connected on first use; unset: actions that need them answer 503. */
  queues?: (() => Promise<Queues>) | undefined;
  provider?: Provider | undefined;
  redis?: RedisClient | undefined;
}

/** The editor's operations as the admin pages call them (recorded as "admin"). */
export function adminEditor(deps: AdminDeps): Editor {
  return localEditor({ db: deps.db, config: deps.config, now: deps.now, queues: deps.queues, provider: deps.provider, redis: deps.redis, actor: 'admin' });
}

/** An operation's refusal as the admin page says it: its status, what was not done, its reason, the way back. */
export function refuseEditor(reply: FastifyReply, e: EditorError, title: string, back?: { href: string; label: string }): FastifyReply {
  return refuse(reply, e.httpStatus, title, `${e.message[0]!.toUpperCase()}${e.message.slice(1)}${/[.!?]$/.test(e.message) ? '' : '.'}`, back);
}

export { field };

export function sendAdmin(reply: FastifyReply, element: ReactNode, status = 200): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(renderPage(element));
}

/** A refused action: its status, what was not done, why, and the way back. */
export function refuse(reply: FastifyReply, status: number, title: string, reason: string, back?: { href: string; label: string }): FastifyReply {
  return sendAdmin(
    reply,
    <AdminMessagePage title={title} back={back}>
      <p>{reason}</p>
    </AdminMessagePage>,
    status,
  );
}

/** The CSRF check of a form post; null when it may go ahead, else the 403 already sent. */
export function csrfRefusal(deps: AdminDeps, req: FastifyRequest, reply: FastifyReply, fieldValue: unknown, back: { href: string; label: string }): FastifyReply | null {
  const problem = deps.csrf.check(req, fieldValue);
  return problem ? refuse(reply, 403, 'Nothing changed', `Not done: ${problem}.`, back) : null;
}

export async function needQueues(deps: AdminDeps): Promise<Queues> {
  if (!deps.queues) throw new HttpError(503, 'this server has no job queues (Redis): run the admin pages under tagcast serve or start');
  return deps.queues();
}

/** `?done=…` after a 303 back: which notice to show. */
export function doneOf(req: FastifyRequest): string | undefined {
  const d = field(req.query, 'done');
  return d && /^[a-z-]{1,30}$/.test(d) ? d : undefined;
}

/** ?page=N: 1 when absent; null when it is not a page number. */
export function pageOf(query: unknown): number | null {
  const raw = field(query, 'page');
  if (raw === undefined || raw === '') return 1;
  return /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : null;
}
