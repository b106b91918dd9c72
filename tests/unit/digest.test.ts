import { describe, expect, it } from 'vitest';
import {
  assembleDigest,
  formatMinutes,
  indexIssue,
  preheader,
  subjectLine,
  type Digest,
  type DigestSummary,
} from '../../src/digest/assemble.ts';
import { issueName, isoWeek, isValidWeek, WEEK_PATTERN, weekDates, weekStart } from '../../src/digest/week.ts';

const utc = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe('isoWeek', () => {
  it.each([
    ['2026-11-23', '2026-W48'], // Monday
    ['2026-11-29', '2026-W48'], // Sunday
    ['2026-11-22', '2026-W47'],
    ['2020-12-31', '2020-W53'],
    ['2021-01-03', '2020-W53'],
    ['2021-01-04', '2021-W01'],
    ['2024-12-30', '2025-W01'],
    ['2019-12-30', '2020-W01'],
    ['2027-01-01', '2026-W53'],
    ['2026-01-01', '2026-W01'],
    ['2025-12-31', '2026-W01'],
  ])('%s → %s', (day, week) => {
    expect(isoWeek(utc(day))).toBe(week);
  });

  it('reads the date in UTC, whatever the time of day', () => {
    expect(isoWeek(new Date('2026-11-22T23:59:59Z'))).toBe('2026-W47');
    expect(isoWeek(new Date('2026-11-23T00:00:00Z'))).toBe('2026-W48');
  });

  it('always produces the pattern', () => {
    expect(isoWeek(utc('2026-01-05'))).toBe('2026-W02');
    expect(WEEK_PATTERN.test(isoWeek(utc('2026-03-04')))).toBe(true);
  });
});

describe('isValidWeek', () => {
  it('accepts week 53 only in years that have one', () => {
    expect(isValidWeek('2020-W53')).toBe(true);
    expect(isValidWeek('2015-W53')).toBe(true);
    // 1 January 2026 is a Thursday, so 2026 has 53 ISO weeks (28 Dec 2026 – 3 Jan 2027).
    expect(isValidWeek('2026-W53')).toBe(true);
    expect(isValidWeek('2025-W53')).toBe(false);
    expect(isValidWeek('2027-W53')).toBe(false);
    expect(isValidWeek('2024-W53')).toBe(false);
  });

  it.each(['2026-W00', '2026-W54', '2026-W7', '2026W48', '2026-w48', ' 2026-W48', '2026-W48 ', '', 'W48'])(
    'rejects %j',
    (w) => {
      expect(isValidWeek(w)).toBe(false);
    },
  );

  it('accepts ordinary weeks', () => {
    expect(isValidWeek('2026-W01')).toBe(true);
    expect(isValidWeek('2026-W48')).toBe(true);
    expect(isValidWeek('2025-W52')).toBe(true);
  });
});

describe('weekStart', () => {
  it('is Monday 00:00 UTC', () => {
    expect(weekStart('2026-W48').toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(weekStart('2020-W53').toISOString()).toBe('2020-12-28T00:00:00.000Z');
    expect(weekStart('2025-W01').toISOString()).toBe('2024-12-30T00:00:00.000Z');
    expect(weekStart('2021-W01').toISOString()).toBe('2021-01-04T00:00:00.000Z');
    expect(weekStart('2026-W01').toISOString()).toBe('2025-12-29T00:00:00.000Z');
  });

  it('round-trips with isoWeek for every week of several years', () => {
    for (const year of [2020, 2021, 2024, 2025, 2026, 2027]) {
      for (let n = 1; n <= 53; n++) {
        const week = `${year}-W${String(n).padStart(2, '0')}`;
        if (!isValidWeek(week)) {
          expect(n).toBe(53);
          continue;
        }
        const start = weekStart(week);
        expect(start.getUTCDay()).toBe(1);
        expect(isoWeek(start)).toBe(week);
        expect(isoWeek(new Date(start.getTime() + 6 * 86_400_000 + 86_399_000))).toBe(week); // Sunday 23:59:59
        expect(isoWeek(new Date(start.getTime() - 1000))).not.toBe(week);
      }
    }
  });

  it('throws a RangeError for a week that does not exist', () => {
    expect(() => weekStart('2025-W53')).toThrow(RangeError);
    expect(() => weekStart('nope')).toThrow(/not an ISO week/);
  });
});

describe('issueName', () => {
  it('is the week number and the shortest form of its dates', () => {
    expect(issueName('2026-W48')).toBe('Week 48 · 23–29 Nov 2026');
    expect(issueName('2026-W05')).toBe('Week 5 · 26 Jan – 1 Feb 2026');
    expect(issueName('2026-W01')).toBe('Week 1 · 29 Dec 2025 – 4 Jan 2026');
    expect(weekDates('2020-W53')).toBe('28 Dec 2020 – 3 Jan 2021');
  });

  it('refuses what is not a week', () => {
    expect(() => issueName('2025-W53')).toThrow(/not an ISO week/);
  });
});

// --- digest assembly ---------------------------------------------------------------------------

const WEEK = '2026-W48';

function summary(id: number, tags: string[], minutes: number | null = null): DigestSummary {
  return {
    id,
    title: `Summary ${id}`,
    signal: `Signal ${id}`,
    casePoints: [`point ${id}`],
    take: `Take ${id}`,
    timeSavedMinutes: minutes,
    sourceUrl: null,
    tags,
  };
}

const ids = (d: Digest | null, tag: string) => d?.sections.find((s) => s.tag === tag)?.items.map((i) => i.summary.id);
const sectionTags = (d: Digest | null) => d?.sections.map((s) => s.tag);

describe('indexIssue', () => {
  it('orders tags by number of summaries, then by name', () => {
    const content = indexIssue(WEEK, [
      summary(1, ['Rust']),
      summary(2, ['Go']),
      summary(3, ['Rust']),
      summary(4, ['AI']),
      summary(5, ['Go']),
      summary(6, ['Rust']),
      summary(7, ['Databases']),
    ]);
    expect(content.tags.map((t) => t.name)).toEqual(['Rust', 'Go', 'AI', 'Databases']);
    expect(content.tags.map((t) => t.summaries.length)).toEqual([3, 2, 1, 1]);
    expect(content.week).toBe(WEEK);
    expect(content.subject).toBeNull();
  });

  it('merges spellings of the same tag into one, by slug', () => {
    const content = indexIssue(WEEK, [summary(1, ['Distributed Systems']), summary(2, ['distributed-systems']), summary(3, ['DISTRIBUTED systems'])]);
    expect(content.tags).toHaveLength(1);
    expect(content.tags[0]!.slug).toBe('distributed-systems');
    expect(content.tags[0]!.summaries.map((s) => s.id)).toEqual([1, 2, 3]);
  });

  it('lists summaries with the tag as primary first, then by id', () => {
    const content = indexIssue(WEEK, [summary(1, ['Go', 'Rust']), summary(2, ['Rust']), summary(3, ['AI', 'Rust']), summary(4, ['Rust', 'Go'])]);
    const rust = content.tags.find((t) => t.slug === 'rust')!;
    expect(rust.summaries.map((s) => s.id)).toEqual([2, 4, 1, 3]);
  });

  it('is the same whatever order the summaries come in', () => {
    const list = [summary(5, ['Go', 'Rust']), summary(2, ['Rust']), summary(9, ['AI']), summary(1, ['ai', 'Go']), summary(3, ['Rust'])];
    const a = indexIssue(WEEK, list);
    const b = indexIssue(WEEK, [...list].reverse());
    const c = indexIssue(WEEK, [list[2]!, list[0]!, list[4]!, list[1]!, list[3]!]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('does not reorder the caller’s array', () => {
    const list = [summary(3, ['Rust']), summary(1, ['Rust'])];
    indexIssue(WEEK, list);
    expect(list.map((s) => s.id)).toEqual([3, 1]);
  });
});

describe('assembleDigest', () => {
  it('has sections only for followed tags that have content', () => {
    const content = indexIssue(WEEK, [summary(1, ['Rust']), summary(2, ['Go']), summary(3, ['AI'])]);
    const d = assembleDigest(content, ['Rust', 'Python', 'AI']);
    expect(sectionTags(d)).toEqual(['AI', 'Rust']);
    expect(d!.summaryCount).toBe(2);
    expect(d!.sections.flatMap((s) => s.items.map((i) => i.summary.id))).not.toContain(2);
  });

  it('returns null when no followed tag has content', () => {
    const content = indexIssue(WEEK, [summary(1, ['Rust']), summary(2, ['Go'])]);
    expect(assembleDigest(content, ['Python', 'AI'])).toBeNull();
    expect(assembleDigest(content, [])).toBeNull();
    expect(assembleDigest(indexIssue(WEEK, []), ['Rust'])).toBeNull();
  });

  it('orders sections by most summaries in the issue, then by name', () => {
    const content = indexIssue(WEEK, [
      summary(1, ['Zig']),
      summary(2, ['Zig']),
      summary(3, ['Zig']),
      summary(4, ['Go']),
      summary(5, ['Go']),
      summary(6, ['Ada']),
      summary(7, ['Ada']),
      summary(8, ['Cobol']),
    ]);
    expect(sectionTags(assembleDigest(content, ['Cobol', 'Go', 'Ada', 'Zig']))).toEqual(['Zig', 'Ada', 'Go', 'Cobol']);
    expect(sectionTags(assembleDigest(content, ['Go', 'Cobol']))).toEqual(['Go', 'Cobol']);
  });

  it('shows a summary under several followed tags once, in the first section, with alsoIn', () => {
    const content = indexIssue(WEEK, [summary(1, ['Rust']), summary(2, ['Rust']), summary(3, ['Go', 'Rust']), summary(4, ['Go'])]);
    const d = assembleDigest(content, ['Go', 'Rust'])!;
    expect(sectionTags(d)).toEqual(['Rust', 'Go']);
    expect(ids(d, 'Rust')).toEqual([1, 2, 3]);
    expect(ids(d, 'Go')).toEqual([4]);
    const item3 = d.sections[0]!.items.find((i) => i.summary.id === 3)!;
    expect(item3.alsoIn).toEqual(['Go']);
    expect(d.sections[0]!.items.find((i) => i.summary.id === 1)!.alsoIn).toEqual([]);
    expect(d.summaryCount).toBe(4);
  });

  it('lists alsoIn in section order, not in the summary’s tag order, and only followed tags', () => {
    const content = indexIssue(WEEK, [
      summary(1, ['A']),
      summary(2, ['A']),
      summary(3, ['A']),
      summary(4, ['B']),
      summary(5, ['B']),
      summary(6, ['C']),
      summary(7, ['C', 'Unfollowed', 'B', 'A']),
    ]);
    // A has 4, B 3, C 2 → sections A, B, C.
    const d = assembleDigest(content, ['A', 'B', 'C'])!;
    expect(sectionTags(d)).toEqual(['A', 'B', 'C']);
    const items = d.sections.flatMap((s) => s.items.filter((i) => i.summary.id === 7).map((i) => ({ section: s.tag, alsoIn: i.alsoIn })));
    expect(items).toEqual([{ section: 'A', alsoIn: ['B', 'C'] }]);
  });

  it('without the first tag followed, the summary moves to the next followed section', () => {
    const content = indexIssue(WEEK, [summary(1, ['A']), summary(2, ['A']), summary(3, ['B']), summary(4, ['B', 'A'])]);
    const d = assembleDigest(content, ['B'])!;
    expect(ids(d, 'B')).toEqual([3, 4]);
    expect(d.sections[0]!.items.every((i) => i.alsoIn.length === 0)).toBe(true);
  });

  it('omits a section that deduplication emptied', () => {
    const content = indexIssue(WEEK, [summary(1, ['Rust']), summary(2, ['Rust', 'Go'])]);
    const d = assembleDigest(content, ['Rust', 'Go'])!;
    expect(sectionTags(d)).toEqual(['Rust']);
    expect(ids(d, 'Rust')).toEqual([1, 2]);
    expect(d.summaryCount).toBe(2);
    expect(d.preheader).toContain('in 1 tag');
  });

  it('totals the time saved, counting unknown as 0', () => {
    const content = indexIssue(WEEK, [summary(1, ['Rust'], 38), summary(2, ['Rust'], null), summary(3, ['Go', 'Rust'], 27), summary(4, ['AI'], 100)]);
    const d = assembleDigest(content, ['Rust', 'Go'])!;
    expect(d.totalMinutes).toBe(65); // the duplicate is counted once, AI is not followed
    expect(d.preheader).toBe('3 summaries in 1 tag · saves you 1h 05m of watching and reading');
  });

  it('gives a total of 0 and no time claim when nothing is known', () => {
    const d = assembleDigest(indexIssue(WEEK, [summary(1, ['Rust'])]), ['Rust'])!;
    expect(d.totalMinutes).toBe(0);
    expect(d.preheader).toBe('1 summary in 1 tag');
  });

  it('matches followed tags by slug, whatever the spelling', () => {
    const content = indexIssue(WEEK, [summary(1, ['Distributed Systems']), summary(2, ['Machine Learning'])]);
    const d = assembleDigest(content, ['distributed-systems', 'MACHINE  learning'])!;
    expect(sectionTags(d)).toEqual(['Distributed Systems', 'Machine Learning']);
    expect(d.sections.map((s) => s.slug)).toEqual(['distributed-systems', 'machine-learning']);
  });

  it('is the same whatever order the summaries come in', () => {
    const list = [
      summary(4, ['Go', 'Rust'], 10),
      summary(1, ['Rust'], 5),
      summary(7, ['AI', 'Go']),
      summary(2, ['Go']),
      summary(3, ['Rust', 'AI'], 12),
      summary(6, ['AI']),
    ];
    const follows = ['AI', 'Go', 'Rust'];
    const a = assembleDigest(indexIssue(WEEK, list), follows);
    const b = assembleDigest(indexIssue(WEEK, [...list].reverse()), follows);
    const c = assembleDigest(indexIssue(WEEK, [list[3]!, list[5]!, list[0]!, list[2]!, list[4]!, list[1]!]), [...follows].reverse());
    expect(a).not.toBeNull();
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(JSON.stringify(c)).toBe(JSON.stringify(a));
  });

  it('uses the issue’s custom subject when set, else one built from the reader’s sections', () => {
    const list = [summary(1, ['Rust']), summary(2, ['Rust']), summary(3, ['Go']), summary(4, ['AI'])];
    expect(assembleDigest(indexIssue(WEEK, list, 'Hand-written subject'), ['Go'])!.subject).toBe('Hand-written subject');
    expect(assembleDigest(indexIssue(WEEK, list), ['Go'])!.subject).toBe('Go · Week 48 · 23–29 Nov 2026');
    expect(assembleDigest(indexIssue(WEEK, list), ['Go', 'AI', 'Rust'])!.subject).toBe('Rust, AI and 1 more · Week 48 · 23–29 Nov 2026');
  });

  it('carries the week and its name', () => {
    const d = assembleDigest(indexIssue(WEEK, [summary(1, ['Rust'])]), ['Rust'])!;
    expect(d.week).toBe(WEEK);
    expect(d.issueName).toBe('Week 48 · 23–29 Nov 2026');
  });
});

describe('subjectLine, preheader, formatMinutes', () => {
  it('subjectLine names up to two sections and counts the rest', () => {
    expect(subjectLine(issueName('2026-W48'), ['Kubernetes'])).toBe('Kubernetes · Week 48 · 23–29 Nov 2026');
    expect(subjectLine(issueName('2026-W08'), ['Kubernetes', 'AI'])).toBe('Kubernetes and AI · Week 8 · 16–22 Feb 2026');
    expect(subjectLine(issueName('2026-W48'), ['Kubernetes', 'AI', 'Go', 'Rust'])).toBe('Kubernetes, AI and 2 more · Week 48 · 23–29 Nov 2026');
  });

  it('preheader uses singular and plural correctly', () => {
    expect(preheader(1, 0, 1)).toBe('1 summary in 1 tag');
    expect(preheader(2, 0, 1)).toBe('2 summaries in 1 tag');
    expect(preheader(5, 38, 3)).toBe('5 summaries in 3 tags · saves you 38 min of watching and reading');
  });

  it.each([
    [0, '0 min'],
    [1, '1 min'],
    [38, '38 min'],
    [59, '59 min'],
    [60, '1h 00m'],
    [65, '1h 05m'],
    [125, '2h 05m'],
    [600, '10h 00m'],
  ])('formatMinutes(%d) → %s', (n, s) => {
    expect(formatMinutes(n)).toBe(s);
  });
});
