import type { ReactNode } from 'react';
import { Body, Container, Head, Html } from 'react-email';
import { z } from 'zod';
import { assembleDigest, contentsTotal, densityOf, densitySwitch, indexIssue, moreHref, summaryLine, tagList, unfollowHref, webAnchorHref, type Density, type Digest } from '../src/digest/assemble.ts';
import type { ReaderLinks } from '../src/lib/reader-links.ts';
import { DEFAULT_PUBLICATION, type Publication } from '../src/render/publication.ts';
import { DigestFooter } from './_components/digest-footer.tsx';
import { DigestHeader, EditorNote } from './_components/digest-header.tsx';
import { Preheader } from './_components/preheader.tsx';
import { Contents, ContentsEntry, MoreOnTheWeb, SummaryCard, TagSection } from './_components/tag-section.tsx';
import { theme } from './_components/theme.ts';

const Links = z.object({ web: z.string(), preferences: z.string(), unsubscribe: z.string(), unsubscribeMailto: z.string(), density: z.string(), unfollow: z.record(z.string(), z.string()) });
const Item = z.object({
  summary: z.object({
    id: z.number(),
    title: z.string(),
    signal: z.string(),
    casePoints: z.array(z.string()),
    take: z.string(),
    timeSavedMinutes: z.number().nullable(),
    sourceUrl: z.string().nullable(),
    tags: z.array(z.string()),
  }),
  alsoIn: z.array(z.string()),
});
export const WeeklyDigestProps = z.object({
  digest: z.object({
    week: z.string(),
    issueName: z.string(),
    subject: z.string(),
    preheader: z.string(),
    summaryCount: z.number(),
    totalMinutes: z.number(),
    sections: z.array(z.object({ tag: z.string(), slug: z.string(), items: z.array(Item), more: z.number().optional() })),
    density: z.enum(['brief', 'full']).optional(),
  }),
  links: Links,
});
export type WeeklyDigestProps = { digest: Digest; links: ReaderLinks; publication?: Publication };

export interface DigestLayoutProps {
  subject: string;
  preheader: string;
  issueName: string;
  summaryLine: string;
  tagList: string;
  density: Density;
  links: Pick<ReaderLinks, 'web' | 'preferences' | 'unsubscribe' | 'density'>;
  /** The publication's identity and the issue's note: the same for every reader of an issue. */
  publication: Publication;
  children: ReactNode;
}

/** Everything around the sections. Rendered once per issue with placeholders for the reader's values. */
export function DigestLayout({ subject, preheader, issueName, summaryLine, tagList, density, links, publication, children }: DigestLayoutProps) {
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{subject}</title>
      </Head>
      <Body style={{ margin: 0, padding: '16px 0', backgroundColor: theme.page, fontFamily: theme.font }}>
        <Preheader text={preheader} />
        <Container style={{ maxWidth: `${theme.width}px`, width: '100%', backgroundColor: theme.card }}>
          <DigestHeader issueName={issueName} summaryLine={summaryLine} webUrl={links.web} publication={publication} />
          {publication.note ? <EditorNote html={publication.note.html} /> : null}
          {children}
          <DigestFooter
            preferencesUrl={links.preferences}
            unsubscribeUrl={links.unsubscribe}
            webUrl={links.web}
            densityUrl={links.density}
            densityLabel={densitySwitch(density)}
            tagList={tagList}
            publication={publication}
          />
        </Container>
      </Body>
    </Html>
  );
}

/** The weekly digest: one section per followed tag with content, each summary once. */
export default function WeeklyDigest({ digest, links, publication = DEFAULT_PUBLICATION }: WeeklyDigestProps) {
  return (
    <DigestLayout
      publication={publication}
      subject={digest.subject}
      preheader={digest.preheader}
      issueName={digest.issueName}
      summaryLine={summaryLine(digest)}
      tagList={tagList(digest.sections.map((s) => s.tag))}
      density={densityOf(digest)}
      links={links}
    >
      <Contents total={contentsTotal(digest)}>
        {digest.sections.map((s) => (
          <ContentsEntry key={s.slug} section={s} accent={publication.accent} />
        ))}
      </Contents>
      {digest.sections.map((s) => (
        <TagSection key={s.slug} section={s} accent={publication.accent} unfollowUrl={unfollowHref(links, s.slug)}>
          {s.items.map((item) => (
            <SummaryCard key={item.summary.id} item={item} density={densityOf(digest)} webAnchor={webAnchorHref(links.web, item.summary.id)} />
          ))}
          {s.more ? <MoreOnTheWeb count={s.more} href={moreHref(links.web, s.slug)} accent={publication.accent} /> : null}
        </TagSection>
      ))}
    </DigestLayout>
  );
}

const previewContent = indexIssue('2026-W48', [
  {
    id: 1,
    title: 'Kubernetes and retiring at the top',
    signal: 'A career built on public work and impact-focused engineering rather than hierarchy.',
    casePoints: ['Docker was the "number one success criteria" for Kubernetes.', 'Treat every public talk as an interview.'],
    take: 'A rare voice on the difference between busyness and impact.',
    timeSavedMinutes: 38,
    sourceUrl: null,
    tags: ['Kubernetes', 'Careers'],
  },
  {
    id: 2,
    title: 'Postgres as a queue, revisited',
    signal: 'SKIP LOCKED makes a table a fair work queue up to surprising rates.',
    casePoints: ['One index per hot predicate.', 'Vacuum pressure is the real limit.'],
    take: 'Use it until you measure a reason not to.',
    timeSavedMinutes: 22,
    sourceUrl: 'https://example.org/pg-queue',
    tags: ['Databases'],
  },
]);

WeeklyDigest.PreviewProps = {
  digest: assembleDigest(previewContent, ['Kubernetes', 'Careers', 'Databases'])!,
  links: {
    web: 'https://news.example.com/web/1?t=preview',
    preferences: 'https://news.example.com/preferences?t=preview',
    unsubscribe: 'https://news.example.com/unsubscribe?t=preview',
    unsubscribeMailto: 'mailto:unsubscribe@example.com',
    density: 'https://news.example.com/density?t=preview',
    unfollow: { kubernetes: 'https://news.example.com/unfollow?t=preview' },
  },
} satisfies WeeklyDigestProps;
