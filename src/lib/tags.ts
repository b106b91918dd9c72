// Tag names as editors and readers type them: one spelling per tag, whatever the case or spacing. Pure.

/** Tag names: trimmed, inner white space folded, de-duplicated case-insensitively, order kept. */
export function cleanTags(tags: string[]): string[] {
  return cleanTagList(tags.map((name) => ({ name, line: 0 }))).map((t) => t.name);
}

/** cleanTags for tags that carry the line they came from. */
export function cleanTagList(tags: { name: string; line: number }[]): { name: string; line: number }[] {
  const seen = new Set<string>();
  const out: { name: string; line: number }[] = [];
  for (const t of tags) {
    const name = t.name.replace(/\s+/g, ' ').trim();
    const k = tagSlug(name);
    if (name && k && !seen.has(k)) {
      seen.add(k);
      out.push({ name, line: t.line });
    }
  }
  return out;
}

/** The tag's identity: "Distributed Systems" and "distributed-systems" are one tag. */
export function tagSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9+#]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
