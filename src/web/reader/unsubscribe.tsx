// GET /unsubscribe shows one button; POST /unsubscribe is RFC 8058's one-click unsubscribe, which
// mailbox providers send with `List-Unsubscribe=One-Click` as a form (urlencoded or multipart), no
// cookie and no CSRF token: the signed link is the authority. It answers 200 with a short page, never
// a redirect, and repeating it changes nothing. A GET never unsubscribes: link scanners fetch every GET.
//
// An unsubscribe link travels in every digest, and digests are forwarded: its pages show no address
// and hand out no preferences link. They offer undo of the link's own unsubscription for a day (an
// `undo` link bound to that unsubscription), and a preferences link sent to the reader's own address.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestNotice } from '../../db/notices.ts';
import { countReason, isUnsubscribeReason } from '../../db/unsubscribe-reasons.ts';
import { subscriptionState, undoUnsubscribe, unsubscribeAndState, type SubscriptionState } from '../../db/readers.ts';
import { createToken } from '../../lib/reader-links.ts';
import { UnsubscribedPage, UnsubscribePage } from '../views/reader.tsx';
import { pageTemplate } from '../page-template.ts';
import { renderPage } from '../views/layout.tsx';
import { field, readLink, sendHtml, sendLinkProblem, sendMessage, sendPage, type ReaderDeps } from './common.tsx';

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/** How long an unsubscription made through a link can be undone from the link's page. */
export const UNDO_TTL_S = 24 * 3600;

function isForm(contentType: string | undefined): boolean {
  return FORM_TYPES.has((contentType ?? '').split(';')[0]!.trim().toLowerCase());
}

/**
 * The undo link for the reader's current unsubscription, when an unsubscribe link made it less than a
 * day ago; else null. Bound to the status version it left, so anything that changes the subscription
 * afterwards voids it. Deterministic: a repeated POST offers the same link.
 */
export function undoLink(secret: string, subscriberId: number, s: SubscriptionState | undefined, now: Date): string | null {
  if (s?.status !== 'unsubscribed' || s.unsubscribedVia !== 'link' || !s.unsubscribedAt) return null;
  const expires = Math.floor(s.unsubscribedAt.getTime() / 1000) + UNDO_TTL_S;
  if (expires * 1000 <= now.getTime()) return null;
  return `/unsubscribe/undo?t=${createToken(secret, { purpose: 'undo', subscriberId, expires, ref: s.statusVersion })}`;
}

/** The form that emails the reader their preferences link, on the pages an unsubscribe link opens. */
export const preferencesLinkAction = (req: FastifyRequest) => `/unsubscribe/preferences-link?t=${field(req.query, 't')}`;

export async function unsubscribeRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  const unsubscribedPage = pageTemplate(['undo', 'preferences', 'csrf'], (slot, v: { changed: boolean; undo: boolean }) =>
    renderPage(<UnsubscribedPage undoAction={v.undo ? slot.undo : null} preferencesLinkAction={slot.preferences} csrf={slot.csrf} archive={deps.config.archive} changed={v.changed} />),
  );
  // Multipart only here, with limits for a one-field form: nothing larger is ever needed.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fieldNameSize: 100, fieldSize: 1024, fields: 10, files: 0, parts: 10 } });

  app.get('/unsubscribe', async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'unsubscribe', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    if (!(await subscriptionState(deps.db, link.claims.subscriberId))) {
      return sendMessage(reply, deps, { title: 'Nothing to unsubscribe', message: 'We hold no subscription for this link any more: it was erased, and nothing will be sent to it.' });
    }
    return sendPage(
      reply,
      <UnsubscribePage action={`/unsubscribe?t=${field(req.query, 't')}`} preferencesLinkAction={preferencesLinkAction(req)} csrf={deps.csrf.token(req, reply)} archive={deps.config.archive} />,
    );
  });

  // Mailbox providers post from a few addresses for many readers at once: never rate-limited here.
  // A forged token costs one HMAC to refuse.
  app.post('/unsubscribe', { config: { rateLimit: false } }, async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'unsubscribe', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    // RFC 8058 says the POST is a form; a JSON body with the same key is something else (a script, not
    // a mailbox provider) and is refused like any other request that is not the one-click form.
    if (!isForm(req.headers['content-type'])) {
      return sendMessage(reply, deps, { status: 400, title: 'Not unsubscribed', message: 'A one-click unsubscribe is a form post (application/x-www-form-urlencoded or multipart/form-data) with the field List-Unsubscribe=One-Click (RFC 8058).' });
    }
    if (field(req.body, 'List-Unsubscribe') !== 'One-Click') {
      return sendMessage(reply, deps, { status: 400, title: 'Not unsubscribed', message: 'A one-click unsubscribe sends the form field List-Unsubscribe=One-Click (RFC 8058); this request had none.' });
    }
    const { subscriberId, issueId } = link.claims;
    const { changed, state } = await unsubscribeAndState(deps.db, subscriberId, issueId ?? null, 'link');
    // The page's optional reason, counted once, when this POST is the one that unsubscribed; anything
    // not on the list (a mailbox provider's one-click sends none) is ignored, never refused.
    const reason = field(req.body, 'reason');
    if (changed && isUnsubscribeReason(reason)) await countReason(deps.db, reason);
    const undo = undoLink(deps.config.secret, subscriberId, state, deps.now());
    // Rendered once per variant, filled per request: mailbox providers post these in bursts.
    const html = unsubscribedPage({ changed, undo: undo !== null }, { undo: undo ?? '', preferences: preferencesLinkAction(req), csrf: deps.csrf.token(req, reply) });
    return sendHtml(reply, html);
  });

  // Undo on the page the one-click POST answered: a form, so CSRF-protected like every other. Its
  // link undoes that one unsubscription, for a day, and only while nothing else changed since.
  app.post('/unsubscribe/undo', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'undo', deps.now());
    if ('problem' in link) {
      if (link.problem !== 'expired') return sendLinkProblem(reply, deps, link.problem);
      return sendMessage(reply, deps, { status: 410, title: 'Too late to undo', message: 'An unsubscribe can be undone for a day. To come back, open the preferences link at the foot of any digest, or subscribe again.' });
    }
    const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
    if (csrfProblem) return sendMessage(reply, deps, { status: 403, title: 'Not subscribed again', message: `Nothing changed: ${csrfProblem}.` });
    const { subscriberId, ref } = link.claims;
    if (ref !== undefined && (await undoUnsubscribe(deps.db, subscriberId, ref))) {
      return sendMessage(reply, deps, { title: 'You are subscribed again', message: 'Your digests start again with the next issue, with the tags you followed before.' });
    }
    return sendMessage(reply, deps, {
      status: 409,
      title: 'Nothing to undo',
      message: 'Your subscription changed since this unsubscribe (you came back, left another way, or emails to the address bounce), so this undo no longer applies. Your preferences link, at the foot of any digest, shows where it stands.',
    });
  });

  // "Email me a link to my preferences": the preferences link goes to the reader's own address, never
  // onto a page an unsubscribe link opens. The same answer whatever happens (held, erased, bounced).
  app.post('/unsubscribe/preferences-link', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'unsubscribe', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
    if (csrfProblem) return sendMessage(reply, deps, { status: 403, title: 'Not sent', message: `Nothing was sent: ${csrfProblem}.` });
    const noticeId = await requestNotice(deps.db, link.claims.subscriberId, 'preferences');
    if (noticeId !== null) deps.enqueueNotice(noticeId);
    return sendMessage(reply, deps, {
      title: 'Check your inbox',
      message: (
        <>
          <p>If the address this link came to can still receive our emails, a link to your preferences is on its way to it.</p>
          <p className="small">Nothing arrives? Look in the spam folder, or try again in ten minutes: we send at most one such email every ten minutes.</p>
        </>
      ),
    });
  });
}
