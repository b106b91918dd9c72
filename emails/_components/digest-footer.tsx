import { Link, Section, Text } from 'react-email';
import type { Publication } from '../../src/render/publication.ts';
import { theme } from './theme.ts';

export interface DigestFooterProps {
  preferencesUrl: string;
  unsubscribeUrl: string;
  webUrl: string;
  densityUrl: string;
  /** "Send me the brief version" (or the full one): the layout is rendered once per density. */
  densityLabel: string;
  /** The reader's tags, "Kubernetes, AI and Rust". */
  tagList: string;
  publication: Publication;
}

export function DigestFooter({ preferencesUrl, unsubscribeUrl, webUrl, densityUrl, densityLabel, tagList, publication: p }: DigestFooterProps) {
  const link = { color: p.accent, textDecoration: 'underline' } as const;
  const small = { margin: '8px 0 0', fontSize: '12px', lineHeight: '18px', color: theme.muted } as const;
  const address = p.postalAddress.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return (
    <Section style={{ padding: '16px 24px 24px', backgroundColor: theme.card }}>
      <Text style={{ margin: 0, fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
        {`You get this digest because you follow ${tagList} on ${p.name}. `}
        <Link href={preferencesUrl} style={link}>
          Choose your tags
        </Link>
        {' · '}
        <Link href={webUrl} style={link}>
          Web version
        </Link>
        {' · '}
        <Link href={densityUrl} style={link}>
          {densityLabel}
        </Link>
        {' · '}
        <Link href={unsubscribeUrl} style={link}>
          Unsubscribe
        </Link>
      </Text>
      {p.footer ? <Text style={small}>{p.footer}</Text> : null}
      {address.length > 0 ? (
        <Text style={small}>
          {address.flatMap((l, n) => (n === 0 ? [l] : [<br key={n} />, l]))}
        </Text>
      ) : null}
    </Section>
  );
}
