import { z } from 'zod';
import { isValidWeek } from '../digest/week.ts';

/** A parsed summary, as both content formats produce it, before it is stored. */
export const Summary = z.object({
  key: z.string().min(1),
  title: z.string().min(1, 'has no title'),
  signal: z.string().min(1, 'has an empty "The Signal" section'),
  case: z.array(z.string().min(1)).min(1, 'has no "The Case" bullets'),
  take: z.string().min(1, 'has an empty "The 1 Minute Signal Take" section'),
  timeSavedMinutes: z.number().int().nonnegative().nullable(),
  tags: z.array(z.string().min(1).max(60)).min(1, 'has no tags'),
  week: z.string().refine(isValidWeek, 'is not an ISO week'),
  date: z.string().nullable(),
  sourceUrl: z.url().nullable(),
});
export type Summary = z.infer<typeof Summary>;

/** A problem in a content file, with the line a person should look at (0: the file as a whole). */
export class ContentError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`);
    this.name = 'ContentError';
  }
}

/** "38 min", "1h 05m", "1 h", "90 minutes", "1:05", "45" → minutes; empty → null; otherwise undefined. */
export function parseDuration(raw: string): number | null | undefined {
  const s = raw.trim().toLowerCase();
  if (s === '') return null;
  if (/^\d+$/.test(s)) return Number(s);
  const clock = /^(\d+):([0-5]\d)$/.exec(s);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  const m = /^(?:(\d+)\s*(?:h|hr|hrs|hour|hours))?\s*(?:(\d+)\s*(?:m|min|mins|minute|minutes))?$/.exec(s);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/** Tag names: trimmed, inner white space folded, de-duplicated case-insensitively, order kept. */
export function cleanTags(tags: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of tags) {
    const name = t.replace(/\s+/g, ' ').trim();
    const k = tagSlug(name);
    if (name && k && !seen.has(k)) {
      seen.add(k);
      out.push(name);
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
