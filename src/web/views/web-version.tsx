// A reader's web version of a digest: a page of the site (its header and footer, site.css, the page
// CSP), with the publication's look, the reader's subscription (its links lead to /manage: the address
// gets shared) and the email's anchors (`tag-<slug>` per
// section, `s-<id>` per summary: docs/digest-links.md). Rendered in pieces (src/web/reader/web-page.ts):
// the frame, each section's shell, each card and each contents entry once per issue, with slots where a
// reader's values go; the same components with the reader's values make the reference page the
// assembled one must equal byte for byte (tests/unit/web-page.test.ts).
import { createElement, type ReactNode } from 'react';
import { contentsLine, summaryAnchor, type Section, type SectionItem } from '../../digest/assemble.ts';
import type { Publication } from '../../render/publication.ts';
import { Page } from './layout.tsx';
import { SummaryArticle } from './summary.tsx';

/** A reader's value in a cached render: an element no escaped content can spell (its `<` would be `&lt;`). */
export const textSlot = (key: string): ReactNode => createElement('tc-slot', null, key);
/** A reader's link in a cached render: a whole attribute value no escaped content can spell (its `"` would be `&quot;`). */
export const linkSlot = (key: string): string => `tc0ph0${key}0x`;

/** What differs from one reader to the next: text and HTML (slots) and links. */
export interface ReaderParts {
  summaryLine: ReactNode;
  contents: ReactNode;
  total: ReactNode;
  sections: ReactNode;
  tagList: ReactNode;
  densityLabel: ReactNode;
  preferences: string;
  density: string;
  unsubscribe: string;
}

export interface IssueParts {
  publication: Publication;
  issueName: string;
  /** The issue in the public archive, when the archive is on: the address to share instead of this one. */
  archiveHref: string | null;
  /** Show the header's archive link (ARCHIVE=on). */
  archive: boolean;
  /** The stylesheet with the publication's accent colour. */
  accentCss: string;
}

/** The note's HTML is made for email (inline styles); the page's CSP allows none and site.css styles it. */
const noteForPage = (html: string) => html.replace(/ style="[^"]*"/g, '');

export function WebVersionFrame({ issue, r }: { issue: IssueParts; r: ReaderParts }) {
  const p = issue.publication;
  return (
    <Page title={issue.issueName} noindex archive={issue.archive} identity={{ name: p.name, tagline: p.tagline }} styles={[issue.accentCss]}>
      <div className="digest">
        <div className="masthead">
          {p.logoUrl ? <img className="logo" src={p.logoUrl} alt={p.name} height={40} /> : null}
          <p className="muted small">{p.name} · your digest</p>
        </div>
        <h1>{issue.issueName}</h1>
        <p className="lede">{r.summaryLine}</p>
        {p.note ? <div className="card editor-note" dangerouslySetInnerHTML={{ __html: noteForPage(p.note.html) }} /> : null}
        <p className="small muted">
          Only the links in your email change your subscription: this page changes nothing, so it is safe to pass on.
          {issue.archiveHref ? (
            <>
              {' '}
              Anyone can also read the issue on <a href={issue.archiveHref}>its page in the archive</a>.
            </>
          ) : null}
        </p>
        <nav className="contents" aria-labelledby="contents">
          <h2 id="contents">In this issue</h2>
          <ul>{r.contents}</ul>
          <p className="small muted">{r.total}</p>
        </nav>
        {r.sections}
        <section className="card digest-footer" aria-labelledby="your-subscription">
          <h2 id="your-subscription">Your subscription</h2>
          <p>
            You get this digest because you follow {r.tagList} on {p.name}.
          </p>
          <ul className="reader-links">
            <li>
              <a href={r.preferences}>Choose your tags</a>
            </li>
            <li>
              <a href={r.density}>{r.densityLabel}</a>
            </li>
            <li>
              <a href={r.unsubscribe}>Unsubscribe</a>
            </li>
          </ul>
          {p.footer ? <p className="small muted">{p.footer}</p> : null}
          {p.postalAddress.trim() ? (
            <address className="small muted">
              {p.postalAddress
                .split(/\r?\n/)
                .map((l) => l.trim())
                .filter(Boolean)
                .map((l, n) => (
                  <span key={n} className="line">
                    {l}
                  </span>
                ))}
            </address>
          ) : null}
        </section>
      </div>
    </Page>
  );
}

/** A tag's section: its heading (the email's `tag-<slug>` anchor), why the reader gets it and the way out, then its cards. */
export function WebVersionSection({ section, unfollow, cards }: { section: Pick<Section, 'tag' | 'slug'>; unfollow: string; cards: ReactNode }) {
  const id = `tag-${section.slug}`;
  return (
    <section className="digest-section" aria-labelledby={id}>
      <h2 id={id}>{section.tag}</h2>
      <p className="small muted why">
        You get this because you follow {section.tag} · <a href={unfollow}>Stop {section.tag}</a>
      </p>
      {cards}
    </section>
  );
}

/** A summary as the site shows it, with the email's `s-<id>` anchor. */
export const WebVersionCard = ({ item }: { item: SectionItem }) => <SummaryArticle item={item} anchor={summaryAnchor(item.summary.id)} />;

/** A contents entry: the section with its count, and its titles, each linked to its anchor below. */
export function WebVersionEntry({ section }: { section: Pick<Section, 'tag' | 'slug' | 'items' | 'more'> }) {
  return (
    <li>
      <a href={`#tag-${section.slug}`}>{contentsLine(section)}</a>
      <ul>
        {section.items.map((i) => (
          <li key={i.summary.id}>
            <a href={`#${summaryAnchor(i.summary.id)}`}>{i.summary.title}</a>
          </li>
        ))}
      </ul>
    </li>
  );
}
