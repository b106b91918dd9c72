// Gmail clips an HTML part above about 102 KB. Past the budget, the longest sections are cut to their
// first items, each with "N more on the web". Pure: the caller supplies the size of a digest.
import type { Digest } from './assemble.ts';

/** The HTML budget in bytes: under Gmail's 102 KB clip, with room for what a provider adds. */
export const HTML_BUDGET = 100_000;

/**
 * Returns the digest unchanged when it fits, else a copy with items cut from the end of the longest
 * sections (each keeps at least one) until it fits or nothing more can be cut. The summary counts and
 * time saved in the header stay those of the whole digest: the rest is one click away.
 */
export function fitToBudget(digest: Digest, sizeOf: (d: Digest) => number, budget = HTML_BUDGET): Digest {
  if (sizeOf(digest) <= budget) return digest;
  const cut: Digest = { ...digest, sections: digest.sections.map((s) => ({ ...s, items: [...s.items], more: s.more ?? 0 })) };
  for (;;) {
    const longest = cut.sections.reduce<(typeof cut.sections)[number] | undefined>(
      (best, s) => (s.items.length > 1 && (!best || s.items.length > best.items.length) ? s : best),
      undefined,
    );
    if (!longest) return cut;
    longest.items.pop();
    longest.more = (longest.more ?? 0) + 1;
    if (sizeOf(cut) <= budget) return cut;
  }
}
