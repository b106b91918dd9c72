import { Body, Button, Container, Head, Heading, Html, Section, Text } from 'react-email';
import { z } from 'zod';
import { Preheader } from './_components/preheader.tsx';
import { theme } from './_components/theme.ts';

export const ReaderLinkProps = z.object({
  title: z.string(),
  /** One or two short paragraphs: what the link does. */
  lines: z.array(z.string()).min(1),
  button: z.string(),
  url: z.url(),
  /** Why the reader got this, and what to do if they did not ask. */
  footnote: z.string(),
});
export type ReaderLinkProps = z.infer<typeof ReaderLinkProps>;

/**
 * The emails a reader asks for from the reader pages, besides the confirmation: "you are already
 * subscribed" (with a link to their preferences), and the short-lived links to export or erase their
 * data, which go to the reader's own inbox so a forwarded digest cannot do either.
 */
export default function ReaderLink({ title, lines, button, url, footnote }: ReaderLinkProps) {
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{title}</title>
      </Head>
      <Body style={{ margin: 0, padding: '16px 0', backgroundColor: theme.page, fontFamily: theme.font }}>
        <Preheader text={lines[0]!} />
        <Container style={{ maxWidth: `${theme.width}px`, width: '100%', backgroundColor: theme.card }}>
          <Section style={{ padding: '24px' }}>
            <Heading as="h1" style={{ margin: '0 0 12px', fontSize: '22px', lineHeight: '28px', color: theme.text }}>
              {title}
            </Heading>
            {lines.map((l, n) => (
              <Text key={n} style={{ margin: '0 0 16px', fontSize: '15px', lineHeight: '22px', color: theme.text }}>
                {l}
              </Text>
            ))}
            <Button
              href={url}
              style={{ backgroundColor: theme.accent, color: '#ffffff', padding: '12px 20px', borderRadius: '6px', fontSize: '15px', fontWeight: 700 }}
            >
              {button}
            </Button>
            <Text style={{ margin: '16px 0 0', fontSize: '12px', lineHeight: '18px', color: theme.muted }}>{footnote}</Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

ReaderLink.PreviewProps = {
  title: 'Download your tagcast data',
  lines: ['You asked for a copy of everything tagcast holds on you. The link works for one hour.'],
  button: 'Download my data',
  url: 'https://news.example.com/preferences/export?t=preview',
  footnote: 'If you did not ask for this, ignore this email: without a click nothing happens.',
} satisfies ReaderLinkProps;
