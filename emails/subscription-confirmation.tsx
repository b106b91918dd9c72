import { Body, Button, Container, Head, Heading, Html, Section, Text } from 'react-email';
import { z } from 'zod';
import { Preheader } from './_components/preheader.tsx';
import { theme } from './_components/theme.ts';

export const SubscriptionConfirmationProps = z.object({
  name: z.string().nullable(),
  tags: z.array(z.string()).min(1),
  confirmUrl: z.url(),
  /** Shown so a reader who did not ask can simply ignore the email. */
  requestedFrom: z.string().nullable(),
});
export type SubscriptionConfirmationProps = z.infer<typeof SubscriptionConfirmationProps>;

/** Double opt-in: the reader confirms before the first digest is sent. */
export default function SubscriptionConfirmation({ name, tags, confirmUrl, requestedFrom }: SubscriptionConfirmationProps) {
  const tagList = tags.join(', ');
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>Confirm your tagcast subscription</title>
      </Head>
      <Body style={{ margin: 0, padding: '16px 0', backgroundColor: theme.page, fontFamily: theme.font }}>
        <Preheader text={`One click to start your weekly digest on ${tagList}`} />
        <Container style={{ maxWidth: `${theme.width}px`, width: '100%', backgroundColor: theme.card }}>
          <Section style={{ padding: '24px' }}>
            <Heading as="h1" style={{ margin: '0 0 12px', fontSize: '22px', lineHeight: '28px', color: theme.text }}>
              {name ? `${name}, confirm your subscription` : 'Confirm your subscription'}
            </Heading>
            <Text style={{ margin: '0 0 16px', fontSize: '15px', lineHeight: '22px', color: theme.text }}>
              {`You asked for a weekly tagcast digest on ${tagList}. Confirm, and your first digest arrives with next week's issue.`}
            </Text>
            <Button
              href={confirmUrl}
              style={{ backgroundColor: theme.accent, color: '#ffffff', padding: '12px 20px', borderRadius: '6px', fontSize: '15px', fontWeight: 700 }}
            >
              Confirm my subscription
            </Button>
            <Text style={{ margin: '16px 0 0', fontSize: '12px', lineHeight: '18px', color: theme.muted }}>
              {`If you did not ask for this${requestedFrom ? ` (the request came from ${requestedFrom})` : ''}, ignore this email: without a click nothing is sent.`}
            </Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

SubscriptionConfirmation.PreviewProps = {
  name: 'Ada',
  tags: ['Rust', 'Databases'],
  confirmUrl: 'https://news.example.com/confirm?t=preview',
  requestedFrom: 'news.example.com',
} satisfies SubscriptionConfirmationProps;
