// The React engine's renders: React Email and react-dom/server, loaded only when an issue on the React
// engine renders (src/render/engines.tsx loads this module on first use).
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { render } from 'react-email';
import type { Digest, SectionItem } from '../digest/assemble.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import WeeklyDigest, { DigestLayout } from '../../emails/weekly-digest.tsx';
import { MoreOnTheWeb, SummaryCard, TagSection } from '../../emails/_components/tag-section.tsx';
import type { LayoutValues } from './mjml.ts';
import type { Publication } from './publication.ts';

const mark = () => h('tc-mark');

export const renderFull = (digest: Digest, links: ReaderLinks, publication: Publication): Promise<string> => render(h(WeeklyDigest, { digest, links, publication }));

/** The layout with `<tc-mark>` where the sections go. */
export const renderLayout = (v: LayoutValues, publication: Publication): Promise<string> =>
  render(
    h(DigestLayout, {
      publication,
      subject: v.subject,
      preheader: v.preheader,
      weekLabel: v.weekLabel,
      summaryLine: v.summaryLine,
      links: { web: v.webUrl, preferences: v.preferencesUrl, unsubscribe: v.unsubscribeUrl },
      children: mark(),
    }),
  );

/** A tag's section with `<tc-mark>` where its cards go. */
export const renderShell = (section: { tag: string; slug: string }, accent: string): string => renderToStaticMarkup(h(TagSection, { section, accent, children: mark() }));
export const renderCard = (item: SectionItem): string => renderToStaticMarkup(h(SummaryCard, { item }));
export const renderMore = (count: string, href: string, accent: string): string => renderToStaticMarkup(h(MoreOnTheWeb, { count, href, accent }));
