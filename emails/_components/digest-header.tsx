import { Heading, Img, Link, Section, Text } from 'react-email';
import type { Publication } from '../../src/render/publication.ts';
import { theme } from './theme.ts';

export interface DigestHeaderProps {
  issueName: string;
  /** "5 summaries · saves you 2h 31m of watching and reading": one string, one text node. */
  summaryLine: string;
  webUrl: string;
  /** The publication's name, logo, tagline and accent (the same for every reader of an issue). */
  publication: Publication;
}

export function DigestHeader({ issueName, summaryLine, webUrl, publication: p }: DigestHeaderProps) {
  return (
    <Section style={{ padding: '24px 24px 8px', backgroundColor: theme.card, borderTop: `4px solid ${p.accent}` }}>
      {p.logoUrl ? <Img src={p.logoUrl} alt={p.name} height="40" style={{ display: 'block', height: '40px', width: 'auto', margin: '0 0 8px' }} /> : null}
      <Text style={{ margin: 0, fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
        {`${p.name} · ${issueName} · `}
        <Link href={webUrl} style={{ color: p.accent, textDecoration: 'underline' }}>
          view in your browser
        </Link>
      </Text>
      {p.tagline ? <Text style={{ margin: '4px 0 0', fontSize: '13px', lineHeight: '18px', color: theme.muted }}>{p.tagline}</Text> : null}
      <Heading as="h1" style={{ margin: '8px 0 4px', fontSize: '24px', lineHeight: '30px', color: theme.text }}>
        Your tags this week
      </Heading>
      <Text style={{ margin: 0, fontSize: '14px', lineHeight: '20px', color: theme.muted }}>{summaryLine}</Text>
    </Section>
  );
}

/** The editor's note for this issue (escaped Markdown, src/render/note.ts), above the sections. */
export function EditorNote({ html }: { html: string }) {
  return (
    <Section style={{ padding: '8px 24px 0', backgroundColor: theme.card }}>
      <div className="editor-note" style={{ margin: '8px 0 0', padding: '12px 16px 0', backgroundColor: theme.page, color: theme.text, fontSize: '15px', lineHeight: '22px' }} dangerouslySetInnerHTML={{ __html: html }} />
    </Section>
  );
}
