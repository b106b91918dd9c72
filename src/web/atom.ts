// Atom 1.0 (RFC 4287) documents. Pure: ids are tag URIs (RFC 4151) built from the public host and the
// installation's start date, so they stay the same across restarts and re-renders. Titles that name
// "tagcast" (the archive's feeds) name the publication instead (its settings, src/web/site.ts).
import { siteIdentity } from './site.ts';

export interface AtomEntry {
  id: string;
  title: string;
  updated: Date;
  published?: Date | undefined;
  /** The entry's page (rel="alternate"). */
  url: string;
  /** XHTML-safe HTML, carried as type="html" (escaped once more in the XML). */
  html: string;
  categories?: string[];
}

export interface AtomFeed {
  id: string;
  title: string;
  subtitle?: string;
  /** The feed's own URL (rel="self"). */
  self: string;
  /** The page the feed mirrors (rel="alternate"). */
  alternate: string;
  updated: Date;
  author: string;
  entries: AtomEntry[];
  /** An XSLT stylesheet's URL: a browser that opens the feed shows the page it makes; feed readers ignore it. */
  stylesheet?: string;
}

const xml = (s: string) =>
  s
    // XML 1.0 forbids most C0 controls even as references; content never has them, but be sure.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

const date = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A tag URI (RFC 4151): tag:news.example.com,2026-11-25:issue/7 */
export function tagUri(publicUrl: string, since: Date, specific: string): string {
  return `tag:${new URL(publicUrl).hostname},${since.toISOString().slice(0, 10)}:${specific}`;
}

/** "tagcast: every issue" → "<publication name>: every issue". */
const named = (s: string) => s.replace(/^tagcast(?=$|[:· ])/, siteIdentity().name);

export function renderAtom(f: AtomFeed): string {
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    ...(f.stylesheet ? [`<?xml-stylesheet type="text/xsl" href="${xml(f.stylesheet)}"?>`] : []),
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(f.id)}</id>`,
    `  <title>${xml(named(f.title))}</title>`,
    ...(f.subtitle ? [`  <subtitle>${xml(f.subtitle)}</subtitle>`] : []),
    `  <updated>${date(f.updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(f.self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(f.alternate)}"/>`,
    `  <author><name>${xml(named(f.author))}</name></author>`,
    '  <generator>tagcast</generator>',
  ];
  for (const e of f.entries) {
    out.push(
      '  <entry>',
      `    <id>${xml(e.id)}</id>`,
      `    <title>${xml(named(e.title))}</title>`,
      `    <updated>${date(e.updated)}</updated>`,
      ...(e.published ? [`    <published>${date(e.published)}</published>`] : []),
      `    <link rel="alternate" type="text/html" href="${xml(e.url)}"/>`,
      ...(e.categories ?? []).map((c) => `    <category term="${xml(c)}"/>`),
      `    <content type="html">${xml(e.html)}</content>`,
      '  </entry>',
    );
  }
  out.push('</feed>', '');
  return out.join('\n');
}
