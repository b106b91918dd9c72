import { Heading, Hr, Link, Section, Text } from 'react-email';
import type { Section as DigestSection } from '../../src/digest/assemble.ts';
import { formatMinutes } from '../../src/digest/assemble.ts';
import { theme } from './theme.ts';

export function TagSection({ section }: { section: DigestSection }) {
  return (
    <Section style={{ padding: '8px 24px 0', backgroundColor: theme.card }}>
      <Heading as="h2" id={`tag-${section.slug}`} style={{ margin: '16px 0 8px', fontSize: '18px', lineHeight: '24px', color: theme.accent }}>
        {section.tag}
      </Heading>
      {section.items.map(({ summary, alsoIn }) => (
        <Section key={summary.id} style={{ margin: '0 0 16px' }}>
          <Heading as="h3" style={{ margin: '0 0 6px', fontSize: '16px', lineHeight: '22px', color: theme.text }}>
            {summary.sourceUrl ? (
              <Link href={summary.sourceUrl} style={{ color: theme.text, textDecoration: 'underline' }}>
                {summary.title}
              </Link>
            ) : (
              summary.title
            )}
          </Heading>
          <Text style={{ margin: '0 0 4px', fontSize: '12px', fontWeight: 700, textTransform: 'uppercase', color: theme.muted }}>The Signal</Text>
          <Text style={{ margin: '0 0 8px', fontSize: '15px', lineHeight: '22px', color: theme.text }}>{summary.signal}</Text>
          <Text style={{ margin: '0 0 4px', fontSize: '12px', fontWeight: 700, textTransform: 'uppercase', color: theme.muted }}>The Case</Text>
          <ul style={{ margin: '0 0 8px', paddingLeft: '20px', color: theme.text }}>
            {summary.casePoints.map((p, n) => (
              <li key={n} style={{ fontSize: '15px', lineHeight: '22px', marginBottom: '4px' }}>
                {p}
              </li>
            ))}
          </ul>
          <Text style={{ margin: '0 0 4px', fontSize: '12px', fontWeight: 700, textTransform: 'uppercase', color: theme.muted }}>
            The 1 Minute Signal Take
          </Text>
          <Text style={{ margin: '0 0 8px', fontSize: '15px', lineHeight: '22px', color: theme.text }}>{summary.take}</Text>
          {summary.timeSavedMinutes || alsoIn.length > 0 ? (
            <Text style={{ margin: 0, fontSize: '13px', color: theme.muted }}>
              {summary.timeSavedMinutes ? `Time saved: ${formatMinutes(summary.timeSavedMinutes)}` : ''}
              {summary.timeSavedMinutes && alsoIn.length > 0 ? ' · ' : ''}
              {alsoIn.length > 0 ? `also in: ${alsoIn.join(', ')}` : ''}
            </Text>
          ) : null}
          <Hr style={{ borderColor: theme.rule, margin: '16px 0 0' }} />
        </Section>
      ))}
    </Section>
  );
}
