// The publication's identity as a render sees it: fixed for one issue's render (never per reader), so
// it is part of the layout rendered once and of the fragment cache's key (src/render/cache.ts). The
// editor's settings (src/publication.ts) and the issue's note become this; defaults read well on a
// fresh install.
import { escapeHtml } from './mjml.ts';

export interface IssueNote {
  /** The note as escaped HTML (a small Markdown subset, src/render/note.ts). */
  html: string;
  /** The note as plain text for the text part. */
  text: string;
}

export interface Publication {
  name: string;
  tagline: string;
  /** https only (checked where it is set); null: the name is the header. */
  logoUrl: string | null;
  /** #rrggbb, contrast-checked against white and the dark-mode background where it is set. */
  accent: string;
  footer: string;
  postalAddress: string;
  /** The From header's display name (the address is MAIL_FROM's). */
  senderName: string;
  /** Reply-To; null: none (replies go to the From address). */
  replyTo: string | null;
  /** The issue's editor's note; null when it has none. */
  note: IssueNote | null;
}

export const DEFAULT_NAME = 'tagcast weekly';
export const DEFAULT_ACCENT = '#0b6bcb';

export const DEFAULT_PUBLICATION: Publication = {
  name: DEFAULT_NAME,
  tagline: '',
  logoUrl: null,
  accent: DEFAULT_ACCENT,
  footer: '',
  postalAddress: '',
  senderName: DEFAULT_NAME,
  replyTo: null,
  note: null,
};

/** What distinguishes one identity's renders from another's: the fragment cache's key part. */
export function publicationKey(p: Publication): string {
  return JSON.stringify([p.name, p.tagline, p.logoUrl, p.accent, p.footer, p.postalAddress, p.senderName, p.replyTo, p.note?.html ?? null]);
}

/** The postal address's lines joined for one line of HTML (escaped). */
export function addressHtml(address: string): string {
  return address
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map(escapeHtml)
    .join('<br/>');
}
