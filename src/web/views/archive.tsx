// The public archive: sent issues newest first, one issue's summaries by tag, one tag across issues.
import type { Correction } from '../../db/archive.ts';
import type { Section, SectionItem } from '../../digest/assemble.ts';
import { Page } from './layout.tsx';
import { SectionBlock, SummaryArticle } from './summary.tsx';

/** "Correction of issue N: reason", on an issue that sends its week again on purpose. */
/** `base`: the site's address, for a feed entry (feed readers resolve no relative link); pages leave it out. */
export function CorrectionNote({ againOf, againReason, base = '' }: Correction & { base?: string }) {
  if (againOf === null) return null;
  return (
    <p className="correction">
      <strong>Correction</strong> of <a href={`${base}/archive/${againOf}`}>issue {againOf}</a>: {againReason}
    </p>
  );
}

export interface ArchiveEntry extends Correction {
  id: number;
  week: string;
  issueName: string;
  summaries: number;
  tags: { slug: string; name: string }[];
}

const SITE_FEED = { href: '/feed.xml', title: 'tagcast: every issue' };

function Pager({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {page > 1 ? (
        <a href={href(page - 1)} rel="prev">
          ← Newer
        </a>
      ) : (
        <span />
      )}
      <span className="muted">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <a href={href(page + 1)} rel="next">
          Older →
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}

export function ArchivePage({ issues, page, pages }: { issues: ArchiveEntry[]; page: number; pages: number }) {
  return (
    <Page title="Archive" archive feeds={[SITE_FEED]} nav={[{ href: '/archive', label: 'Archive', current: true }, { href: '/subscribe', label: 'Subscribe' }]}>
      <h1>Archive</h1>
      <p className="lede">
        Every issue sent, newest first. <a href="/feed.xml">Atom feed</a>
      </p>
      {issues.length === 0 ? (
        <p className="muted">No issue has been sent yet.</p>
      ) : (
        <ul className="plain-list">
          {issues.map((i) => (
            <li key={i.id}>
              <h2 className="h3-size">
                <a href={`/archive/${i.id}`}>{i.issueName}</a>
              </h2>
              <CorrectionNote againOf={i.againOf} againReason={i.againReason} />
              <p className="muted small">
                {i.summaries === 1 ? '1 summary' : `${i.summaries} summaries`} in {i.tags.length === 1 ? '1 tag' : `${i.tags.length} tags`}
              </p>
              <p>
                {i.tags.map((t) => (
                  <a key={t.slug} className="tag" href={`/tags/${encodeURIComponent(t.slug)}`}>
                    {t.name}
                  </a>
                ))}
              </p>
            </li>
          ))}
        </ul>
      )}
      <Pager page={page} pages={pages} href={(n) => (n === 1 ? '/archive' : `/archive?page=${n}`)} />
    </Page>
  );
}

export function IssuePage({ id, issueName, sections, correction }: { id: number; issueName: string; sections: Section[]; correction: Correction }) {
  return (
    <Page title={issueName} archive feeds={[SITE_FEED]}>
      <p className="muted small">
        <a href="/archive">Archive</a> · issue {id}
      </p>
      <h1>{issueName}</h1>
      <CorrectionNote againOf={correction.againOf} againReason={correction.againReason} />
      <nav aria-label="Tags in this issue">
        <p>
          {sections.map((s) => (
            <a key={s.slug} className="tag" href={`#tag-${s.slug}`}>
              {s.tag}
            </a>
          ))}
        </p>
      </nav>
      {sections.map((s) => (
        <SectionBlock key={s.slug} section={s} tagHref={(slug) => `/tags/${encodeURIComponent(slug)}`} />
      ))}
      <p>
        <a className="button" href="/subscribe">
          Get the tags you follow every week
        </a>
      </p>
    </Page>
  );
}

export interface TagIssue extends Correction {
  issueId: number;
  issueName: string;
  items: SectionItem[];
}

export function TagPage({ name, slug, issues, page, pages }: { name: string; slug: string; issues: TagIssue[]; page: number; pages: number }) {
  const feed = { href: `/tags/${encodeURIComponent(slug)}/feed.xml`, title: `tagcast: ${name}` };
  return (
    <Page title={name} archive feeds={[feed, SITE_FEED]}>
      <p className="muted small">
        <a href="/archive">Archive</a> · tag
      </p>
      <h1>{name}</h1>
      <p className="lede">
        Every summary under {name} in a sent issue, newest first. <a href={feed.href}>Atom feed</a>
      </p>
      {issues.length === 0 ? <p className="muted">Nothing under this tag has been sent yet.</p> : null}
      {issues.map((i) => (
        <section key={i.issueId} aria-labelledby={`issue-${i.issueId}`}>
          <h2 id={`issue-${i.issueId}`}>
            <a href={`/archive/${i.issueId}`}>{i.issueName}</a>
          </h2>
          <CorrectionNote againOf={i.againOf} againReason={i.againReason} />
          {i.items.map((item) => (
            <SummaryArticle key={item.summary.id} item={item} />
          ))}
        </section>
      ))}
      <Pager page={page} pages={pages} href={(n) => (n === 1 ? `/tags/${encodeURIComponent(slug)}` : `/tags/${encodeURIComponent(slug)}?page=${n}`)} />
    </Page>
  );
}
