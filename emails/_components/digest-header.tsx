import { Heading, Link, Section, Text } from 'react-email';
import { theme } from './theme.ts';

export interface DigestHeaderProps {
  weekLabel: string;
  /** "5 summaries · saves you 2h 31m of watching and reading": one string, one text node. */
  summaryLine: string;
  webUrl: string;
}

export function DigestHeader({ weekLabel, summaryLine, webUrl }: DigestHeaderProps) {
  return (
    <Section style={{ padding: '24px 24px 8px', backgroundColor: theme.card }}>
      <Text style={{ margin: 0, fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
        {`tagcast weekly · ${weekLabel} · `}
        <Link href={webUrl} style={{ color: theme.accent, textDecoration: 'underline' }}>
          view in your browser
        </Link>
      </Text>
      <Heading as="h1" style={{ margin: '8px 0 4px', fontSize: '24px', lineHeight: '30px', color: theme.text }}>
        Your tags this week
      </Heading>
      <Text style={{ margin: 0, fontSize: '14px', lineHeight: '20px', color: theme.muted }}>{summaryLine}</Text>
    </Section>
  );
}
