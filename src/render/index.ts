// Render once, assemble per reader. For an issue and engine, the layout (with placeholders for the
// reader's values), each tag section's shell and each summary card are rendered once and cached; a
// reader's email is those fragments joined with their own links and counts. Engine calls therefore
// grow with the content, not with its readers, and the assembled HTML is byte-identical to a
// from-scratch render of the same digest (tests/unit/render.test.ts holds us to that).
//
// Placeholders are found only in the layout and the "more" line, which are rendered from placeholder
// values and template text alone: content never passes through a render that is searched for them, and
// a reader's values are joined in afterwards, never searched again. So a title, tag or subject that
// spells a placeholder shows as itself.
import type { Engine } from '../config.ts';
import { moreHref, type Digest, type SectionItem } from '../digest/assemble.ts';
import { fitToBudget, HTML_BUDGET } from '../digest/budget.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import { createEngine, type TemplateEngine } from './engines.tsx';
import { layoutValues, type LayoutValues } from './mjml.ts';
import { DEFAULT_PUBLICATION, type Publication } from './publication.ts';
import { renderText } from './text.ts';

export interface RenderedDigest {
  subject: string;
  preheader: string;
  html: string;
  text: string;
  /** Summaries left out of the HTML to stay under the size budget (all are in the text part). */
  cut: number;
  /** The digest the HTML shows: the reader's digest, cut to the budget when it had to be. */
  shown: Digest;
}

type Key = keyof LayoutValues;
const KEYS: Key[] = ['subject', 'preheader', 'weekLabel', 'summaryLine', 'webUrl', 'preferencesUrl', 'unsubscribeUrl'];
const placeholder = (k: string) => `tc0ph0${k}0x`;
const PLACEHOLDERS = Object.fromEntries(KEYS.map((k) => [k, placeholder(k)])) as unknown as LayoutValues;

/** A string with placeholders, split once so filling it is a join. */
class Filled {
  private readonly parts: (string | { key: string })[] = [];
  readonly fixedBytes: number;
  /** The keys found. */
  readonly keys = new Set<string>();
  constructor(html: string, keys: readonly string[]) {
    const re = new RegExp(keys.map(placeholder).join('|'), 'g');
    let last = 0;
    for (const m of html.matchAll(re)) {
      const key = m[0].slice(6, -2);
      this.keys.add(key);
      this.parts.push(html.slice(last, m.index), { key });
      last = m.index + m[0].length;
    }
    this.parts.push(html.slice(last));
    this.fixedBytes = this.parts.reduce((n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : 0), 0);
  }
  fill(values: Record<string, string>): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : values[p.key]!)).join('');
  }
  bytes(values: Record<string, string>): number {
    return this.parts.reduce((n, p) => n + (typeof p === 'string' ? 0 : Buffer.byteLength(values[p.key]!)), this.fixedBytes);
  }
}

/**
 * The layout or the "more" line could not be rendered. Both are rendered from placeholders and template
 * text alone, so this is never about a reader's digest: the template or the machine is at fault.
 */
export class LayoutRenderError extends Error {
  override name = 'LayoutRenderError';
  constructor(what: string, cause: unknown) {
    super(`the ${what} cannot be rendered: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Every value must show somewhere: an engine that altered a placeholder would otherwise leave a reader's value out. */
function expectKeys(what: string, keys: readonly string[], parts: Filled[]): void {
  const missing = keys.filter((k) => !parts.some((p) => p.keys.has(k)));
  if (missing.length > 0) throw new Error(`fragment extraction: the ${what} lost the placeholders ${missing.join(', ')}`);
}

interface Fragment {
  html: string;
  bytes: number;
}
const fragment = (html: string): Fragment => ({ html, bytes: Buffer.byteLength(html) });

/** A card's identity: its summary and its "also in" list. JSON keeps lists apart whatever their tag names hold. */
export const cardKey = (item: SectionItem) => `${item.summary.id}${JSON.stringify(item.alsoIn)}`;

export interface DigestRenderer {
  readonly engine: TemplateEngine;
  /** The identity and note this renderer's every digest shows (from the render, never per reader). */
  readonly publication: Publication;
  /** Renders every fragment the given digests need that is not cached yet, in as few engine calls as possible. */
  prepare(digests: Digest[]): Promise<void>;
  /** `budget`: this render's HTML size limit (the web version passes Infinity: nothing is cut). */
  render(digest: Digest, links: ReaderLinks, opts?: { budget?: number }): Promise<RenderedDigest>;
}

/**
 * The editor's identity is written into the layout, which is searched for placeholders: a value that
 * spells one gets an invisible zero-width non-joiner inside it, so it shows as itself and is never filled.
 */
function unplaceholdered(p: Publication): Publication {
  const safe = (s: string) => s.replaceAll('tc0ph0', 'tc0ph\u200c0');
  if (!JSON.stringify(p).includes('tc0ph0')) return p;
  return {
    ...p,
    name: safe(p.name),
    tagline: safe(p.tagline),
    logoUrl: p.logoUrl && safe(p.logoUrl),
    footer: safe(p.footer),
    postalAddress: safe(p.postalAddress),
    note: p.note && { html: safe(p.note.html), text: p.note.text },
  };
}

export function createDigestRenderer(engineName: Engine, opts: { budget?: number; publication?: Publication } = {}): DigestRenderer {
  const publication = opts.publication ?? DEFAULT_PUBLICATION;
  const engine = createEngine(engineName, unplaceholdered(publication));
  const budget = opts.budget ?? HTML_BUDGET;
  // Two layouts at most: MJML leaves the body's aria-label out when the title is empty, so a blank
  // subject changes the layout's markup, not just a value.
  const layouts = new Map<boolean, Promise<[Filled, Filled]>>();
  let more: Promise<Filled> | undefined;
  const shells = new Map<string, [Fragment, Fragment]>();
  const cards = new Map<string, Fragment>();

  // A failed render is not kept: the next reader (or batch) renders it again rather than failing on a cached rejection.
  const getLayout = (blankSubject = false) => {
    let layout = layouts.get(blankSubject);
    if (!layout) {
      const keys = blankSubject ? KEYS.filter((k) => k !== 'subject') : KEYS;
      const p = engine
        .renderLayout(blankSubject ? { ...PLACEHOLDERS, subject: '' } : PLACEHOLDERS)
        .then(([a, b]) => {
          const halves: [Filled, Filled] = [new Filled(a, keys), new Filled(b, keys)];
          expectKeys('layout', keys, halves);
          return halves;
        })
        .catch((e: unknown) => {
          throw new LayoutRenderError('layout', e);
        });
      p.catch(() => layouts.get(blankSubject) === p && layouts.delete(blankSubject));
      layouts.set(blankSubject, (layout = p));
    }
    return layout;
  };
  const getMore = () => {
    if (!more) {
      const p = engine
        .renderMore(placeholder('count'), placeholder('href'))
        .then((h) => {
          const filled = new Filled(h, ['count', 'href']);
          expectKeys('"more" line', ['count', 'href'], [filled]);
          return filled;
        })
        .catch((e: unknown) => {
          throw new LayoutRenderError('"more" line', e);
        });
      p.catch(() => more === p && (more = undefined));
      more = p;
    }
    return more;
  };

  async function prepare(digests: Digest[]): Promise<void> {
    const newTags = new Map<string, { tag: string; slug: string }>();
    const newCards = new Map<string, SectionItem>();
    for (const d of digests) {
      for (const s of d.sections) {
        if (!shells.has(s.slug)) newTags.set(s.slug, { tag: s.tag, slug: s.slug });
        for (const item of s.items) if (!cards.has(cardKey(item))) newCards.set(cardKey(item), item);
      }
    }
    const [shellHtml, cardHtml] = await Promise.all([
      newTags.size > 0 ? engine.renderSectionShells([...newTags.values()]) : [],
      newCards.size > 0 ? engine.renderCards([...newCards.values()]) : [],
      getLayout(),
    ]);
    [...newTags.keys()].forEach((slug, n) => shells.set(slug, [fragment(shellHtml[n]![0]), fragment(shellHtml[n]![1])]));
    [...newCards.keys()].forEach((k, n) => cards.set(k, fragment(cardHtml[n]!)));
  }

  return {
    engine,
    publication,
    prepare,
    async render(digest, links, renderOpts = {}) {
      // Each item's card, looked up once (its key is built once per item, not per pass below).
      const lookup = () => {
        const found = new Map<SectionItem, Fragment>();
        for (const s of digest.sections) {
          if (!shells.has(s.slug)) return undefined;
          for (const i of s.items) {
            const card = cards.get(cardKey(i));
            if (!card) return undefined;
            found.set(i, card);
          }
        }
        return found;
      };
      let cardOf = lookup();
      if (!cardOf) {
        await prepare([digest]);
        cardOf = lookup()!;
      }
      const values = engine.layoutHtml(layoutValues(digest, links)) as unknown as Record<string, string>;
      const [before, after] = await getLayout(values.subject === '');
      const moreFilled = await getMore();
      const moreValues = (slug: string, n: number) => ({ count: String(n), href: engine.escape(moreHref(links.web, slug)) });
      const sizeOf = (d: Digest) =>
        before.bytes(values) +
        after.bytes(values) +
        d.sections.reduce((n, s) => {
          const [open, close] = shells.get(s.slug)!;
          const items = s.items.reduce((m, i) => m + cardOf.get(i)!.bytes, 0);
          return n + open.bytes + close.bytes + items + (s.more ? moreFilled.bytes(moreValues(s.slug, s.more)) : 0);
        }, 0);
      const fitted = fitToBudget(digest, sizeOf, renderOpts.budget ?? budget);
      const body = fitted.sections
        .map((s) => {
          const [open, close] = shells.get(s.slug)!;
          const items = s.items.map((i) => cardOf.get(i)!.html).join('');
          return open.html + items + (s.more ? moreFilled.fill(moreValues(s.slug, s.more)) : '') + close.html;
        })
        .join('');
      const html = engine.finish(before.fill(values) + body + after.fill(values));
      const cut = fitted.sections.reduce((n, s) => n + (s.more ?? 0), 0);
      return { subject: digest.subject, preheader: digest.preheader, html, text: renderText(digest, links, publication), cut, shown: fitted };
    },
  };
}
