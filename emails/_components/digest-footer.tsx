import { Link, Section, Text } from 'react-email';
import { theme } from './theme.ts';

export interface DigestFooterProps {
  preferencesUrl: string;
  unsubscribeUrl: string;
  webUrl: string;
}

export function DigestFooter({ preferencesUrl, unsubscribeUrl, webUrl }: DigestFooterProps) {
  const link = { color: theme.accent, textDecoration: 'underline' } as const;
  return (
    <Section style={{ padding: '16px 24px 24px', backgroundColor: theme.card }}>
      <Text style={{ margin: 0, fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
        You get this digest because you follow these tags on tagcast.{' '}
        <Link href={preferencesUrl} style={link}>
          Choose your tags
        </Link>
        {' · '}
        <Link href={webUrl} style={link}>
          Web version
        </Link>
        {' · '}
        <Link href={unsubscribeUrl} style={link}>
          Unsubscribe
        </Link>
      </Text>
    </Section>
  );
}
