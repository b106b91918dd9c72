// GET /web/:issue: the reader's own digest of that issue as a page of the site (its header and footer,
// site.css, the page CSP), uncut (every "N more on the web" link of a cut email lands on its section),
// full (a brief email's "read on the web" lands on the whole summary), with the email's anchors
// (`tag-<slug>`, `s-<id>`). Its address gets shared (pasted to a friend, unfurled in a chat), so its
// preferences, brief-or-full, "Stop <tag>" and unsubscribe links lead to /manage, which points back to
// the email: a `web` token opens this reader's digest of this one issue and nothing else, not even a
// link to another purpose (webVersionLinks; decisions.md). Never indexed.
//
// Fast: one query per request (the delivery, the issue and the settings together); the issue's page is
// rendered once per issue and publication identity (src/web/reader/web-page.tsx) and only assembled per
// reader. The identity read with each request is part of the cache key, so an editor's change shows at
// the next page view, in this process or any other.
import type { FastifyInstance } from 'fastify';
import { webVersionRow, type WebVersionRow } from '../../db/readers.ts';
import { settingsFromJson, type StoredSettings } from '../../db/settings.ts';
import { summariesForIssue } from '../../db/summaries.ts';
import { indexIssue } from '../../digest/assemble.ts';
import { issueName } from '../../digest/week.ts';
import { mailDomain } from '../../lib/mail.ts';
import { MANAGE_PATH, webVersionLinks } from '../../lib/reader-links.ts';
import { effectiveSettings, publicationOf } from '../../publication.ts';
import { cspHeader, PAGE_CSP } from '../plugins/security.ts';
import { readLink, sendHtml, sendLinkProblem, sendMessage, type ReaderDeps } from './common.tsx';
import { issueWebPage, type IssueWebPage } from './web-page.tsx';

const ISSUE_ID = /^[1-9]\d{0,9}$/;
/** The publication's accent as a stylesheet: the CSP allows no inline style, and the colour is its own cache key. */
const ACCENT_FILE = /^([0-9a-f]{6})\.css$/;
export const accentCssUrl = (accent: string) => `/assets/accent/${accent.slice(1).toLowerCase()}.css`;

/** Issues kept at once: the recent ones whose web versions readers open. */
const KEEP = 8;
const pages = new Map<string, Promise<IssueWebPage>>();

/** Lets every cached page go, as a fresh process has none (tests that share one process between databases). */
export function forgetIssuePages(): void {
  pages.clear();
}

/** The issue's page for this identity: built on first use, then shared by every reader (most recently used kept). */
function issuePage(deps: ReaderDeps, issueId: number, row: WebVersionRow): Promise<IssueWebPage> {
  const key = JSON.stringify([issueId, row.week, row.note, row.settings, deps.config.archive, deps.config.mailFrom]);
  let page = pages.get(key);
  if (page) {
    pages.delete(key);
    pages.set(key, page);
    return page;
  }
  page = summariesForIssue(deps.db, issueId).then((summaries) => {
    const publication = publicationOf(effectiveSettings(settingsFromJson(row.settings === null ? null : (JSON.parse(row.settings) as StoredSettings)), deps.config), row.note);
    return issueWebPage(indexIssue(row.week, summaries), {
      publication,
      issueName: issueName(row.week),
      archive: deps.config.archive,
      archiveHref: deps.config.archive ? `/archive/${issueId}` : null,
      accentCss: accentCssUrl(publication.accent),
    });
  });
  page.catch(() => pages.get(key) === page && pages.delete(key));
  pages.set(key, page);
  if (pages.size > KEEP) pages.delete(pages.keys().next().value!);
  return page;
}

/**
 * The page CSP, and for a publication with a logo that one image too (its exact address when it is
 * plain enough to name in a policy, else its origin): the email shows the logo, so its web version does.
 */
function logoPolicy(logoUrl: string): string | null {
  // Checked where it is set (https only); a stored value that is no URL after all adds nothing.
  if (!URL.canParse(logoUrl)) return null;
  const url = new URL(logoUrl);
  if (url.protocol !== 'https:') return null;
  const exact = `${url.origin}${url.pathname}`;
  const source = /^[A-Za-z0-9._~\-/%]+$/.test(url.pathname) ? exact : url.origin;
  return cspHeader({ ...PAGE_CSP, 'img-src': [...PAGE_CSP['img-src']!, source] });
}

export async function webVersionRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  app.get<{ Params: { issue: string } }>('/web/:issue', async (req, reply) => {
    reply.header('x-robots-tag', 'noindex, nofollow');
    const link = readLink(req, deps.config.secret, 'web', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const { subscriberId, issueId } = link.claims;
    if (!ISSUE_ID.test(req.params.issue) || Number(req.params.issue) !== issueId) return sendLinkProblem(reply, deps, 'invalid');
    const row = await webVersionRow(deps.db, issueId, subscriberId);
    const page = row && (await issuePage(deps, issueId, row));
    const digest = page && page.digestOf(row.sections.map((s) => s.slug));
    if (!row || !page || !digest) {
      return sendMessage(reply, deps, { status: 404, title: 'No digest here', message: 'There is no digest of this issue for you: none of your tags had content that week, or your data was erased.' });
    }
    const links = webVersionLinks({
      publicUrl: deps.config.publicUrl,
      mailDomain: mailDomain(deps.config.mailFrom),
      issueId,
      webToken: (req.query as { t: string }).t,
      sections: digest.sections,
    });
    const policy = page.issue.publication.logoUrl && logoPolicy(page.issue.publication.logoUrl);
    if (policy) reply.header('content-security-policy', policy);
    return sendHtml(reply, page.assemble(digest, links, row.density ?? 'full'));
  });

  // The colour is the address: cached for a year, and any six hex digits answer (a colour is no secret).
  app.get<{ Params: { file: string } }>('/assets/accent/:file', { config: { rateLimit: false } }, async (req, reply) => {
    const m = ACCENT_FILE.exec(req.params.file);
    if (!m) return reply.code(404).send({ error: 'no such asset' });
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(`:root{--pub-accent:#${m[1]}}\n`);
  });

  // Where the web version's preferences, brief-or-full, "Stop <tag>" and unsubscribe links lead.
  app.get(MANAGE_PATH, async (_req, reply) =>
    sendMessage(reply, deps, {
      title: 'Your subscription',
      message: (
        <>
          <p>To choose your tags, pause or unsubscribe, use the links at the foot of the digest email we sent you, or of its web version.</p>
        </>
      ),
    }),
  );
}
