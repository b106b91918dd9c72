import type { ReactNode } from 'react';
import { Heading, Hr, Link, Section, Text } from 'react-email';
import type { Density, Section as DigestSection, SectionItem } from '../../src/digest/assemble.ts';
import { briefSentence, cardMeta, contentsLine, moreLine, summaryAnchor } from '../../src/digest/assemble.ts';
import { theme } from './theme.ts';

const label = { margin: '0 0 4px', fontSize: '12px', lineHeight: '16px', fontWeight: 700, letterSpacing: '0.04em', color: theme.muted } as const;
const body = { margin: '0 0 8px', fontSize: '15px', lineHeight: '22px', color: theme.text } as const;

/**
 * One summary. Full: title, The Signal, The Case, The 1 Minute Signal Take, time saved and "also in".
 * Brief: title, the Signal's first sentence and "Read on the web". `webAnchor`: this summary on the
 * reader's web version (where a title without a source links, and "Read on the web").
 */
export function SummaryCard({ item, density = 'full', webAnchor }: { item: SectionItem; density?: Density; webAnchor: string }) {
  const { summary } = item;
  const meta = cardMeta(item);
  const title = (
    <Heading as="h3" id={summaryAnchor(summary.id)} style={{ margin: '0 0 6px', fontSize: '17px', lineHeight: '23px', color: theme.text }}>
      <Link href={summary.sourceUrl ?? webAnchor} style={{ color: theme.text, textDecoration: 'underline' }}>
        {summary.title}
      </Link>
    </Heading>
  );
  if (density === 'brief') {
    return (
      <Section style={{ margin: '0 0 12px' }}>
        {title}
        <Text style={{ ...body, margin: '0 0 4px' }}>{briefSentence(summary)}</Text>
        <Text style={{ margin: '0 0 12px', fontSize: '14px', lineHeight: '20px' }}>
          <Link href={webAnchor} style={{ color: theme.accent, textDecoration: 'underline' }}>
            Read on the web →
          </Link>
        </Text>
      </Section>
    );
  }
  return (
    <Section style={{ margin: '0 0 16px' }}>
      {title}
      <Text style={label}>THE SIGNAL</Text>
      <Text style={body}>{summary.signal}</Text>
      <Text style={label}>THE CASE</Text>
      <ul style={{ margin: '0 0 8px', paddingLeft: '20px', color: theme.text }}>
        {summary.casePoints.map((p, n) => (
          <li key={n} style={{ fontSize: '15px', lineHeight: '22px', marginBottom: '4px' }}>
            {p}
          </li>
        ))}
      </ul>
      <Text style={label}>THE 1 MINUTE SIGNAL TAKE</Text>
      <Text style={body}>{summary.take}</Text>
      {meta ? <Text style={{ margin: 0, fontSize: '13px', lineHeight: '18px', color: theme.muted }}>{meta}</Text> : null}
      <Hr style={{ borderColor: theme.rule, margin: '16px 0 0' }} />
    </Section>
  );
}

/** "N more on the web" under a section cut to fit the size budget. */
export function MoreOnTheWeb({ count, href, accent = theme.accent }: { count: number | string; href: string; accent?: string }) {
  return (
    <Text style={{ margin: '0 0 16px', fontSize: '14px', lineHeight: '20px' }}>
      <Link href={href} style={{ color: accent, textDecoration: 'underline' }}>
        {moreLine(count)}
      </Link>
    </Text>
  );
}

/** A tag's section: its heading, why the reader gets it with a way out, then its cards (children). */
export function TagSection({
  section,
  children,
  unfollowUrl,
  accent = theme.accent,
}: {
  section: Pick<DigestSection, 'tag' | 'slug'>;
  children: ReactNode;
  unfollowUrl: string;
  accent?: string;
}) {
  return (
    <Section style={{ padding: '8px 24px 0', backgroundColor: theme.card }}>
      <Heading as="h2" id={`tag-${section.slug}`} style={{ margin: '16px 0 4px', fontSize: '20px', lineHeight: '26px', color: accent }}>
        {section.tag}
      </Heading>
      <Text style={{ margin: '0 0 12px', fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
        {`You get this because you follow ${section.tag} · `}
        <Link href={unfollowUrl} style={{ color: accent, textDecoration: 'underline' }}>
          {`Stop ${section.tag}`}
        </Link>
      </Text>
      {children}
    </Section>
  );
}

/** The contents at the top: one entry per section (children), linked to the anchors below, and the time the issue saves. */
export function Contents({ children, total }: { children: ReactNode; total: string }) {
  return (
    <Section style={{ padding: '8px 24px 0', backgroundColor: theme.card }}>
      <Text style={{ ...label, margin: '8px 0 4px' }}>IN THIS ISSUE</Text>
      <ul style={{ margin: '0 0 8px', paddingLeft: '20px', color: theme.text }}>{children}</ul>
      <Text style={{ margin: '0 0 8px', fontSize: '14px', lineHeight: '20px', color: theme.muted }}>{total}</Text>
    </Section>
  );
}

/** One section in the contents: "Kubernetes (3)" and its titles, each an in-email link. */
export function ContentsEntry({ section, accent = theme.accent }: { section: Pick<DigestSection, 'tag' | 'slug' | 'items' | 'more'>; accent?: string }) {
  return (
    <li style={{ fontSize: '15px', lineHeight: '22px', margin: '0 0 6px' }}>
      <a href={`#tag-${section.slug}`} style={{ color: accent, fontWeight: 700, textDecoration: 'underline' }}>
        {contentsLine(section)}
      </a>
      <ul style={{ margin: '2px 0 0', paddingLeft: '18px' }}>
        {section.items.map((i) => (
          <li key={i.summary.id} style={{ fontSize: '14px', lineHeight: '20px', margin: '0 0 6px' }}>
            <a href={`#${summaryAnchor(i.summary.id)}`} style={{ color: theme.text, textDecoration: 'underline' }}>
              {i.summary.title}
            </a>
          </li>
        ))}
      </ul>
    </li>
  );
}
