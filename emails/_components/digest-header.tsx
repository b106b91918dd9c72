import { Heading, Section, Text } from 'react-email';
import { theme } from './theme.ts';

export interface DigestHeaderProps {
  weekLabel: string;
  summaryCount: number;
  timeSaved: string | null;
  webUrl: string;
}

export function DigestHeader({ weekLabel, summaryCount, timeSaved, webUrl }: DigestHeaderProps) {
  return (
    <Section style={{ padding: '24px 24px 8px', backgroundColor: theme.card }}>
      <Text style={{ margin: 0, fontSize: '12px', color: theme.muted }}>
        tagcast weekly · {weekLabel} ·{' '}
        <a href={webUrl} style={{ color: theme.accent }}>
          view in browser
        </a>
      </Text>
      <Heading as="h1" style={{ margin: '8px 0 4px', fontSize: '24px', lineHeight: '30px', color: theme.text }}>
        Your tags this week
      </Heading>
      <Text style={{ margin: 0, fontSize: '14px', color: theme.muted }}>
        {summaryCount} {summaryCount === 1 ? 'summary' : 'summaries'}
        {timeSaved ? ` · saves you ${timeSaved} of watching and reading` : ''}
      </Text>
    </Section>
  );
}
