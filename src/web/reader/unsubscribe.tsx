// GET /unsubscribe shows one button; POST /unsubscribe is RFC 8058's one-click unsubscribe, which
// mailbox providers send with `List-Unsubscribe=One-Click` as a form (urlencoded or multipart), no
// cookie and no CSRF token: the signed link is the authority. It answers 200 with a short page, never
// a redirect, and repeating it changes nothing. A GET never unsubscribes: link scanners fetch every GET.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { readerProfile, resubscribe, unsubscribe } from '../../db/readers.ts';
import { UnsubscribedPage, UnsubscribePage } from '../views/reader.tsx';
import { field, links, readLink, sendLinkProblem, sendMessage, sendPage, type ReaderDeps } from './common.tsx';

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

function isForm(contentType: string | undefined): boolean {
  return FORM_TYPES.has((contentType ?? '').split(';')[0]!.trim().toLowerCase());
}

export async function unsubscribeRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  // Multipart only here, with limits for a one-field form: nothing larger is ever needed.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fieldNameSize: 100, fieldSize: 1024, fields: 10, files: 0, parts: 10 } });

  app.get('/unsubscribe', async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'unsubscribe', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const p = await readerProfile(deps.db, link.claims.subscriberId);
    if (!p) return sendMessage(reply, deps, { title: 'Nothing to unsubscribe', message: 'We hold no subscription for this address any more: it was erased, and nothing will be sent to it.' });
    return sendPage(
      reply,
      <UnsubscribePage action={`/unsubscribe?t=${field(req.query, 't')}`} preferencesUrl={links(deps.config, p.id).preferences} archive={deps.config.archive} email={p.email} />,
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
    const changed = await unsubscribe(deps.db, subscriberId, issueId ?? null);
    const token = field(req.query, 't')!;
    return sendPage(
      reply,
      <UnsubscribedPage undoAction={`/unsubscribe/undo?t=${token}`} csrf={deps.csrf.token(req, reply)} preferencesUrl={links(deps.config, subscriberId).preferences} archive={deps.config.archive} changed={changed} />,
    );
  });

  // Undo on the page the one-click POST answered: a form, so CSRF-protected like every other.
  app.post('/unsubscribe/undo', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'unsubscribe', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
    if (csrfProblem) return sendMessage(reply, deps, { status: 403, title: 'Not subscribed again', message: `Nothing changed: ${csrfProblem}.` });
    const back = await resubscribe(deps.db, link.claims.subscriberId);
    const prefs = links(deps.config, link.claims.subscriberId).preferences;
    return sendMessage(reply, deps, {
      title: back ? 'You are subscribed again' : 'Nothing to undo',
      message: (
        <p>
          {back ? 'Your digests start again with the next issue. ' : 'You are not unsubscribed, or emails to this address bounce. '}
          <a href={prefs}>Your preferences</a>
        </p>
      ),
    });
  });
}
