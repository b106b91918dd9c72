// Render once, assemble per reader. For an issue and engine, the layout (one per density, with
// placeholders for the reader's values), the contents' frame, each contents entry (a section and the
// titles it lists), each tag section's shell and each summary card (brief and full apart) are rendered
// once and cached; a reader's email is those fragments joined with their own links and counts. Engine
// calls therefore grow with the content, not with its readers, and the assembled HTML is
// byte-identical to a from-scratch render of the same digest (tests/unit/render.test.ts holds us to that).
//
// Placeholders are searched for anywhere only in the layout and the "more" line, which are rendered from
// placeholder values and template text alone. Shells and cards hold content, so a reader's links enter
// them only at attribute values that are exactly a placeholder (`href="tc0ph0unfollow0x"`): content
// reaches the HTML escaped, its every `"` written `&quot;`, and a source URL is an http(s) URL, so none
// can spell one. A reader's values are joined in afterwards, never searched again. So a title, tag or
// subject that spells a placeholder shows as itself.
import type { Engine } from '../config.ts';
import { contentsTotal, densityOf, moreHref, unfollowHref, webAnchorHref, type Density, type Digest, type Section, type SectionItem } from '../digest/assemble.ts';
import { fitToBudget, HTML_BUDGET } from '../digest/budget.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import { createEngine, type TemplateEngine } from './engines.tsx';
import { layoutValues, type LayoutValues } from './mjml.ts';
import { DEFAULT_PUBLICATION, type Publication } from './publication.ts';
import { textParts } from './text.ts';

export interface RenderedDigest {
  subject: string;
  preheader: string;
  html: string;
  text: string;
  /** Summaries left out of the HTML to stay under the size budget (all are in the text part). */
  cut: number;
  /** The digest the HTML shows: the reader's digest, cut to the budget when it had to be. */
  shown: Digest;
  /**
   * With `json`, when the engine's fragments join into the email as they are (React): the HTML as a
   * JSON string, quotes included, in UTF-8 pieces: `Buffer.concat(htmlJson)` is `JSON.stringify(html)`'s
   * bytes. The fragments' pieces are escaped once per issue, only the reader's values per render, so a
   * provider request is joined from bytes instead of escaping ~50 KB of HTML per reader.
   */
  htmlJson?: Buffer[];
  /** With `json`: the text part likewise, its shared pieces (textParts) escaped once per issue. */
  textJson?: Buffer[];
}

type Key = keyof LayoutValues;
const KEYS: Key[] = ['subject', 'preheader', 'issueName', 'summaryLine', 'webUrl', 'preferencesUrl', 'unsubscribeUrl', 'densityUrl', 'tagList'];
const placeholder = (k: string) => `tc0ph0${k}0x`;
const PLACEHOLDERS = Object.fromEntries(KEYS.map((k) => [k, placeholder(k)])) as unknown as LayoutValues;

/**
 * A string with placeholders, split once so filling it is a join. `attribute`: only whole attribute
 * values are placeholders (`"tc0ph0key0x"`, quotes kept). Shells and cards hold content, and content
 * reaches the HTML escaped, its every `"` written `&quot;`: no title or tag can spell a quoted
 * placeholder, so those fragments can carry a reader's links.
 */
class Filled {
  private readonly parts: (string | { key: string })[] = [];
  /** The same parts JSON-escaped and encoded, made on the first fillJson (only senders ask). */
  private jsonParts: (Buffer | { key: string })[] | undefined;
  readonly fixedBytes: number;
  /** The keys found. */
  readonly keys = new Set<string>();
  constructor(html: string, keys: readonly string[], opts: { attribute?: boolean } = {}) {
    const q = opts.attribute ? '"' : '';
    const re = new RegExp(`${q}tc0ph0(${keys.join('|')})0x${q}`, 'g');
    let last = 0;
    for (const m of html.matchAll(re)) {
      const key = m[1]!;
      this.keys.add(key);
      this.parts.push(html.slice(last, m.index + q.length), { key });
      last = m.index + m[0].length - q.length;
    }
    this.parts.push(html.slice(last));
    this.fixedBytes = this.parts.reduce((n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : 0), 0);
  }
  fill(values: Record<string, string>): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : values[p.key]!)).join('');
  }
  /** fill()'s result as JSON pieces (no quotes), pushed onto `out`; `values` JSON-escaped (jsonValues). */
  fillJson(values: Record<string, Buffer>, out: Buffer[]): void {
    this.jsonParts ??= this.parts.map((p) => (typeof p === 'string' ? jsonPiece(p) : p));
    for (const p of this.jsonParts) out.push('key' in p ? values[p.key]! : p);
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
  /** The HTML JSON-escaped, in UTF-8 (made when first asked). */
  json?: Buffer;
}
const fragment = (html: string): Fragment => ({ html, bytes: Buffer.byteLength(html) });
const fragmentJson = (f: Fragment): Buffer => (f.json ??= jsonPiece(f.html));

/**
 * A string as it stands inside a JSON string, without the quotes, in UTF-8. JSON escapes character by
 * character (only a lone surrogate depends on its neighbour, and no piece boundary falls inside a pair:
 * pieces end at markup or at a whole value), so pieces escaped apart join into the whole's escape.
 */
function jsonPiece(s: string): Buffer {
  const quoted = JSON.stringify(s);
  return Buffer.from(quoted.slice(1, quoted.length - 1));
}
const QUOTE = Buffer.from('"');
const jsonValues = (values: Record<string, string>): Record<string, Buffer> => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, jsonPiece(v)]));

/** A card's identity: its summary and its "also in" list. JSON keeps lists apart whatever their tag names hold. */
export const cardKey = (item: SectionItem) => `${item.summary.id}${JSON.stringify(item.alsoIn)}`;
/** A contents entry's identity: its section and the summaries it lists (what the email shows, and how many more the web has). */
const entryKey = (s: Pick<Section, 'slug' | 'items' | 'more'>) => JSON.stringify([s.slug, s.items.map((i) => i.summary.id), s.more ?? 0]);

export interface DigestRenderer {
  readonly engine: TemplateEngine;
  /** The identity and note this renderer's every digest shows (from the render, never per reader). */
  readonly publication: Publication;
  /** Renders every fragment the given digests need that is not cached yet, in as few engine calls as possible. */
  prepare(digests: Digest[]): Promise<void>;
  /**
   * `budget`: this render's HTML size limit (the web version passes Infinity: nothing is cut). `json`: also
   * the HTML as JSON pieces (htmlJson), for a provider request.
   */
  render(digest: Digest, links: ReaderLinks, opts?: { budget?: number; json?: boolean }): Promise<RenderedDigest>;
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
  // Per density (its footer offers the other), two layouts at most: MJML leaves the body's aria-label
  // out when the title is empty, so a blank subject changes the layout's markup, not just a value.
  const layouts = new Map<string, Promise<[Filled, Filled]>>();
  let more: Promise<Filled> | undefined;
  let contents: Promise<[Filled, Filled]> | undefined;
  /** Per tag: [open (with the "Stop <tag>" link), close]. */
  const shells = new Map<string, [Filled, Fragment]>();
  /** Per density and card: brief and full cards apart. */
  const cards = new Map<string, Filled>();
  const entries = new Map<string, Fragment>();
  /** The text part's shared pieces (summaries' words, template text), JSON-escaped: bounded by the issue's content. */
  const textPieces = new Map<string, Buffer>();
  const sharedPiece = (s: string) => {
    let b = textPieces.get(s);
    if (!b) textPieces.set(s, (b = jsonPiece(s)));
    return b;
  };
  const cardId = (density: Density, item: SectionItem) => `${density}:${cardKey(item)}`;

  // A failed render is not kept: the next reader (or batch) renders it again rather than failing on a cached rejection.
  const getLayout = (blankSubject: boolean, density: Density) => {
    const id = `${blankSubject}:${density}`;
    let layout = layouts.get(id);
    if (!layout) {
      const keys = blankSubject ? KEYS.filter((k) => k !== 'subject') : KEYS;
      const p = engine
        .renderLayout(blankSubject ? { ...PLACEHOLDERS, subject: '' } : PLACEHOLDERS, density)
        .then(([a, b]) => {
          const halves: [Filled, Filled] = [new Filled(a, keys), new Filled(b, keys)];
          expectKeys('layout', keys, halves);
          return halves;
        })
        .catch((e: unknown) => {
          throw new LayoutRenderError('layout', e);
        });
      p.catch(() => layouts.get(id) === p && layouts.delete(id));
      layouts.set(id, (layout = p));
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
  const getContents = () => {
    if (!contents) {
      // Rendered from a placeholder and template text alone, like the layout: searched for it anywhere.
      const p = engine
        .renderContents(placeholder('total'))
        .then(([a, b]) => {
          const halves: [Filled, Filled] = [new Filled(a, ['total']), new Filled(b, ['total'])];
          expectKeys('contents', ['total'], halves);
          return halves;
        })
        .catch((e: unknown) => {
          throw new LayoutRenderError('contents', e);
        });
      p.catch(() => contents === p && (contents = undefined));
      contents = p;
    }
    return contents;
  };

  /** Renders the contents entries of these sections not cached yet (a digest cut to the budget lists fewer titles). */
  async function prepareEntries(sections: Section[]): Promise<void> {
    const fresh = new Map<string, Section>();
    for (const s of sections) if (!entries.has(entryKey(s))) fresh.set(entryKey(s), s);
    if (fresh.size === 0) return;
    const html = await engine.renderContentsEntries([...fresh.values()]);
    [...fresh.keys()].forEach((k, n) => entries.set(k, fragment(html[n]!)));
  }

  async function prepare(digests: Digest[]): Promise<void> {
    const newTags = new Map<string, { tag: string; slug: string }>();
    const newCards = { brief: new Map<string, SectionItem>(), full: new Map<string, SectionItem>() };
    for (const d of digests) {
      const density = densityOf(d);
      for (const s of d.sections) {
        if (!shells.has(s.slug)) newTags.set(s.slug, { tag: s.tag, slug: s.slug });
        for (const item of s.items) if (!cards.has(cardId(density, item))) newCards[density].set(cardId(density, item), item);
      }
    }
    const anchor = placeholder('webAnchor');
    const [shellHtml, briefHtml, fullHtml] = await Promise.all([
      newTags.size > 0 ? engine.renderSectionShells([...newTags.values()], placeholder('unfollow')) : [],
      newCards.brief.size > 0 ? engine.renderCards([...newCards.brief.values()], 'brief', anchor) : [],
      newCards.full.size > 0 ? engine.renderCards([...newCards.full.values()], 'full', anchor) : [],
      prepareEntries(digests.flatMap((d) => d.sections)),
      getContents(),
    ]);
    [...newTags.keys()].forEach((slug, n) => {
      const open = new Filled(shellHtml[n]![0], ['unfollow'], { attribute: true });
      expectKeys(`section shell of ${slug}`, ['unfollow'], [open]);
      shells.set(slug, [open, fragment(shellHtml[n]![1])]);
    });
    [...newCards.brief.keys()].forEach((k, n) => cards.set(k, new Filled(briefHtml[n]!, ['webAnchor'], { attribute: true })));
    [...newCards.full.keys()].forEach((k, n) => cards.set(k, new Filled(fullHtml[n]!, ['webAnchor'], { attribute: true })));
  }

  return {
    engine,
    publication,
    prepare,
    async render(digest, links, renderOpts = {}) {
      const density = densityOf(digest);
      // Each item's card, looked up once (its key is built once per item, not per pass below).
      const lookup = () => {
        const found = new Map<SectionItem, Filled>();
        for (const s of digest.sections) {
          if (!shells.has(s.slug) || !entries.has(entryKey(s))) return undefined;
          for (const i of s.items) {
            const card = cards.get(cardId(density, i));
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
      const [before, after] = await getLayout(values.subject === '', density);
      const moreFilled = await getMore();
      const [contentsOpen, contentsClose] = await getContents();
      const moreValues = (slug: string, n: number) => ({ count: String(n), href: engine.escape(moreHref(links.web, slug)) });
      // A reader's own links in each section and card, escaped once per render.
      const unfollow = new Map(digest.sections.map((s) => [s.slug, { unfollow: engine.escape(unfollowHref(links, s.slug)) }]));
      const anchors = new Map(digest.sections.flatMap((s) => s.items.map((i) => [i, { webAnchor: engine.escape(webAnchorHref(links.web, i.summary.id)) }] as const)));
      // The whole digest's contents: an upper bound for a cut one's, which lists fewer titles.
      const total = { total: engine.escape(contentsTotal(digest)) };
      const contentsBytes = contentsOpen.bytes(total) + contentsClose.bytes(total) + digest.sections.reduce((n, s) => n + entries.get(entryKey(s))!.bytes, 0);
      const sizeOf = (d: Digest) =>
        before.bytes(values) +
        after.bytes(values) +
        contentsBytes +
        d.sections.reduce((n, s) => {
          const [open, close] = shells.get(s.slug)!;
          const items = s.items.reduce((m, i) => m + cardOf.get(i)!.bytes(anchors.get(i)!), 0);
          return n + open.bytes(unfollow.get(s.slug)!) + close.bytes + items + (s.more ? moreFilled.bytes(moreValues(s.slug, s.more)) : 0);
        }, 0);
      const fitted = fitToBudget(digest, sizeOf, renderOpts.budget ?? budget);
      if (fitted !== digest) await prepareEntries(fitted.sections);
      const body = fitted.sections
        .map((s) => {
          const [open, close] = shells.get(s.slug)!;
          const items = s.items.map((i) => cardOf.get(i)!.fill(anchors.get(i)!)).join('');
          return open.fill(unfollow.get(s.slug)!) + items + (s.more ? moreFilled.fill(moreValues(s.slug, s.more)) : '') + close.html;
        })
        .join('');
      const toc = contentsOpen.fill(total) + fitted.sections.map((s) => entries.get(entryKey(s))!.html).join('') + contentsClose.fill(total);
      const html = engine.finish(before.fill(values) + toc + body + after.fill(values));
      const cut = fitted.sections.reduce((n, s) => n + (s.more ?? 0), 0);
      const text = textParts(digest, links, publication);
      const rendered: RenderedDigest = { subject: digest.subject, preheader: digest.preheader, html, text: text.parts.join(''), cut, shown: fitted };
      if (renderOpts.json) {
        const out: Buffer[] = [QUOTE];
        text.parts.forEach((p, n) => out.push(text.shared[n] ? sharedPiece(p) : jsonPiece(p)));
        out.push(QUOTE);
        rendered.textJson = out;
      }
      if (renderOpts.json && engine.joinedAsIs) {
        // The same joins as above, piece by piece, in the same order.
        const out: Buffer[] = [QUOTE];
        const valuesJson = jsonValues(values);
        const totalJson = jsonValues(total);
        before.fillJson(valuesJson, out);
        contentsOpen.fillJson(totalJson, out);
        for (const s of fitted.sections) out.push(fragmentJson(entries.get(entryKey(s))!));
        contentsClose.fillJson(totalJson, out);
        for (const s of fitted.sections) {
          const [open, close] = shells.get(s.slug)!;
          open.fillJson(jsonValues(unfollow.get(s.slug)!), out);
          for (const i of s.items) cardOf.get(i)!.fillJson(jsonValues(anchors.get(i)!), out);
          if (s.more) moreFilled.fillJson(jsonValues(moreValues(s.slug, s.more)), out);
          out.push(fragmentJson(close));
        }
        after.fillJson(valuesJson, out);
        out.push(QUOTE);
        rendered.htmlJson = out;
      }
      return rendered;
    },
  };
}
