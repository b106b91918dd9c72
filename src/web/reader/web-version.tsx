// GET /web/:issue: the reader's own digest of that issue as a page, uncut (every "N more on the web"
// link of a cut email lands on its section here), rendered through the same fragment cache as the
// send, from the sections frozen for this reader when the issue was planned. Never indexed. A token
// opens one reader's digest of one issue and nothing else: its address is made to be shared, so the
// page carries no preferences or unsubscribe link (they lead to /manage, which points to the email).
import type { FastifyInstance } from 'fastify';
import { getIssue } from '../../db/issues.ts';
import { readerDelivery, readerProfile } from '../../db/readers.ts';
import { assembleDigest, type Density } from '../../digest/assemble.ts';
import { issueRendering } from '../../render/cache.ts';
import { mailDomain } from '../../lib/mail.ts';
import { MANAGE_PATH, webVersionLinks } from '../../lib/reader-links.ts';
import { cspRoute, EMAIL_PAGE_CSP } from '../plugins/security.ts';
import { readLink, sendHtml, sendLinkProblem, sendMessage, type ReaderDeps } from './common.tsx';

const ISSUE_ID = /^[1-9]\d{0,9}$/;

export async function webVersionRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  // The email's own HTML carries inline styles: this page allows those, and still no script.
  app.get<{ Params: { issue: string } }>('/web/:issue', { helmet: cspRoute(EMAIL_PAGE_CSP) }, async (req, reply) => {
    reply.header('x-robots-tag', 'noindex, nofollow');
    const link = readLink(req, deps.config.secret, 'web', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const { subscriberId, issueId } = link.claims;
    if (!ISSUE_ID.test(req.params.issue) || Number(req.params.issue) !== issueId) return sendLinkProblem(reply, deps, 'invalid');
    const [issue, delivery, reader] = await Promise.all([getIssue(deps.db, issueId), readerDelivery(deps.db, issueId, subscriberId), readerProfile(deps.db, subscriberId)]);
    const digestOf = async () => {
      if (!issue || !delivery || !reader) return null;
      const { content, renderer } = await issueRendering(deps, issue);
      // The delivery's density when deliveries carry one (another branch adds it); the full digest until then.
      const digest = assembleDigest(content, delivery.sections, (delivery as { density?: Density }).density ?? 'full');
      if (!digest) return null;
      const readerLinksFor = webVersionLinks({ secret: deps.config.secret, publicUrl: deps.config.publicUrl, mailDomain: mailDomain(deps.config.mailFrom), subscriberId, issueId, sections: digest.sections });
      return renderer.render(digest, readerLinksFor, { budget: Number.POSITIVE_INFINITY });
    };
    const rendered = await digestOf();
    if (!rendered) return sendMessage(reply, deps, { status: 404, title: 'No digest here', message: 'There is no digest of this issue for you: none of your tags had content that week, or your data was erased.' });
    // The email is a whole document: mark it noindex in its head too, for crawlers that ignore headers.
    return sendHtml(reply, rendered.html.replace(/<head([^>]*)>/i, '<head$1><meta name="robots" content="noindex, nofollow">'));
  });

  // Where a web version's preferences and unsubscribe links lead: no token, so a shared web version
  // lets nobody change or see the reader's subscription.
  app.get(MANAGE_PATH, async (_req, reply) =>
    sendMessage(reply, deps, {
      title: 'Your subscription',
      message: (
        <>
          <p>This page is a copy of a digest, made to be shared, so it holds no link to your subscription.</p>
          <p>To choose your tags, pause or unsubscribe, use the links at the foot of the digest email we sent you.</p>
        </>
      ),
    }),
  );
}
