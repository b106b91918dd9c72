// Email addresses as readers type them, validated and normalised once at the edge; mail domains. Pure.
import { domainToASCII } from 'node:url';

const LOCAL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Returns the normalised address (trimmed, lower-cased, IDN domain in ASCII) or an error message. */
export function normaliseEmail(input: string): { email: string } | { error: string } {
  const raw = input.trim().replace(/^mailto:/i, '');
  if (raw === '') return { error: 'address is empty' };
  if (raw.length > 254) return { error: 'address is longer than 254 characters' };
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return { error: `"${input.trim()}" is not an email address` };
  const local = raw.slice(0, at).toLowerCase();
  const domain = domainToASCII(raw.slice(at + 1).toLowerCase());
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..') || local.length > 64) {
    return { error: `"${input.trim()}" has an invalid part before the @` };
  }
  const labels = domain.split('.');
  if (!domain || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^[a-z]{2,63}$|^xn--/.test(labels.at(-1)!)) {
    return { error: `"${input.trim()}" has an invalid domain` };
  }
  return { email: `${local}@${domain}` };
}

/** Domains whose mailboxes ignore dots in the part before the @ (Gmail's, under both of its names). */
const DOTLESS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox a normalised address lands in, for counting emails per inbox rather than per spelling:
 * a `+tag` suffix is dropped for every domain (the common providers deliver it to the same inbox, and
 * elsewhere two addresses merely share a limit), dots are dropped only where the provider ignores
 * them, and googlemail.com is gmail.com.
 */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at).replace(/\+.*$/, '');
  let domain = email.slice(at + 1);
  if (DOTLESS.has(domain)) {
    local = local.replace(/\./g, '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/** The domain of the sender address (`Name <a@example.com>` or `a@example.com`). */
export function mailDomain(mailFrom: string): string {
  const addr = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom;
  return addr.slice(addr.lastIndexOf('@') + 1).trim();
}
