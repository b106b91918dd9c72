// Typographic symbols in the HTML (’ “ ” — – … → € and the preheader's zero-width non-joiners) are
// written as numeric character references. Mail clients read `&#8217;` exactly as they read `’`, but a
// string with nothing above U+00FF is stored one byte per character by V8: the HTML takes half the
// memory and is cheaper to serialise into the provider request (the pipeline sent 25% more emails per
// second; docs/decisions.md). Letters are left alone, so Greek, Cyrillic or CJK text does not grow;
// those strings simply stay two bytes per character.
//
// The mapping is per character and never touches white space, so it commutes with joining fragments
// and with MJML's white-space pass: assembled fragments still equal a from-scratch render byte for byte.

// General Punctuation (except the spaces U+2000–U+200A and the separators U+2028, U+2029, U+202F, U+205F,
// which JavaScript's \s matches), currency symbols, letterlike symbols, arrows and the other symbol blocks.
const SYMBOLS = /[\u200b-\u2027\u2030-\u205e\u2060-\u2bff]/g;
const BEYOND_LATIN1 = /[^\x00-\xff]/;

export function referenceSymbols(html: string): string {
  const out = html.replace(SYMBOLS, (c) => `&#${c.charCodeAt(0)};`);
  // A replace over a two-byte string returns a two-byte string even when no wide character is left; a
  // round trip through Latin-1 gives V8 the one-byte copy.
  return BEYOND_LATIN1.test(out) ? out : Buffer.from(out, 'latin1').toString('latin1');
}
