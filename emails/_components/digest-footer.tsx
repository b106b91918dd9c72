import { Link, Section, Text } from 'react-email';
import { theme } from './theme.ts';

export interface DigestFooterProps {
  preferencesUrl: string;
  unsubscribeUrl: string;
  webUrl: string;
}

export function DigestFooter({ preferencesUrl, unsubscribeUrl, webUrl }: DigestFooterProps) {
  return (
    <Section style={{ padding: '16px 24px 24px', backgroundColor: theme.card }}>
      <Text style={{ margin: 0, fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
        You get this digest because you follow these tags on tagcast.{' '}
        <Link href={preferencesUrl} style={{ color: theme.accent }}>
          Choose your tags
        </Link>{' '}
        ·{' '}
        <Link href={webUrl} style={{ color: theme.accent }}>
          Web version
        </Link>{' '}
        ·{' '}
        <Link href={unsubscribeUrl} style={{ color: theme.accent }}>
          Unsubscribe
        </Link>
      </Text>
    </Section>
  );
}
