import type { ReactNode } from 'react';
import { Heading, Hr, Link, Section, Text } from 'react-email';
import type { Section as DigestSection, SectionItem } from '../../src/digest/assemble.ts';
import { cardMeta, moreLine } from '../../src/digest/assemble.ts';
import { theme } from './theme.ts';

const label = { margin: '0 0 4px', fontSize: '12px', lineHeight: '16px', fontWeight: 700, letterSpacing: '0.04em', color: theme.muted } as const;
const body = { margin: '0 0 8px', fontSize: '15px', lineHeight: '22px', color: theme.text } as const;

/** One summary: title, The Signal, The Case, The 1 Minute Signal Take, time saved and "also in". */
export function SummaryCard({ item }: { item: SectionItem }) {
  const { summary } = item;
  const meta = cardMeta(item);
  return (
    <Section style={{ margin: '0 0 16px' }}>
      <Heading as="h3" style={{ margin: '0 0 6px', fontSize: '17px', lineHeight: '23px', color: theme.text }}>
        {summary.sourceUrl ? (
          <Link href={summary.sourceUrl} style={{ color: theme.text, textDecoration: 'underline' }}>
            {summary.title}
          </Link>
        ) : (
          summary.title
        )}
      </Heading>
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

/** A tag's section: its heading, then its cards (children). */
export function TagSection({ section, children, accent = theme.accent }: { section: Pick<DigestSection, 'tag' | 'slug'>; children: ReactNode; accent?: string }) {
  return (
    <Section style={{ padding: '8px 24px 0', backgroundColor: theme.card }}>
      <Heading as="h2" id={`tag-${section.slug}`} style={{ margin: '16px 0 12px', fontSize: '20px', lineHeight: '26px', color: accent }}>
        {section.tag}
      </Heading>
      {children}
    </Section>
  );
}
