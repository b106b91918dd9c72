// The web version rendered once per issue and assembled per reader, as the digest email is
// (src/render/index.ts): the page's frame, each section's shell, each card and each contents entry are
// React renders made once per issue and publication identity and kept; a reader's page is those
// pieces joined with the reader's own values, escaped once. Calls into React therefore grow with the
// issue's content, never with the readers who open it (tests/unit/web-page.test.ts counts them), and
// the joined page is byte-identical to rendering the whole page from scratch (`referencePage`). A
// joined page is kept too, by its digest, density and links: the web version's links are the same for
// every reader, so readers of the same tags are answered the same bytes without joining again.
//
// Slots: a reader's text goes where the frame has `<tc-slot>key</tc-slot>` and a reader's link where an
// attribute value is exactly `"tc0ph0key0x"`. Content reaches the HTML escaped by React (every `<` as
// `&lt;`, every `"` as `&quot;`), so no title, tag, note or name can spell a slot.
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { assembleDigest, contentsTotal, densitySwitch, summaryLine, tagList, unfollowHref, type Density, type Digest, type IssueContent, type Section, type SectionItem } from '../../digest/assemble.ts';
import type { ReaderLinks } from '../../lib/reader-links.ts';
import { escapeReact } from '../../render/engines.tsx';
import { cardKey } from '../../render/index.ts';
import { renderPage } from '../views/layout.tsx';
import { linkSlot, textSlot, WebVersionCard, WebVersionEntry, WebVersionFrame, WebVersionSection, type IssueParts, type ReaderParts } from '../views/web-version.tsx';

/** Calls into React (renderToStaticMarkup) made by web-version renders in this process. */
export const webPageStats = { calls: 0 };
const counted = (f: () => string): string => {
  webPageStats.calls++;
  return f();
};

/** Digests whose assembled pages are kept (a page is 15–30 KB), and variants (density, links) kept per digest. */
const ASSEMBLED_KEEP = 128;
const VARIANTS_KEEP = 4;

const SLOT = /<tc-slot>(\w+)<\/tc-slot>|"tc0ph0(\w+)0x"/g;

/** A render split at its slots once, so filling it is a join. */
class Slotted {
  private readonly parts: (string | { key: string })[] = [];
  constructor(html: string, expected: readonly string[]) {
    let last = 0;
    const found = new Set<string>();
    for (const m of html.matchAll(SLOT)) {
      const key = (m[1] ?? m[2])!;
      // A link slot keeps its quotes: only the value between them is the reader's.
      const q = m[2] === undefined ? 0 : 1;
      found.add(key);
      this.parts.push(html.slice(last, m.index + q), { key });
      last = m.index + m[0].length - q;
    }
    this.parts.push(html.slice(last));
    const missing = expected.filter((k) => !found.has(k));
    if (missing.length > 0) throw new Error(`web version: the render lost the slots ${missing.join(', ')}`);
  }
  fill(values: Record<string, string>): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : values[p.key]!)).join('');
  }
}

const FRAME_TEXT = ['summaryLine', 'contents', 'total', 'sections', 'tagList', 'densityLabel'] as const;
const FRAME_LINKS = ['preferences', 'density', 'unsubscribe'] as const;
const FRAME_SLOTS: ReaderParts = {
  ...(Object.fromEntries(FRAME_TEXT.map((k) => [k, textSlot(k)])) as Pick<ReaderParts, (typeof FRAME_TEXT)[number]>),
  ...(Object.fromEntries(FRAME_LINKS.map((k) => [k, linkSlot(k)])) as Pick<ReaderParts, (typeof FRAME_LINKS)[number]>),
};

/** A contents entry's identity: its section and the summaries it lists. */
const entryKey = (s: Pick<Section, 'slug' | 'items'>) => JSON.stringify([s.slug, s.items.map((i) => i.summary.id)]);

/** A reader's text and links as the page shows them, unescaped. */
function readerValues(digest: Digest, links: ReaderLinks, density: Density) {
  return {
    summaryLine: summaryLine(digest),
    total: contentsTotal(digest),
    tagList: tagList(digest.sections.map((s) => s.tag)),
    densityLabel: densitySwitch(density),
    preferences: links.preferences,
    density: links.density,
    unsubscribe: links.unsubscribe,
  };
}

/** One issue's web version for every reader: its content and the renders made so far. */
export interface IssueWebPage {
  readonly content: IssueContent;
  readonly issue: IssueParts;
  /** A reader's digest of the issue (uncut, full) from their delivery's sections; readers of the same tags share one. */
  digestOf(sections: readonly string[]): Digest | null;
  /**
   * A reader's page: their digest (uncut, full) with their links. `density`: the one their email had
   * (the footer offers the other, as the email's does).
   */
  assemble(digest: Digest, links: ReaderLinks, density: Density): string;
}

export function issueWebPage(content: IssueContent, issue: IssueParts): IssueWebPage {
  const frame = new Slotted(
    counted(() => renderPage(h(WebVersionFrame, { issue, r: FRAME_SLOTS }))),
    [...FRAME_TEXT, ...FRAME_LINKS],
  );
  const shells = new Map<string, [Slotted, Slotted]>();
  const cards = new Map<string, string>();
  const entries = new Map<string, string>();
  /** Digests by tag set: most readers share their set with others. Bounded: emptied when full. */
  const digests = new Map<string, Digest | null>();
  /**
   * Pages assembled, by digest and then by everything else they show (density, links). A web version's
   * links are the same for every reader (webVersionLinks), so readers of the same tags share one page.
   * The most recently used ASSEMBLED_KEEP digests are kept, each with a few variants.
   */
  const assembled = new Map<Digest, Map<string, string>>();
  const shell = (s: Section): [Slotted, Slotted] => {
    let found = shells.get(s.slug);
    if (!found) {
      const html = counted(() => renderToStaticMarkup(h(WebVersionSection, { section: s, unfollow: linkSlot('unfollow'), cards: textSlot('cards') })));
      const [open, close] = html.split('<tc-slot>cards</tc-slot>') as [string, string];
      found = [new Slotted(open, ['unfollow']), new Slotted(close, [])];
      shells.set(s.slug, found);
    }
    return found;
  };
  const card = (item: SectionItem): string => {
    const key = cardKey(item);
    let html = cards.get(key);
    if (html === undefined) cards.set(key, (html = counted(() => renderToStaticMarkup(h(WebVersionCard, { item })))));
    return html;
  };
  const entry = (s: Section): string => {
    const key = entryKey(s);
    let html = entries.get(key);
    if (html === undefined) entries.set(key, (html = counted(() => renderToStaticMarkup(h(WebVersionEntry, { section: s })))));
    return html;
  };
  return {
    content,
    issue,
    digestOf(sections) {
      const key = sections.join('\n');
      let d = digests.get(key);
      if (d === undefined) {
        if (digests.size >= 4096) digests.clear();
        digests.set(key, (d = assembleDigest(content, sections)));
      }
      return d;
    },
    assemble(digest, links, density) {
      const key = JSON.stringify([density, links.preferences, links.density, links.unsubscribe, digest.sections.map((s) => unfollowHref(links, s.slug))]);
      let variants = assembled.get(digest);
      if (variants) {
        assembled.delete(digest);
      } else {
        variants = new Map();
        if (assembled.size >= ASSEMBLED_KEEP) assembled.delete(assembled.keys().next().value!);
      }
      assembled.set(digest, variants);
      let html = variants.get(key);
      if (html === undefined) {
        if (variants.size >= VARIANTS_KEEP) variants.clear();
        variants.set(key, (html = assembleNow(digest, links, density)));
      }
      return html;
    },
  };

  function assembleNow(digest: Digest, links: ReaderLinks, density: Density): string {
    const v = readerValues(digest, links, density);
    const sections = digest.sections
      .map((s) => {
        const [open, close] = shell(s);
        return open.fill({ unfollow: escapeReact(unfollowHref(links, s.slug)) }) + s.items.map(card).join('') + close.fill({});
      })
      .join('');
    return frame.fill({
      summaryLine: escapeReact(v.summaryLine),
      contents: digest.sections.map(entry).join(''),
      total: escapeReact(v.total),
      sections,
      tagList: escapeReact(v.tagList),
      densityLabel: escapeReact(v.densityLabel),
      preferences: escapeReact(v.preferences),
      density: escapeReact(v.density),
      unsubscribe: escapeReact(v.unsubscribe),
    });
  }
}

/** The same page rendered whole, from scratch: what `assemble` must equal (tests only; one render per reader). */
export function referencePage(issue: IssueParts, digest: Digest, links: ReaderLinks, density: Density): string {
  const v = readerValues(digest, links, density);
  return renderPage(
    h(WebVersionFrame, {
      issue,
      r: {
        ...v,
        contents: digest.sections.map((s) => h(WebVersionEntry, { key: s.slug, section: s })),
        sections: digest.sections.map((s) =>
          h(WebVersionSection, { key: s.slug, section: s, unfollow: unfollowHref(links, s.slug), cards: s.items.map((i) => h(WebVersionCard, { key: i.summary.id, item: i })) }),
        ),
      },
    }),
  );
}
