// A page rendered once per variant and filled per request: for a page asked for so often that
// rendering it each time is most of its cost (the one-click unsubscribe's answer, which mailbox
// providers post in bursts after every issue), while only a few strings (links, a CSRF token) differ
// between requests. Rendered with a marker in each slot (characters from Unicode's private use area,
// which React passes through and no value holds), cut there, and joined with each request's values,
// escaped as React escapes text and attributes.
import { siteIdentity } from './site.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const mark = (i: number) => `\uE000${i}\uE001`;
const MARK = /\uE000(\d+)\uE001/;

/** Variants kept at most (each is a few kilobytes); past it they are rendered again. */
const MAX_VARIANTS = 32;

/**
 * `render(slots, variant)` renders the page with slots[name] wherever that value goes; `variant` is
 * everything else the page depends on (which parts it shows), a small JSON value. The returned function
 * answers the page for a variant filled with `values`. The publication's name and tagline are part of
 * every variant.
 */
export function pageTemplate<K extends string, V>(names: readonly K[], render: (slots: Record<K, string>, variant: V) => string): (variant: V, values: Record<K, string>) => string {
  const kept = new Map<string, { parts: string[]; order: K[] }>();
  return (variant, values) => {
    const site = siteIdentity();
    const key = JSON.stringify([variant, site.name, site.tagline]);
    let t = kept.get(key);
    if (!t) {
      const slots = Object.fromEntries(names.map((n, i) => [n, mark(i)])) as Record<K, string>;
      const pieces = render(slots, variant).split(MARK);
      // split with a capture group: text, slot index, text, slot index, … text.
      t = { parts: pieces.filter((_, i) => i % 2 === 0), order: pieces.filter((_, i) => i % 2 === 1).map((i) => names[Number(i)]!) };
      if (kept.size >= MAX_VARIANTS) kept.clear();
      kept.set(key, t);
    }
    let out = t.parts[0]!;
    for (let i = 0; i < t.order.length; i++) out += escapeHtml(values[t.order[i]!]) + t.parts[i + 1]!;
    return out;
  };
}
