import { Body, Button, Container, Head, Heading, Html, Section, Text } from 'react-email';
import { z } from 'zod';
import { Preheader } from './_components/preheader.tsx';
import { theme } from './_components/theme.ts';

// No prop holds text a visitor typed on the subscribe form (a name would let anyone put a line of
// their own in an email from our sender to any address): tag names are the editor's, the site is ours.
export const SubscriptionConfirmationProps = z.object({
  tags: z.array(z.string()).min(1),
  confirmUrl: z.url(),
  /** The site whose subscribe page the address was entered on (PUBLIC_URL's host). */
  site: z.string(),
  /** The publication's name (its settings); "tagcast" until an editor names it. */
  name: z.string().optional(),
});
export type SubscriptionConfirmationProps = z.infer<typeof SubscriptionConfirmationProps>;

/** Why the reader got this email, in words that are true whoever typed the address (HTML and text parts). */
export function confirmationFootnote(site: string): string {
  return `Someone, possibly you, entered this address on the subscribe page of ${site}. If it was not you, ignore this email: without a click nothing is sent.`;
}

/** The words of the email, for its HTML here and its text part (src/subscriptions/notices.ts) alike. */
export function confirmationWords(tags: string[], name = 'tagcast') {
  return {
    title: 'Confirm your subscription',
    intro: `A weekly ${name} digest on ${tags.join(', ')} was asked for at this address. Confirm, and your first digest arrives with the next issue.`,
    button: 'Confirm my subscription',
    expiry: 'The link works for 3 days.',
  };
}

/** Double opt-in: the reader confirms before the first digest is sent. */
export default function SubscriptionConfirmation({ tags, confirmUrl, site, name = 'tagcast' }: SubscriptionConfirmationProps) {
  const tagList = tags.join(', ');
  const words = confirmationWords(tags, name);
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{`Confirm your ${name} subscription`}</title>
      </Head>
      <Body style={{ margin: 0, padding: '16px 0', backgroundColor: theme.page, fontFamily: theme.font }}>
        <Preheader text={`One click to start your weekly digest on ${tagList}`} />
        <Container style={{ maxWidth: `${theme.width}px`, width: '100%', backgroundColor: theme.card }}>
          <Section style={{ padding: '24px' }}>
            <Heading as="h1" style={{ margin: '0 0 12px', fontSize: '22px', lineHeight: '28px', color: theme.text }}>
              {words.title}
            </Heading>
            <Text style={{ margin: '0 0 16px', fontSize: '15px', lineHeight: '22px', color: theme.text }}>
              {words.intro}
            </Text>
            <Button
              href={confirmUrl}
              style={{ backgroundColor: theme.accent, color: '#ffffff', padding: '12px 20px', borderRadius: '6px', fontSize: '15px', fontWeight: 700 }}
            >
              {words.button}
            </Button>
            <Text style={{ margin: '16px 0 0', fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
              {`${words.expiry} ${confirmationFootnote(site)}`}
            </Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

SubscriptionConfirmation.PreviewProps = {
  tags: ['Rust', 'Databases'],
  confirmUrl: 'https://news.example.com/confirm?t=preview',
  site: 'news.example.com',
} satisfies SubscriptionConfirmationProps;
