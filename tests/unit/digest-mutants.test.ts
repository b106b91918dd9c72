// What the mutation run (npm run mutate) found untested in the digest's pure parts: the size budget's
// cuts, and the short lines a card and a header carry. The render tests check these as rendered bytes;
// these check the values, so a change in them fails here without rendering anything.
import { describe, expect, it } from 'vitest';
import { cardMeta, moreHref, moreLine, summaryLine, type Digest, type DigestSummary, type Section } from '../../src/digest/assemble.ts';
import { fitToBudget, HTML_BUDGET } from '../../src/digest/budget.ts';
import { subjectSchema } from '../../src/digest/subject.ts';

const summary = (id: number): DigestSummary => ({
  id,
  title: `S${id}`,
  signal: '',
  casePoints: [],
  take: '',
  timeSavedMinutes: null,
  sourceUrl: null,
  tags: ['T'],
});
const section = (tag: string, n: number, more?: number): Section => ({
  tag,
  slug: tag.toLowerCase(),
  items: Array.from({ length: n }, (_, i) => ({ summary: summary(i + 1), alsoIn: [] })),
  ...(more === undefined ? {} : { more }),
});
const digest = (sections: Section[]): Digest => ({
  week: '2026-W48',
  issueName: 'Week 48 · 23–29 Nov 2026',
  subject: 's',
  preheader: 'p',
  sections,
  summaryCount: sections.reduce((n, s) => n + s.items.length, 0),
  totalMinutes: 0,
});
// A digest's "size": one unit per item shown.
const items = (d: Digest) => d.sections.reduce((n, s) => n + s.items.length, 0);
const shape = (d: Digest) => d.sections.map((s) => [s.items.length, s.more]);

describe('fitToBudget', () => {
  it('gives back the very digest when it fits, also exactly at the budget', () => {
    const d = digest([section('A', 3)]);
    expect(fitToBudget(d, items, 3)).toBe(d);
    expect(fitToBudget(d, items, 4)).toBe(d);
  });

  it('cuts from the longest section, one item at a time, and stops as soon as it fits', () => {
    const d = digest([section('A', 2), section('B', 5), section('C', 3)]);
    const cut = fitToBudget(d, items, 8);
    // 10 items to 8: B 5→4 (now 4 vs 3), B 4→3; A and C untouched.
    expect(shape(cut)).toEqual([[2, 0], [3, 2], [3, 0]]);
    expect(cut.sections.map((s) => s.items.map((i) => i.summary.id))).toEqual([[1, 2], [1, 2, 3], [1, 2, 3]]);
    // The caller's digest is left as it was.
    expect(shape(d)).toEqual([[2, undefined], [5, undefined], [3, undefined]]);
    expect(cut.summaryCount).toBe(10);
  });

  it('among sections of the same length cuts the first, and keeps at least one item in each', () => {
    const d = digest([section('A', 2), section('B', 2), section('C', 1)]);
    expect(shape(fitToBudget(d, items, 4))).toEqual([[1, 1], [2, 0], [1, 0]]);
    // Nothing fits: every section is down to one item and that is returned.
    expect(shape(fitToBudget(d, items, 0))).toEqual([[1, 1], [1, 1], [1, 0]]);
  });

  it('adds to a section’s count of items already cut', () => {
    const d = digest([section('A', 3, 4)]);
    expect(shape(fitToBudget(d, items, 2))).toEqual([[2, 5]]);
  });

  it('has the budget under Gmail’s 102 KB clip', () => {
    const size = (n: number) => () => n;
    const d = digest([section('A', 2)]);
    expect(fitToBudget(d, size(HTML_BUDGET))).toBe(d);
    expect(fitToBudget(d, size(HTML_BUDGET + 1))).not.toBe(d);
    expect(HTML_BUDGET).toBe(100_000);
  });
});

describe('the lines of a card and a header', () => {
  const item = (minutes: number | null, alsoIn: string[]) => ({ summary: { ...summary(1), timeSavedMinutes: minutes }, alsoIn });

  it('cardMeta: time saved and the other sections, each only when there is one', () => {
    expect(cardMeta(item(38, ['Careers', 'AI']))).toBe('Time saved: 38 min · also in: Careers, AI');
    expect(cardMeta(item(65, []))).toBe('Time saved: 1h 05m');
    expect(cardMeta(item(null, ['AI']))).toBe('also in: AI');
    expect(cardMeta(item(0, []))).toBe('');
  });

  it('moreHref and moreLine point at the tag on the web version', () => {
    expect(moreHref('https://x.example/w/abc', 'ai')).toBe('https://x.example/w/abc#tag-ai');
    expect(moreLine(3)).toBe('3 more on the web →');
  });

  it('summaryLine: singular, plural, and the time only when there is some', () => {
    expect(summaryLine({ summaryCount: 1, totalMinutes: 0 })).toBe('1 summary');
    expect(summaryLine({ summaryCount: 5, totalMinutes: 151 })).toBe('5 summaries · saves you 2h 31m of watching and reading');
    expect(summaryLine({ summaryCount: 2, totalMinutes: 1 })).toBe('2 summaries · saves you 1 min of watching and reading');
  });
});

describe('subjectSchema', () => {
  it('gives the reason as the problem, for a request body', () => {
    const r = subjectSchema.safeParse('   ');
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.code, i.message])).toEqual([['custom', 'subject is empty']]);
  });
});
