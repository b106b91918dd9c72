// The MJML engine: emails/weekly-digest.mjml and its partials in emails/_components/, filled with
// escaped values ({{x}} escaped, {{{x}}} raw, {{> partial}} a data partial; <mj-include> for static
// ones), compiled with strict validation. Same digest model, same visible content as React.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  briefSentence,
  cardMeta,
  contentsLine,
  contentsTotal,
  densityOf,
  densitySwitch,
  moreLine,
  summaryAnchor,
  summaryLine,
  tagList,
  unfollowHref,
  webAnchorHref,
  type Density,
  type Digest,
  type Section,
  type SectionItem,
} from '../digest/assemble.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import { addressHtml, type Publication } from './publication.ts';

const EMAILS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'emails');
const MAIN = path.join(EMAILS, 'weekly-digest.mjml');

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const templates = new Map<string, string>();
function template(name: string): string {
  let t = templates.get(name);
  if (t === undefined) {
    t = readFileSync(name === 'weekly-digest' ? MAIN : path.join(EMAILS, '_components', `${name}.mjml`), 'utf8');
    templates.set(name, t);
  }
  return t;
}

export type Vars = Record<string, string>;

/**
 * Fills a template: {{x}} escaped, {{{x}}} raw, {{> name}} the partial emails/_components/name.mjml.
 * One pass over the template's own text: what a value or a filled partial inserts is never read again,
 * so content that spells `{{x}}` stays text.
 */
export function fill(name: string, vars: Vars): string {
  return template(name).replace(
    /\{\{>\s*([\w-]+)\s*\}\}|\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}/g,
    (_, partial: string | undefined, raw: string | undefined, esc: string | undefined) => {
      if (partial) return fill(partial, vars);
      const key = (raw ?? esc)!;
      const v = vars[key];
      if (v === undefined) throw new Error(`MJML template ${name}: no value for {{${key}}}`);
      return raw ? v : escapeHtml(v);
    },
  );
}

export const PREHEADER_PAD = '&nbsp;&zwnj;'.repeat(40);

/** `webAnchor`: the summary on the reader's web version (a title without a source links there, and "Read on the web"). */
export function cardMjml(item: SectionItem, density: Density, webAnchor: string): string {
  const s = item.summary;
  const titleHtml = `<a href="${escapeHtml(s.sourceUrl ?? webAnchor)}" style="color:#1f2328;text-decoration:underline">${escapeHtml(s.title)}</a>`;
  if (density === 'brief') return fill('summary-card-brief', { id: String(s.id), titleHtml, sentence: briefSentence(s), webAnchor });
  const meta = cardMeta(item);
  return fill('summary-card', {
    id: String(s.id),
    titleHtml,
    signal: s.signal,
    casePoints: s.casePoints.map((p) => `<li style="margin-bottom:4px">${escapeHtml(p)}</li>`).join(''),
    take: s.take,
    metaText: meta ? `<p style="margin:8px 0 0;font-size:13px;line-height:18px;color:#57606a">${escapeHtml(meta)}</p>` : '',
  });
}

export function moreMjml(count: string, href: string, pub: Publication): string {
  return fill('more-on-the-web', { moreLine: moreLine(count), href, accent: pub.accent });
}

export function sectionMjml(tag: string, slug: string, unfollowUrl: string, cards: string, pub: Publication): string {
  return fill('tag-section', { tag, slug, unfollowUrl, cards, accent: pub.accent });
}

/**
 * One section's contents entry: HTML inside the contents' <mj-text>, which MJML passes through as it
 * is, so this string is the fragment itself (no compile).
 */
export function contentsEntryHtml(s: Pick<Section, 'tag' | 'slug' | 'items' | 'more'>, accent: string): string {
  const titles = s.items
    .map((i) => `<li style="font-size:14px;line-height:20px;margin:0 0 6px"><a href="#${summaryAnchor(i.summary.id)}" style="color:#1f2328;text-decoration:underline">${escapeHtml(i.summary.title)}</a></li>`)
    .join('');
  return (
    `<li style="font-size:15px;line-height:22px;margin:0 0 6px"><a href="#tag-${escapeHtml(s.slug)}" style="color:${accent};font-weight:700;text-decoration:underline">${escapeHtml(contentsLine(s))}</a>` +
    `<ul style="margin:2px 0 0;padding-left:18px">${titles}</ul></li>`
  );
}

export const contentsMjml = (entries: string, total: string): string => fill('contents', { entries, total });

/** The identity's values for the layout: fixed per issue render, so written into the layout, not placeholders. */
function publicationVars(p: Publication): Vars {
  return {
    accent: p.accent,
    publicationName: p.name,
    logoHtml: p.logoUrl
      ? `<mj-image src="${escapeHtml(p.logoUrl)}" alt="${escapeHtml(p.name)}" height="40px" width="200px" align="left" padding="0 0 8px" />`
      : '',
    taglineHtml: p.tagline ? `<mj-text padding="4px 0 0" font-size="13px" line-height="18px" color="#57606a">${escapeHtml(p.tagline)}</mj-text>` : '',
    noteHtml: p.note
      ? `<mj-section padding="8px 24px 0"><mj-column background-color="#f4f4f5" padding="12px 16px 0"><mj-text css-class="editor-note">${p.note.html}</mj-text></mj-column></mj-section>`
      : '',
    footerHtml: p.footer ? `<mj-text padding="8px 0 0" font-size="12px" line-height="18px" color="#57606a">${escapeHtml(p.footer)}</mj-text>` : '',
    addressHtml: p.postalAddress.trim() ? `<mj-text padding="8px 0 0" font-size="12px" line-height="18px" color="#57606a">${addressHtml(p.postalAddress)}</mj-text>` : '',
  };
}

export interface LayoutValues {
  subject: string;
  preheader: string;
  issueName: string;
  summaryLine: string;
  webUrl: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
  densityUrl: string;
  /** The reader's tags, "Kubernetes, AI and Rust". */
  tagList: string;
}

/** A reader's values in the layout, unescaped. */
export function layoutValues(digest: Digest, links: ReaderLinks): LayoutValues {
  return {
    subject: digest.subject,
    preheader: digest.preheader,
    issueName: digest.issueName,
    summaryLine: summaryLine(digest),
    webUrl: links.web,
    preferencesUrl: links.preferences,
    unsubscribeUrl: links.unsubscribe,
    densityUrl: links.density,
    tagList: tagList(digest.sections.map((s) => s.tag)),
  };
}

/** The layout around `contents` and `sections` (the assembler renders it with both in one slot). */
export function layoutMjml(v: LayoutValues, sections: string, pub: Publication, density: Density = 'full', contents = ''): string {
  return fill('weekly-digest', { ...v, ...publicationVars(pub), densityLabel: densitySwitch(density), preheaderPad: PREHEADER_PAD, contents, sections });
}

export function digestMjml(digest: Digest, links: ReaderLinks, moreHref: (slug: string) => string, pub: Publication): string {
  const density = densityOf(digest);
  const contents = contentsMjml(digest.sections.map((s) => contentsEntryHtml(s, pub.accent)).join(''), contentsTotal(digest));
  const sections = digest.sections
    .map((s) =>
      sectionMjml(
        s.tag,
        s.slug,
        unfollowHref(links, s.slug),
        s.items.map((i) => cardMjml(i, density, webAnchorHref(links.web, i.summary.id))).join('\n') + (s.more ? moreMjml(String(s.more), moreHref(s.slug), pub) : ''),
        pub,
      ),
    )
    .join('\n');
  return layoutMjml(layoutValues(digest, links), sections, pub, density, contents);
}

/**
 * The canonical form of MJML output: adjacent Outlook conditionals merged (what mjml itself does) and
 * white space between tags that spans lines removed. Applied to whole renders and to assembled
 * fragments alike, it makes the two byte-identical and the email a third smaller.
 */
export function canonical(html: string): string {
  return html.replace(/(<!\[endif]-->\s*?<!--\[if mso \| IE]>)/g, '').replace(/>[ \t]*\n\s*</g, '><');
}

/** Strict validation; <mj-include> allowed, but only from emails/ (MJML 5 ignores includes by default). */
export const MJML_OPTIONS = { validationLevel: 'strict', filePath: MAIN, ignoreIncludes: false, includePath: EMAILS, minify: false } as const;

/** Compiles MJML with strict validation; any error is a bug in a template, so it throws. */
export async function compile(mjml: string): Promise<string> {
  // Loaded on the first compile: a process that never renders MJML never loads it (~20 MB).
  const { default: mjml2html } = await import('mjml');
  const out = await mjml2html(mjml, MJML_OPTIONS);
  if (out.errors.length > 0) throw new Error(`MJML: ${out.errors.map((x) => x.formattedMessage).join('; ')}`);
  return canonical(out.html);
}
