// Builds one reader's email from the issue's content: digest, links, headers. Deterministic.
import { densityOf, type Digest } from '../digest/assemble.ts';
import type { DigestRenderer } from '../render/index.ts';
import { mailDomain } from '../lib/mail.ts';
import { readerLinks, type ReaderLinks } from '../lib/reader-links.ts';
import type { OutgoingEmail } from './provider.ts';

export interface ComposeContext {
  secret: string;
  publicUrl: string;
  mailFrom: string;
  issueId: number;
  /** The issue's renderer: fragments cached for the issue and engine. */
  renderer: DigestRenderer;
  /** The issue's planned time: the Date header, the same on every retry. */
  date: Date;
  /** The issue's tags' ids by slug, for each section's unfollow link; without it the digest has none. */
  tagIds?: ReadonlyMap<string, number> | undefined;
  /** Also the HTML and text as JSON pieces (htmlJson, textJson): for a provider that joins its requests from them. */
  json?: boolean | undefined;
}

/** RFC 2919 List-Id: a stable identifier under a domain the sender controls. */
export function listId(publicUrl: string, name = 'tagcast weekly'): string {
  // A phrase of printable characters without the brackets that would end it.
  const phrase = name.replace(/[\p{Cc}<>"\\]+/gu, ' ').trim() || 'tagcast weekly';
  return `${phrase} digest <weekly.${new URL(publicUrl).hostname}>`;
}

/** The From header: the publication's sender name with MAIL_FROM's address (a verified domain is configuration, not a setting). */
export function fromHeader(mailFrom: string, senderName: string): string {
  const address = /<([^<>]*)>$/.exec(mailFrom)?.[1] ?? mailFrom;
  const name = oneLine(senderName).trim();
  if (!name) return address;
  return /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ \u0080-\uffff-]+$/.test(name) ? `${name} <${address}>` : `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/**
 * Defence in depth: whatever got into the database (a subject or name from before validation, a row
 * edited by hand), the reader's values leave here with no line break or other control character, so
 * none can end its header and start another. Editors' input is refused at the edge; this only makes
 * old or hand-edited data safe. (The other headers come from configuration; toMime refuses a line
 * break in any header.)
 */
const oneLine = (value: string) => value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');

// Derived once per context (a batch), not once per reader.
const derived = new WeakMap<ComposeContext, { domain: string; listId: string; from: string }>();

/** `links`: other than the reader's own (a test email's, which open test pages). */
export async function composeEmail(ctx: ComposeContext, reader: { subscriberId: number; email: string; name: string | null }, digest: Digest, links?: ReaderLinks): Promise<OutgoingEmail> {
  let d = derived.get(ctx);
  const pub = ctx.renderer.publication;
  if (!d) derived.set(ctx, (d = { domain: mailDomain(ctx.mailFrom), listId: listId(ctx.publicUrl, pub.name), from: fromHeader(ctx.mailFrom, pub.senderName) }));
  const domain = d.domain;
  const sections = ctx.tagIds && digest.sections.flatMap((s) => (ctx.tagIds!.has(s.slug) ? [{ slug: s.slug, tagId: ctx.tagIds!.get(s.slug)! }] : []));
  if (!links) {
    const own = readerLinks({ secret: ctx.secret, publicUrl: ctx.publicUrl, mailDomain: domain, subscriberId: reader.subscriberId, issueId: ctx.issueId, sections });
    // The footer's "send me the brief (or full) version" opens the density page with the other one chosen.
    links = { ...own, density: `${own.density}&to=${densityOf(digest) === 'brief' ? 'full' : 'brief'}` };
  }
  const rendered = await ctx.renderer.render(digest, links, { json: ctx.json === true });
  const name = reader.name && oneLine(reader.name).replace(/[<>"]/g, '').trim();
  const email = oneLine(reader.email);
  return {
    from: d.from,
    to: name ? `${name} <${email}>` : email,
    subject: oneLine(rendered.subject),
    html: rendered.html,
    htmlJson: rendered.htmlJson,
    text: rendered.text,
    textJson: rendered.textJson,
    date: ctx.date,
    headers: {
      'Message-ID': `<issue-${ctx.issueId}.reader-${reader.subscriberId}@${domain}>`,
      'List-Id': d.listId,
      'List-Unsubscribe': `<${links.unsubscribe}>, <${links.unsubscribeMailto}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      ...(pub.replyTo ? { 'Reply-To': oneLine(pub.replyTo) } : {}),
    },
  };
}
