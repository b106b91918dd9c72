// The React engine's renders: React Email and react-dom/server, loaded only when an issue on the React
// engine renders (src/render/engines.tsx loads this module on first use).
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { render } from 'react-email';
import type { Density, Digest, Section, SectionItem } from '../digest/assemble.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import WeeklyDigest, { DigestLayout } from '../../emails/weekly-digest.tsx';
import { Contents, ContentsEntry, MoreOnTheWeb, SummaryCard, TagSection } from '../../emails/_components/tag-section.tsx';
import type { LayoutValues } from './mjml.ts';
import type { Publication } from './publication.ts';

const mark = () => h('tc-mark');

export const renderFull = (digest: Digest, links: ReaderLinks, publication: Publication): Promise<string> => render(h(WeeklyDigest, { digest, links, publication }));

/** The layout with `<tc-mark>` where the sections go. */
export const renderLayout = (v: LayoutValues, density: Density, publication: Publication): Promise<string> =>
  render(
    h(DigestLayout, {
      publication,
      subject: v.subject,
      preheader: v.preheader,
      issueName: v.issueName,
      summaryLine: v.summaryLine,
      tagList: v.tagList,
      density,
      links: { web: v.webUrl, preferences: v.preferencesUrl, unsubscribe: v.unsubscribeUrl, density: v.densityUrl },
      children: mark(),
    }),
  );

/** A tag's section with `<tc-mark>` where its cards go. */
export const renderShell = (section: { tag: string; slug: string }, accent: string, unfollowUrl: string): string =>
  renderToStaticMarkup(h(TagSection, { section, accent, unfollowUrl, children: mark() }));
export const renderCard = (item: SectionItem, density: Density, webAnchor: string): string => renderToStaticMarkup(h(SummaryCard, { item, density, webAnchor }));
/** The contents with `<tc-mark>` where its entries go. */
export const renderContents = (total: string): string => renderToStaticMarkup(h(Contents, { total, children: mark() }));
export const renderContentsEntry = (section: Pick<Section, 'tag' | 'slug' | 'items' | 'more'>, accent: string): string => renderToStaticMarkup(h(ContentsEntry, { section, accent }));
export const renderMore = (count: string, href: string, accent: string): string => renderToStaticMarkup(h(MoreOnTheWeb, { count, href, accent }));
