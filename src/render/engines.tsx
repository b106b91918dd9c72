// The two template engines behind one interface. Each can render a whole digest from scratch, and can
// render the pieces the assembler caches: the layout (with placeholders and a slot for the sections),
// one shell per tag section (with a slot for its cards), one fragment per summary card, and the
// "N more on the web" line. Every call into React or MJML is counted, so tests can see that the
// calls do not grow with readers. Each engine's library is imported on its first render: a worker
// sending a React issue never loads MJML, and an idle one loads neither.
import type { Engine } from '../config.ts';
import { moreHref, type Density, type Digest, type Section, type SectionItem } from '../digest/assemble.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import { referenceSymbols } from './references.ts';
import { canonical, cardMjml, compile, contentsEntryHtml, contentsMjml, digestMjml, escapeHtml as escapeMjml, layoutMjml, moreMjml, sectionMjml, type LayoutValues } from './mjml.ts';
import { DEFAULT_PUBLICATION, type Publication } from './publication.ts';

/**
 * Where a fragment starts or ends in the HTML; never part of an email. Each is markup the engine emits
 * (React: an element; MJML: a comment in <mj-raw>), so it starts with a raw `<`. Content reaches the HTML
 * only escaped, its every `<` written `&lt;`, so no title, tag, URL or subject can produce a mark.
 */
export const MARKS = { react: '<tc-mark></tc-mark>', mjml: '<!--tc-mark-->' } as const;
const MJ_MARK = `<mj-raw>${MARKS.mjml}</mj-raw>`;
const HTML_MARK = MARKS.mjml;

export interface EngineStats {
  /** Calls into the template engine (React renders, MJML compiles). */
  calls: number;
}

export interface TemplateEngine {
  readonly name: Engine;
  readonly stats: EngineStats;
  /** The identity (and issue note) every piece this engine renders shows: one per issue render, never per reader. */
  readonly publication: Publication;
  /** HTML-escapes a value the way this engine escapes text and attributes. */
  escape(s: string): string;
  /** A reader's layout values as this engine writes them into the layout: escaped, and as the template shows them. */
  layoutHtml(v: LayoutValues): LayoutValues;
  /** The whole digest, from scratch: the reference the assembled email must equal. */
  renderFull(digest: Digest, links: ReaderLinks): Promise<string>;
  /** The layout (of one density: its footer offers the other) around the contents and sections, split at their slot: [before, after]. */
  renderLayout(v: LayoutValues, density: Density): Promise<[string, string]>;
  /** Per tag: [open, close] around its cards; `unfollowUrl` (a placeholder) in its "Stop <tag>" link. */
  renderSectionShells(tags: { tag: string; slug: string }[], unfollowUrl: string): Promise<[string, string][]>;
  /** `webAnchor` (a placeholder) where a card links to the summary on the web version. */
  renderCards(items: SectionItem[], density: Density, webAnchor: string): Promise<string[]>;
  /** The contents at the top: [open, close] around its entries; `total` (a placeholder) the time the issue saves. */
  renderContents(total: string): Promise<[string, string]>;
  /** One contents entry per section: its line and its titles, linked to the anchors below. */
  renderContentsEntries(sections: Pick<Section, 'tag' | 'slug' | 'items' | 'more'>[]): Promise<string[]>;
  renderMore(count: string, href: string): Promise<string>;
  /** Final pass over an assembled email (MJML: merge Outlook conditionals, trim white space). */
  finish(html: string): string;
  /** finish() returns the assembled HTML unchanged (React): what is joined from the fragments is the email. */
  readonly joinedAsIs: boolean;
}

// Content cannot forge a mark (above), so a wrong count here means a template emits a mark itself.
function splitAt(html: string, mark: string, parts: number): string[] {
  const out = html.split(mark);
  if (out.length !== parts) throw new Error(`fragment extraction: expected ${parts - 1} marks, found ${out.length - 1}`);
  return out;
}

const mapValues = (v: LayoutValues, f: (s: string) => string): LayoutValues => ({
  subject: f(v.subject),
  preheader: f(v.preheader),
  issueName: f(v.issueName),
  summaryLine: f(v.summaryLine),
  webUrl: f(v.webUrl),
  preferencesUrl: f(v.preferencesUrl),
  unsubscribeUrl: f(v.unsubscribeUrl),
  densityUrl: f(v.densityUrl),
  tagList: f(v.tagList),
});

// React escapes text and attribute values alike with these five entities.
export function escapeReact(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!);
}

/** Loaded on the first render, so a process that never renders with React never loads React Email. */
let reactModule: Promise<typeof import('./react-engine.tsx')> | undefined;
const react = () => (reactModule ??= import('./react-engine.tsx'));

export function reactEngine(publication: Publication = DEFAULT_PUBLICATION): TemplateEngine {
  const stats = { calls: 0 };
  const counted = async <T,>(f: (m: Awaited<ReturnType<typeof react>>) => T | Promise<T>): Promise<T> => {
    const m = await react();
    stats.calls++;
    return f(m);
  };
  return {
    name: 'react',
    stats,
    publication,
    escape: escapeReact,
    layoutHtml: (v) => mapValues(v, escapeReact),
    renderFull: (digest, links) => counted((m) => m.renderFull(digest, links, publication)),
    renderLayout: async (v, density) => splitAt(await counted((m) => m.renderLayout(v, density, publication)), MARKS.react, 2) as [string, string],
    async renderSectionShells(tags, unfollowUrl) {
      const m = await react();
      return tags.map((t) => {
        stats.calls++;
        return splitAt(m.renderShell(t, publication.accent, unfollowUrl), MARKS.react, 2) as [string, string];
      });
    },
    async renderCards(items, density, webAnchor) {
      const m = await react();
      return items.map((item) => {
        stats.calls++;
        return m.renderCard(item, density, webAnchor);
      });
    },
    renderContents: async (total) => splitAt(await counted((m) => m.renderContents(total)), MARKS.react, 2) as [string, string],
    async renderContentsEntries(sections) {
      const m = await react();
      return sections.map((s) => {
        stats.calls++;
        return m.renderContentsEntry(s, publication.accent);
      });
    },
    renderMore: (count, href) => counted((m) => m.renderMore(count, href, publication.accent)),
    finish: (html) => html,
    joinedAsIs: true,
  };
}

export function mjmlEngine(pub: Publication = DEFAULT_PUBLICATION): TemplateEngine {
  const stats = { calls: 0 };
  const compileCounted = (mjml: string) => {
    stats.calls++;
    return compile(mjml);
  };
  const emptyLayout: LayoutValues = { subject: 'x', preheader: 'x', issueName: 'x', summaryLine: 'x', webUrl: 'x', preferencesUrl: 'x', unsubscribeUrl: 'x', densityUrl: 'x', tagList: 'x' };
  return {
    name: 'mjml',
    stats,
    publication: pub,
    escape: escapeMjml,
    // An <mj-text> or <mj-title> that holds only the value trims it (mjml-core's getContent), so the
    // subject and the count line are trimmed here too; the others sit beside template text.
    layoutHtml: (v) => mapValues({ ...v, subject: v.subject.trim(), summaryLine: v.summaryLine.trim() }, escapeMjml),
    async renderFull(digest, links) {
      return compileCounted(digestMjml(digest, links, (slug) => moreHref(links.web, slug), pub));
    },
    async renderLayout(v, density) {
      return splitAt(await compileCounted(layoutMjml(v, MJ_MARK, pub, density)), HTML_MARK, 2) as [string, string];
    },
    async renderSectionShells(tags, unfollowUrl) {
      // One compile for every shell: [mark] open [mark] close [mark] open [mark] close … [mark]
      const body = tags.map((t) => `${MJ_MARK}${sectionMjml(t.tag, t.slug, unfollowUrl, MJ_MARK, pub)}`).join('\n') + MJ_MARK;
      const parts = splitAt(await compileCounted(layoutMjml(emptyLayout, body, pub)), HTML_MARK, 2 * tags.length + 2);
      return tags.map((_, n) => [parts[1 + 2 * n]!, parts[2 + 2 * n]!]);
    },
    async renderCards(items, density, webAnchor) {
      if (items.length === 0) return [];
      // One compile for every card, each between marks inside one section.
      const cards = items.map((item) => `${MJ_MARK}${cardMjml(item, density, webAnchor)}`).join('\n') + MJ_MARK;
      const parts = splitAt(await compileCounted(layoutMjml(emptyLayout, sectionMjml('x', 'x', 'x', cards, pub), pub)), HTML_MARK, items.length + 2);
      return parts.slice(1, -1);
    },
    async renderContents(total) {
      // The entries sit inside the contents' <mj-text>, which MJML copies as it is: a comment marks their place.
      const parts = splitAt(await compileCounted(layoutMjml(emptyLayout, `${MJ_MARK}${contentsMjml(HTML_MARK, total)}${MJ_MARK}`, pub)), HTML_MARK, 4);
      return [parts[1]!, parts[2]!];
    },
    // Entries are HTML the contents' <mj-text> holds unchanged: no compile (and no engine call).
    renderContentsEntries: async (sections) => sections.map((s) => contentsEntryHtml(s, pub.accent)),
    async renderMore(count, href) {
      const parts = splitAt(
        await compileCounted(layoutMjml(emptyLayout, sectionMjml('x', 'x', 'x', `${MJ_MARK}${moreMjml(count, href, pub)}${MJ_MARK}`, pub), pub)),
        HTML_MARK,
        3,
      );
      return parts[1]!;
    },
    finish: canonical,
    joinedAsIs: false,
  };
}

/** An engine whose every piece of HTML spells typographic symbols as character references (references.ts). */
function withReferences(e: TemplateEngine): TemplateEngine {
  return {
    name: e.name,
    stats: e.stats,
    publication: e.publication,
    escape: (s) => referenceSymbols(e.escape(s)),
    layoutHtml: (v) => mapValues(e.layoutHtml(v), referenceSymbols),
    renderFull: async (digest, links) => referenceSymbols(await e.renderFull(digest, links)),
    renderLayout: async (v, density) => (await e.renderLayout(v, density)).map(referenceSymbols) as [string, string],
    renderSectionShells: async (tags, unfollowUrl) => (await e.renderSectionShells(tags, unfollowUrl)).map((pair) => pair.map(referenceSymbols) as [string, string]),
    renderCards: async (items, density, webAnchor) => (await e.renderCards(items, density, webAnchor)).map(referenceSymbols),
    renderContents: async (total) => (await e.renderContents(total)).map(referenceSymbols) as [string, string],
    renderContentsEntries: async (sections) => (await e.renderContentsEntries(sections)).map(referenceSymbols),
    renderMore: async (count, href) => referenceSymbols(await e.renderMore(count, href)),
    finish: e.finish,
    joinedAsIs: e.joinedAsIs,
  };
}

export function createEngine(name: Engine, publication: Publication = DEFAULT_PUBLICATION): TemplateEngine {
  return withReferences(name === 'mjml' ? mjmlEngine(publication) : reactEngine(publication));
}
