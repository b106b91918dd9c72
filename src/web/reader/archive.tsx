// The public archive and its Atom feeds (off with ARCHIVE=off: every route here answers 404), and each
// reader's private feed of exactly the tags they follow. Sent issues only; pages and feeds carry an
// ETag and Last-Modified and answer 304 when nothing changed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderToStaticMarkup } from 'react-dom/server';
import { archiveUpdatedAt, type Correction, countSentIssues, countTagIssues, installationSince, issuesWithTags, sentIssue, sentIssues, tagBySlug } from '../../db/archive.ts';
import { readerProfile } from '../../db/readers.ts';
import { summariesForIssue } from '../../db/summaries.ts';
import { tagBySlugOrAlias } from '../../db/tags.ts';
import { assembleDigest, indexIssue, type Section } from '../../digest/assemble.ts';
import { issueName } from '../../digest/week.ts';
import { assetUrl } from '../assets.ts';
import { createPageCache, type Rendered } from '../page-cache.ts';
import { refreshSiteIdentity } from '../site.ts';
import { renderAtom, tagUri, type AtomEntry } from '../atom.ts';
import { renderPage } from '../views/layout.tsx';
import { ArchivePage, CorrectionNote, IssuePage, TagPage, type TagIssue } from '../views/archive.tsx';
import { SectionBlock, SummaryArticle } from '../views/summary.tsx';
import { field, readLink, sendPersonal, sendLinkProblem, sendMessage, type ReaderDeps } from './common.tsx';

const PER_PAGE = 20;
const TAG_ISSUES_PER_PAGE = 10;
const FEED_ENTRIES = 20;
const ATOM = 'application/atom+xml; charset=utf-8';

/**
 * A feed's type for this request. Chromium shows application/atom+xml as plain text, never applying
 * its stylesheet (feed.xsl), so a browser, which asks for text/html first, gets the same bytes as
 * application/xml and sees a page; a feed reader gets Atom's own type. The answer varies with Accept.
 */
function atomType(req: FastifyRequest, reply: FastifyReply): string {
  reply.header('vary', 'Accept');
  return /(^|,)\s*text\/html\s*(;|,|$)/.test(String(req.headers.accept ?? '')) ? 'application/xml; charset=utf-8' : ATOM;
}
const HTML = 'text/html; charset=utf-8';
const ID = /^[1-9]\d{0,9}$/;
const SLUG = /^[a-z0-9+#-]{1,80}$/;

/** ?page=N: 1 when absent; null when it is not a page number. */
function pageOf(query: unknown): number | null {
  const raw = field(query, 'page');
  if (raw === undefined) return 1;
  return /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : null;
}

/** Every summary of a sent issue, by tag, each once (in its first section, with "also in"). */
async function issueSections(deps: ReaderDeps, issueId: number, week: string, tags?: string[]): Promise<Section[]> {
  const content = indexIssue(week, await summariesForIssue(deps.db, issueId, { visible: true }));
  return assembleDigest(content, tags ?? content.tags.map((t) => t.slug))?.sections ?? [];
}

const sectionsHtml = (sections: Section[]) => renderToStaticMarkup(<>{sections.map((s) => <SectionBlock key={s.slug} section={s} />)}</>);

/** A correction's note at the top of its feed entries, with absolute links (feed readers have no base). */
function correctionHtml(c: Correction, base: string): string {
  return c.againOf === null ? '' : renderToStaticMarkup(<CorrectionNote againOf={c.againOf} againReason={c.againReason} base={base} />);
}

export async function archiveRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  const base = deps.config.publicUrl;
  const notFound = (reply: FastifyReply, what: string) => sendMessage(reply, deps, { status: 404, title: 'Not found', message: what });
  const since = () => installationSince(deps.db);

  if (deps.config.archive) {
    const pages = deps.pages ?? createPageCache(deps.db, () => refreshSiteIdentity(deps));
    const missing = (message: string): Rendered => ({ kind: 'not-found', message });
    /** Answers what a render found that is not a page: a 404, or a tag's old address moved for good (with this request's own query). */
    const otherwise = (req: FastifyRequest) => (reply: FastifyReply, r: Exclude<Rendered, { kind: 'page' }>) => {
      if (r.kind === 'not-found') return notFound(reply, r.message);
      return reply.redirect(`${r.to}${req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''}`, 301);
    };
    /** A tag renamed or merged since: its old address moves permanently to the tag it became. */
    async function movedTag(slug: string, rest: string): Promise<Rendered | undefined> {
      const now = SLUG.test(slug) ? await tagBySlugOrAlias(deps.db, slug) : undefined;
      return now ? { kind: 'redirect', to: `/tags/${encodeURIComponent(now.slug)}${rest}` } : undefined;
    }

    app.get('/archive', async (req, reply) => {
      const page = pageOf(req.query);
      if (page === null) return notFound(reply, 'There is no such page of the archive.');
      return pages.serve(req, reply, `archive?page=${page}`, HTML, async () => {
        const total = await countSentIssues(deps.db);
        const count = Math.max(1, Math.ceil(total / PER_PAGE));
        if (page > count) return missing('There is no such page of the archive.');
        const issues = await sentIssues(deps.db, PER_PAGE, (page - 1) * PER_PAGE);
        const html = renderPage(<ArchivePage issues={issues.map((i) => ({ ...i, issueName: issueName(i.week) }))} page={page} pages={count} />);
        return { kind: 'page', body: html, lastModified: await archiveUpdatedAt(deps.db) };
      }, otherwise(req));
    });

    app.get<{ Params: { issue: string } }>('/archive/:issue', async (req, reply) => {
      if (!ID.test(req.params.issue)) return notFound(reply, 'No sent issue has that number.');
      const id = Number(req.params.issue);
      return pages.serve(req, reply, `issue/${id}`, HTML, async () => {
        const issue = await sentIssue(deps.db, id);
        if (!issue) return missing('No sent issue has that number.');
        const sections = await issueSections(deps, issue.id, issue.week);
        const html = renderPage(<IssuePage id={issue.id} issueName={issueName(issue.week)} sections={sections} correction={issue} />);
        return { kind: 'page', body: html, lastModified: await archiveUpdatedAt(deps.db) };
      }, otherwise(req));
    });

    app.get<{ Params: { slug: string } }>('/tags/:slug', async (req, reply) => {
      const page = pageOf(req.query);
      const slug = req.params.slug;
      if (!SLUG.test(slug) || page === null) return notFound(reply, 'There is no such tag.');
      return pages.serve(req, reply, `tag/${slug}?page=${page}`, HTML, async () => {
        const tag = await tagBySlug(deps.db, slug);
        if (!tag) return (await movedTag(slug, '')) ?? missing('There is no such tag.');
        const count = Math.max(1, Math.ceil((await countTagIssues(deps.db, tag.id)) / TAG_ISSUES_PER_PAGE));
        if (page > count) return missing('There is no such page for this tag.');
        const issues = await issuesWithTags(deps.db, [tag.slug], TAG_ISSUES_PER_PAGE, (page - 1) * TAG_ISSUES_PER_PAGE);
        const shown: TagIssue[] = [];
        for (const i of issues) {
          const [section] = await issueSections(deps, i.id, i.week, [tag.slug]);
          if (section) shown.push({ issueId: i.id, issueName: issueName(i.week), items: section.items, againOf: i.againOf, againReason: i.againReason });
        }
        const html = renderPage(<TagPage name={tag.name} slug={tag.slug} issues={shown} page={page} pages={count} />);
        return { kind: 'page', body: html, lastModified: await archiveUpdatedAt(deps.db) };
      }, otherwise(req));
    });

    app.get('/feed.xml', async (req, reply) => {
      return pages.serve(req, reply, 'feed', atomType(req, reply), async () => {
        const issues = await sentIssues(deps.db, FEED_ENTRIES, 0);
        const start = await since();
        const entries: AtomEntry[] = [];
        for (const i of issues) {
          const sections = await issueSections(deps, i.id, i.week);
          entries.push({
            id: tagUri(base, start, `issue/${i.id}`),
            title: `tagcast · ${issueName(i.week)}${i.againOf !== null ? ` (correction of issue ${i.againOf})` : ''}`,
            updated: i.finishedAt,
            published: i.finishedAt,
            url: `${base}/archive/${i.id}`,
            html: correctionHtml(i, base) + sectionsHtml(sections),
            categories: i.tags.map((t) => t.name),
          });
        }
        const updated = (await archiveUpdatedAt(deps.db)) ?? start;
        const xml = renderAtom({ id: tagUri(base, start, 'archive'), title: 'tagcast: every issue', self: `${base}/feed.xml`, alternate: `${base}/archive`, updated, author: 'tagcast', entries, stylesheet: assetUrl('feed.xsl') });
        return { kind: 'page', body: xml, lastModified: updated };
      }, otherwise(req));
    });

    app.get<{ Params: { slug: string } }>('/tags/:slug/feed.xml', async (req, reply) => {
      const slug = req.params.slug;
      if (!SLUG.test(slug)) return notFound(reply, 'There is no such tag.');
      return pages.serve(req, reply, `tag-feed/${slug}`, atomType(req, reply), async () => {
        const tag = await tagBySlug(deps.db, slug);
        if (!tag) return (await movedTag(slug, '/feed.xml')) ?? missing('There is no such tag.');
        // Slugs may hold "#" (C#) or "+" (C++): in a URL they are escaped, or "#" would start a fragment.
        const path = encodeURIComponent(tag.slug);
        const start = await since();
        const entries: AtomEntry[] = [];
        for (const i of await issuesWithTags(deps.db, [tag.slug], FEED_ENTRIES, 0)) {
          const [section] = await issueSections(deps, i.id, i.week, [tag.slug]);
          for (const item of section?.items ?? []) {
            entries.push({
              id: tagUri(base, start, `issue/${i.id}/summary/${item.summary.id}`),
              title: item.summary.title,
              updated: i.finishedAt,
              published: i.finishedAt,
              url: `${base}/archive/${i.id}#tag-${path}`,
              html: correctionHtml(i, base) + renderToStaticMarkup(<SummaryArticle item={item} />),
              categories: item.summary.tags,
            });
          }
        }
        const updated = (await archiveUpdatedAt(deps.db)) ?? start;
        const xml = renderAtom({
          id: tagUri(base, start, `tag/${tag.slug}`),
          title: `tagcast: ${tag.name}`,
          self: `${base}/tags/${path}/feed.xml`,
          alternate: `${base}/tags/${path}`,
          updated,
          author: 'tagcast',
          entries,
          stylesheet: assetUrl('feed.xsl'),
        });
        return { kind: 'page', body: xml, lastModified: updated };
      }, otherwise(req));
    });
  }

  // A reader's private feed (the signed address on their preferences page): every sent issue's
  // sections for the tags they follow now. Personal, like a web version, so ARCHIVE=off keeps it.
  // Feed addresses end up in third-party feed readers and services: the feed opens the feed only, and
  // links only to public pages (the archive, else the site), never to a web version or preferences.
  app.get('/preferences/feed.xml', async (req, reply) => {
    reply.header('x-robots-tag', 'noindex, nofollow');
    const link = readLink(req, deps.config.secret, 'feed', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const p = await readerProfile(deps.db, link.claims.subscriberId);
    if (!p) return notFound(reply, 'We hold no subscription for this feed any more.');
    const start = await since();
    const entries: AtomEntry[] = [];
    const issues = p.tags.length > 0 ? await issuesWithTags(deps.db, p.tags, FEED_ENTRIES, 0) : [];
    for (const i of issues) {
      const sections = await issueSections(deps, i.id, i.week, p.tags);
      if (sections.length === 0) continue;
      entries.push({
        id: tagUri(base, start, `issue/${i.id}/reader/${p.id}`),
        title: `Your tags · ${issueName(i.week)}`,
        updated: i.finishedAt,
        published: i.finishedAt,
        url: deps.config.archive ? `${base}/archive/${i.id}` : `${base}/`,
        html: sectionsHtml(sections),
        categories: sections.map((s) => s.tag),
      });
    }
    const updated = entries[0]?.updated ?? start;
    const alternate = deps.config.archive ? `${base}/archive` : `${base}/`;
    const xml = renderAtom({ id: tagUri(base, start, `reader/${p.id}`), title: 'tagcast: your tags', self: `${base}/preferences/feed.xml?t=${field(req.query, 't')}`, alternate, updated, author: 'tagcast', entries, stylesheet: assetUrl('feed.xsl') });
    return sendPersonal(req, reply, xml, atomType(req, reply), updated);
  });
}
