import { Body, Container, Head, Html, Preview } from 'react-email';
import { z } from 'zod';
import { indexIssue, assembleDigest, formatMinutes, type Digest } from '../src/digest/assemble.ts';
import type { ReaderLinks } from '../src/subscriptions/tokens.ts';
import { DigestFooter } from './_components/digest-footer.tsx';
import { DigestHeader } from './_components/digest-header.tsx';
import { TagSection } from './_components/tag-section.tsx';
import { theme } from './_components/theme.ts';

export const WeeklyDigestProps = z.object({
  digest: z.custom<Digest>((v) => typeof v === 'object' && v !== null && 'sections' in v),
  links: z.object({ web: z.string(), preferences: z.string(), unsubscribe: z.string(), unsubscribeMailto: z.string() }),
});
export type WeeklyDigestProps = { digest: Digest; links: ReaderLinks };

export default function WeeklyDigest({ digest, links }: WeeklyDigestProps) {
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{digest.subject}</title>
      </Head>
      <Preview>{digest.preheader}</Preview>
      <Body style={{ margin: 0, padding: '16px 0', backgroundColor: theme.page, fontFamily: theme.font }}>
        <Container style={{ maxWidth: `${theme.width}px`, width: '100%', backgroundColor: theme.card }}>
          <DigestHeader
            weekLabel={digest.weekLabel}
            summaryCount={digest.summaryCount}
            timeSaved={digest.totalMinutes > 0 ? formatMinutes(digest.totalMinutes) : null}
            webUrl={links.web}
          />
          {digest.sections.map((s) => (
            <TagSection key={s.slug} section={s} />
          ))}
          <DigestFooter preferencesUrl={links.preferences} unsubscribeUrl={links.unsubscribe} webUrl={links.web} />
        </Container>
      </Body>
    </Html>
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
  },
} satisfies WeeklyDigestProps;
