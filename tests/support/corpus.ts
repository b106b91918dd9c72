// The sample corpus, parsed without a database, as digest summaries.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSummaryFile } from '../../src/content/import.ts';
import type { DigestSummary } from '../../src/digest/assemble.ts';

export function corpusWeek(week: string): DigestSummary[] {
  const dir = path.resolve('content', week);
  return readdirSync(dir)
    .sort()
    .map((f, n) => {
      const s = parseSummaryFile(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f), new Date());
      return { id: n + 1, title: s.title, signal: s.signal, casePoints: s.case, take: s.take, timeSavedMinutes: s.timeSavedMinutes, sourceUrl: s.sourceUrl, tags: s.tags };
    });
}

export const TAGS = ['Kubernetes', 'Databases', 'Rust', 'AI', 'Security', 'Frontend', 'Observability', 'Careers', 'Distributed Systems', 'Platform Engineering'];

/** Deterministic pseudo-random tag sets of 1–5 tags. */
export function tagSets(n: number, seed = 7): string[][] {
  let x = seed;
  const rand = () => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => {
    const k = 1 + Math.floor(rand() * 5);
    const set = new Set<string>();
    while (set.size < k) set.add(TAGS[Math.floor(rand() * TAGS.length)]!);
    return i === 0 ? [...TAGS] : [...set];
  });
}
