// The emails a reader asks for from the reader pages, built from their notice row alone: the same
// notice always gives the same bytes (links expire at a time derived from the notice's creation), so
// a retried send under the notice's idempotency key is byte-identical.
import type { ReaderLinkProps } from '../../emails/reader-link.tsx';
import type { Notice } from '../db/notices.ts';
import { mailDomain } from '../lib/mail.ts';
import { fromHeader } from '../send/compose.ts';
import type { OutgoingEmail } from '../send/provider.ts';
import { createToken } from '../lib/reader-links.ts';

/** How long an emailed link works. Confirmations wait for a reader to find them; data links are short. */
export const LINK_TTL_S = { confirm: 3 * 24 * 3600, export: 3600, delete: 3600 } as const;

export interface NoticeContext {
  secret: string;
  publicUrl: string;
  mailFrom: string;
  /** The publication's name and sender name (its settings); "tagcast" when not given. */
  publication?: { name: string; senderName: string } | undefined;
}

export function noticeToken(secret: string, n: Pick<Notice, 'id' | 'subscriberId' | 'kind' | 'createdAt'>): string {
  // The preferences link every digest carries, to the reader's own address.
  if (n.kind === 'subscribed' || n.kind === 'preferences' || n.kind === 'welcome') return createToken(secret, { purpose: 'preferences', subscriberId: n.subscriberId });
  const expires = Math.floor(n.createdAt.getTime() / 1000) + LINK_TTL_S[n.kind];
  return createToken(secret, { purpose: n.kind, subscriberId: n.subscriberId, ref: n.id, expires });
}

export function noticeUrl(ctx: NoticeContext, n: Pick<Notice, 'id' | 'subscriberId' | 'kind' | 'createdAt'>): string {
  const path = { confirm: '/confirm', subscribed: '/preferences', preferences: '/preferences', welcome: '/preferences', export: '/preferences/export', delete: '/preferences/delete' }[n.kind];
  return `${ctx.publicUrl}${path}?t=${noticeToken(ctx.secret, n)}`;
}

interface Content {
  subject: string;
  html: string;
  text: string;
}

const IGNORE = 'If you did not ask for this, ignore this email: without a click nothing happens.';

/** What a welcome says beyond its row: when the next digest goes out (src/subscriptions/welcome.ts). */
export interface WelcomeFacts {
  nextDigest: string;
}

/** The welcome after a first confirmation: the tags chosen, when the next digest comes, the preferences link. */
function welcomeProps(url: string, tagNames: string[], facts: WelcomeFacts, name: string): ReaderLinkProps {
  const tags = tagNames.length === 0 ? 'the tags you chose' : tagNames.length === 1 ? tagNames[0]! : `${tagNames.slice(0, -1).join(', ')} and ${tagNames.at(-1)}`;
  return {
    title: `Welcome to ${name}`,
    lines: [`Your subscription is confirmed. Each week you get one digest with the new summaries on ${tags}.`, facts.nextDigest, 'To change your tags or time zone, choose brief or full digests, or pause, open your preferences.'],
    button: 'Open my preferences',
    url,
    footnote: 'You get this once, because you confirmed your subscription. Every digest has a link to unsubscribe.',
  };
}

async function content(ctx: NoticeContext, n: Notice, tagNames: string[], welcome?: WelcomeFacts): Promise<Content> {
  // React Email and the templates load with the first notice, not at start.
  const { confirmationFootnote, confirmationHtml, confirmationWords, readerLinkHtml } = await import('./notice-html.tsx');
  const url = noticeUrl(ctx, n);
  const host = new URL(ctx.publicUrl).host;
  const name = ctx.publication?.name ?? 'tagcast';
  if (n.kind === 'confirm') {
    // Nothing the request's form held goes in: whoever typed this address may not be its owner.
    const props = { tags: tagNames.length > 0 ? tagNames : ['the tags you choose'], confirmUrl: url, site: host, name };
    const html = await confirmationHtml(props);
    // The same words as the HTML part, in the same order: a reader whose client shows the text sees the same email.
    const words = confirmationWords(props.tags, name);
    const text = [words.title, '', words.intro, '', `${words.button}: ${url}`, '', `${words.expiry} ${confirmationFootnote(host)}`].join('\n');
    return { subject: `Confirm your ${name} subscription`, html, text: `${text}\n` };
  }
  const props: ReaderLinkProps =
    n.kind === 'welcome'
      ? welcomeProps(url, tagNames, welcome ?? { nextDigest: 'Your first digest comes with the next issue.' }, name)
      : n.kind === 'subscribed'
      ? {
          title: 'You are already subscribed',
          lines: [`Someone, probably you, asked to subscribe this address to ${name}. It is subscribed already, so nothing changed.`, 'To change your tags or time zone, or to pause, open your preferences.'],
          button: 'Open my preferences',
          url,
          footnote: 'You get this because the address was entered on the subscribe page. Nothing else is sent until the next digest.',
        }
      : n.kind === 'preferences'
        ? {
            title: `Your ${name} preferences`,
            lines: ['You asked for a link to your preferences from an unsubscribe page.', 'Open them to change your tags or time zone, to pause, or to subscribe again.'],
            button: 'Open my preferences',
            url,
            footnote: IGNORE,
          }
        : n.kind === 'export'
        ? {
            title: `Download your ${name} data`,
            lines: [`You asked for a copy of everything ${name} holds on you. The link works for one hour.`],
            button: 'Download my data',
            url,
            footnote: IGNORE,
          }
        : {
            title: `Erase your ${name} data`,
            lines: [`You asked to erase everything ${name} holds on you. The link leads to one last confirmation; it works for one hour.`],
            button: 'Erase my data',
            url,
            footnote: IGNORE,
          };
  const subject = { welcome: `Welcome to ${name}`, subscribed: `You are already subscribed to ${name}`, preferences: `Your ${name} preferences`, export: `Your ${name} data`, delete: `Confirm erasing your ${name} data` }[n.kind];
  const html = await readerLinkHtml(props);
  const text = [props.title, '', ...props.lines.flatMap((l) => [l, '']), `${props.button}: ${url}`, '', props.footnote].join('\n');
  return { subject, html, text: `${text}\n` };
}

/** The notice as an email; `tagNames` names the tags a confirmation asks for or a welcome confirms. */
export async function composeNotice(ctx: NoticeContext, n: Notice, tagNames: string[] = [], welcome?: WelcomeFacts): Promise<OutgoingEmail> {
  const c = await content(ctx, n, tagNames, welcome);
  const domain = mailDomain(ctx.mailFrom);
  return {
    from: ctx.publication ? fromHeader(ctx.mailFrom, ctx.publication.senderName) : ctx.mailFrom,
    to: n.email,
    subject: c.subject,
    html: c.html,
    text: c.text,
    date: n.createdAt,
    headers: { 'Message-ID': `<notice-${n.id}@${domain}>` },
  };
}
