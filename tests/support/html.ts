// Reading rendered HTML the way a reader sees it.

/** What a reader sees: text outside tags, entities decoded, white space folded. */
export function visibleText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/i, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&nbsp;|&zwnj;|&#x27;|&quot;|&amp;|&lt;|&gt;/g, (e) => ({ '&nbsp;': ' ', '&zwnj;': '', '&#x27;': "'", '&quot;': '"', '&amp;': '&', '&lt;': '<', '&gt;': '>' })[e]!)
    .replace(/[\u00a0\u200c]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
