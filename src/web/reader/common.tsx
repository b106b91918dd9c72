// What every reader route shares: its dependencies, HTML answers, and reading a signed link.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReactNode } from 'react';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connection.ts';
import { createToken, verifyToken, type Purpose, type TokenClaims } from '../../lib/reader-links.ts';
import type { Csrf } from '../csrf.ts';
import type { ErrorPage } from '../plugins/errors.ts';
import { etagOf, notModified, type PageCache } from '../page-cache.ts';
import { renderPage } from '../views/layout.tsx';
import { MessagePage } from '../views/reader.tsx';

export interface ReaderDeps {
  db: Db;
  config: Pick<Config, 'secret' | 'publicUrl' | 'mailFrom' | 'archive' | 'defaultTimeZone' | 'subscribeTagWeeks'>;
  csrf: Csrf;
  /** Queues a notice's email; best effort (reconcile sends what never reached the queue). */
  enqueueNotice(noticeId: number): void;
  now(): Date;
  /** The public pages' cache (the server makes one; without it the archive makes its own). */
  pages?: PageCache | undefined;
}

export function sendHtml(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(html);
}

export function sendPage(reply: FastifyReply, element: ReactNode, status = 200): FastifyReply {
  return sendHtml(reply, renderPage(element), status);
}

/** A short page with a title and one message: expired links, finished actions, problems. */
export function sendMessage(
  reply: FastifyReply,
  deps: Pick<ReaderDeps, 'config'>,
  o: { status?: number; title: string; message: ReactNode; kind?: 'ok' | 'warn' | 'bad' },
): FastifyReply {
  return sendPage(
    reply,
    <MessagePage title={o.title} archive={deps.config.archive} kind={o.kind ?? (o.status && o.status >= 400 ? 'bad' : 'ok')}>
      {typeof o.message === 'string' ? <p>{o.message}</p> : o.message}
    </MessagePage>,
    o.status ?? 200,
  );
}

/** The site's error page, in the shared layout (plugged into the errors plugin). */
export function sitePage(archive: boolean) {
  return (p: ErrorPage): string =>
    renderPage(
      <MessagePage title={p.title} archive={archive} kind="bad">
        <ErrorReason {...p} />
      </MessagePage>,
    );
}

/** An error page's body: the reason, and the request id that finds its log line (site and admin pages). */
export function ErrorReason(p: Pick<ErrorPage, 'reason' | 'requestId'>) {
  return (
    <>
      <p>{p.reason}</p>
      {p.requestId ? (
        <p className="small">
          Request id: <code>{p.requestId}</code>
        </p>
      ) : null}
    </>
  );
}

export type LinkCheck = { claims: TokenClaims } | { problem: 'missing' | 'invalid' | 'expired' };

/** Reads the `t` of a signed link: valid for this purpose, broken, or genuine but expired. */
export function readLink(req: FastifyRequest, secret: string, purpose: Purpose, now: Date): LinkCheck {
  const t = (req.query as Record<string, unknown> | undefined)?.t;
  if (typeof t !== 'string' || t === '') return { problem: 'missing' };
  const claims = verifyToken(secret, t, purpose, now);
  if (claims) return { claims };
  // Genuine but past its time: the reader should ask again, not wonder whether the link was forged.
  return verifyToken(secret, t, purpose, new Date(0)) ? { problem: 'expired' } : { problem: 'invalid' };
}

const LINK_PROBLEM = {
  missing: 'This address needs the link from your email. Open the link in the email again.',
  invalid: 'This link is not valid. Open the link in your email again, exactly as it is.',
  expired: 'This link has expired. Ask for a new one from your preferences or the subscribe page.',
} as const;

/** The answer to a link that cannot be used: 400 (missing or broken) or 410 (expired). */
export function sendLinkProblem(reply: FastifyReply, deps: Pick<ReaderDeps, 'config'>, problem: keyof typeof LINK_PROBLEM): FastifyReply {
  return sendMessage(reply, deps, { status: problem === 'expired' ? 410 : 400, title: problem === 'expired' ? 'Link expired' : 'Link not valid', message: LINK_PROBLEM[problem] });
}

/** Links a reader page hands on, from one subscriber's id (deterministic, like those in the emails). */
export function links(config: Pick<Config, 'secret' | 'publicUrl'>, subscriberId: number) {
  const t = (purpose: Purpose, issueId?: number) => createToken(config.secret, { purpose, subscriberId, issueId });
  return {
    preferences: `/preferences?t=${t('preferences')}`,
    feed: `${config.publicUrl}/preferences/feed.xml?t=${t('feed')}`,
    web: (issueId: number) => `/web/${issueId}?t=${t('web', issueId)}`,
  };
}

/** A form field as one string (the last value when a field is repeated), else undefined. */
export function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | null | undefined)?.[name];
  if (Array.isArray(v)) return typeof v.at(-1) === 'string' ? (v.at(-1) as string) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** A repeated form field (checkboxes) as a list of strings. */
export function fields(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | null | undefined)?.[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/**
 * Answers 304 when the client holds this exact body already (ETag) or nothing changed since the time
 * it gives (Last-Modified); else sends it with both validators. The public pages go through the page
 * cache (src/web/page-cache.ts); this is for what one reader alone may see (their private feed): no
 * cache may keep it (private, no-store, like every page reached with a token), and a feed reader that sends its
 * validators anyway still gets its 304.
 */
export function sendPersonal(req: FastifyRequest, reply: FastifyReply, body: string, type: string, lastModified: Date | null): FastifyReply {
  const etag = etagOf(body);
  reply.header('etag', etag).header('cache-control', 'private, no-store');
  if (lastModified) reply.header('last-modified', lastModified.toUTCString());
  if (notModified(req, etag, lastModified)) return reply.code(304).send();
  return reply.code(200).header('content-type', type).send(body);
}
