// Edge cases of the content parsers that the mutation run (docs/mutation.md) showed no test pinned:
// the exact problem a writer sees for a bad file, and the odd-but-valid files that must still parse.
import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/content/markdown.ts';
import { parseSignal, type ParseContext } from '../../src/content/signal.ts';
import { CONTENT_LIMITS, ContentError, parseDuration } from '../../src/content/summary.ts';
import { signalLines } from '../support/summary-files.ts';

const mdCtx: ParseContext = { file: 'content/x.md', key: 'x.md', fallbackWeek: '2026-W48' };
const txtCtx: ParseContext = { file: 'content/x.txt', key: 'x.txt', fallbackWeek: '2026-W48' };
const BODY = ['## The Signal', 'sig', '## The Case', '- a', '## The 1 Minute Signal Take', 'take'];

/** A Markdown file: "---", the front matter, "---", the body. */
const md = (front: string[] = ['title: T', 'tags: [Rust]'], body: string[] = BODY) => ['---', ...front, '---', ...body].join('\n');
const parseMd = (text: string) => parseMarkdown(text, mdCtx);
const parseTxt = (lines: string[]) => parseSignal(lines.join('\n'), txtCtx);

/** The message of the ContentError that fn throws (fails the test when it throws nothing else). */
function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContentError);
    return (e as ContentError).message;
  }
  throw new Error('expected a ContentError, but nothing was thrown');
}

describe('Markdown: the front matter fences', () => {
  it('a file that does not start with "---" says so on line 1', () => {
    expect(problem(() => parseMd(['title: T', '---', ...BODY].join('\n')))).toBe(
      'content/x.md:1: expected YAML front matter starting with "---"',
    );
  });

  it('fences may carry trailing spaces', () => {
    expect(parseMd(['---  ', 'title: T', 'tags: [Rust]', '---  ', ...BODY].join('\n')).title).toBe('T');
  });

  it('only a line that is just "---" or "..." closes the front matter', () => {
    // "title: Wait---" ends in ---, "...and then" starts with ...: neither closes it.
    expect(parseMd(md(['title: Wait---', 'tags: [Rust]'])).title).toBe('Wait---');
    const unclosed = ['---', 'title: T', 'tags: [Rust]', '', '...and then', ...BODY].join('\n');
    expect(problem(() => parseMd(unclosed))).toBe('content/x.md:1: the front matter is not closed with "---"');
  });

  it('front matter of exactly the limit is read; one character more is refused at its line', () => {
    const limit = CONTENT_LIMITS.frontMatterChars;
    const fixed = 'title: T\ntags: [Rust]\n'.length;
    // Each line counts its length plus its line break.
    const exact = md(['title: T', 'tags: [Rust]', `# ${'x'.repeat(limit - fixed - 3)}`]);
    expect(parseMd(exact).title).toBe('T');
    const over = md(['title: T', 'tags: [Rust]', `# ${'x'.repeat(limit - fixed - 2)}`]);
    expect(problem(() => parseMd(over))).toBe(`content/x.md:4: the front matter is longer than ${limit} characters`);
  });

  it('front matter that is only "~" is empty, not a bad mapping', () => {
    expect(problem(() => parseMd(md(['~'])))).toBe(
      'content/x.md:1: the front matter is empty; it needs at least "title" and "tags"',
    );
  });

  it('a key that is itself a list is ignored like an unknown key, even twice', () => {
    expect(parseMd(md(['title: T', 'tags: [Rust]', '[a]: 1', '[b]: 2'])).title).toBe('T');
  });

  it('"<<" is a key like any other (YAML merge keys are off), so twice is a repeated key', () => {
    expect(parseMd(md(['title: T', 'tags: [Rust]', '<<: {title: X}'])).title).toBe('T');
    expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', '<<: {a: 1}', '<<: {b: 2}'])))).toBe(
      'content/x.md:5: "<<" appears twice in the front matter',
    );
  });

  it('a top-level key given twice is named with its second line', () => {
    expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', 'title: U'])))).toBe(
      'content/x.md:4: "title" appears twice in the front matter',
    );
  });
});

describe('Markdown: front-matter values', () => {
  it('an empty title is no title, named at the title line', () => {
    expect(problem(() => parseMd(md(['tags: [Rust]', 'title: ""'])))).toBe('content/x.md:3: front matter has no "title"');
  });

  it('a missing title is named at line 2', () => {
    expect(problem(() => parseMd(md(['tags: [Rust]'])))).toBe('content/x.md:2: front matter has no "title"');
  });

  it('a multi-line title is folded to single spaces, even a block that keeps its indentation', () => {
    expect(parseMd(md(['title: first', '   second  ', 'tags: [Rust]'])).title).toBe('first second');
    expect(parseMd(md(['title: |1', '   first', '   second', 'tags: [Rust]'])).title).toBe('first second');
  });

  it('null tags are no tags, in a list or alone', () => {
    expect(parseMd(md(['title: T', 'tags: [Rust, null, ~]'])).tags).toEqual(['Rust']);
    expect(problem(() => parseMd(md(['title: T', 'tags: null'])))).toBe('content/x.md:3: front matter has no "tags"');
  });

  it('tags written as one text line: too many is named at that line', () => {
    const many = Array.from({ length: CONTENT_LIMITS.tags + 1 }, (_, n) => `T${n}`).join(', ');
    expect(problem(() => parseMd(md(['title: T', '', `tags: ${many}`])))).toBe(
      `content/x.md:4: has more than ${CONTENT_LIMITS.tags} tags`,
    );
  });

  it('dates: a real date in range is read, a rolled-over or two-digit-year date is refused', () => {
    expect(parseMd(md(['title: T', 'tags: [Rust]', 'date: 1970-01-01'])).date).toBe('1970-01-01');
    expect(parseMd(md(['title: T', 'tags: [Rust]', 'date: 9999-12-31'])).date).toBe('9999-12-31');
    expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', 'date: 2026-02-30'])))).toBe(
      'content/x.md:4: "date" must be a date like 2026-11-23, got "2026-02-30"',
    );
    // Date.UTC reads year 50 as 1950: the year does not read back, so the date is not real.
    expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', 'date: 0050-01-01'])))).toBe(
      'content/x.md:4: "date" must be a date like 2026-11-23, got "0050-01-01"',
    );
    expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', 'date: 1969-12-31'])))).toBe(
      'content/x.md:4: "date" 1969-12-31 is out of range (years 1970 to 9999)',
    );
  });

  it('an unreadable time_saved is quoted with an example', () => {
    expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', 'time_saved: soon'])))).toBe(
      'content/x.md:4: cannot read time_saved "soon" (expected e.g. "38 min" or "1h 05m")',
    );
  });

  it('source_url: http and https only, the whole value one URL', () => {
    expect(parseMd(md(['title: T', 'tags: [Rust]', 'source_url: http://example.com/a'])).sourceUrl).toBe('http://example.com/a');
    for (const bad of ['xhttps://example.com', 'https://example.com and more']) {
      expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', `source_url: ${bad}`])))).toBe(
        'content/x.md:4: "source_url" must be an http(s) URL',
      );
    }
  });

  it('an id of exactly the limit is kept', () => {
    const id = 'i'.repeat(CONTENT_LIMITS.idChars);
    expect(parseMd(md(['title: T', 'tags: [Rust]', `id: ${id}`])).key).toBe(`id:${id}`);
  });
});

describe('Markdown: the body', () => {
  it('a comment on the last front-matter line is not a heading of the body', () => {
    expect(parseMd(md(['title: T', 'tags: [Rust]', '# The Signal'])).signal).toBe('sig');
  });

  it('headings: several spaces, a closing colon or closing hashes are fine', () => {
    const s = parseMd(
      md(undefined, ['##   The Signal ##', 'sig', '## The Case:', '- a', '### The 1 Minute Signal Take ###', 'take one', 'take two']),
    );
    expect([s.signal, s.case, s.take]).toEqual(['sig', ['a'], 'take one take two']);
  });

  it('"##" inside a line is text, and unknown headings (even twice, even with a colon inside) are skipped', () => {
    const s = parseMd(
      md(undefined, ['## Notes', 'n', '## Notes', '## The Signal', 'sig a ## The Signal', '## The: Signal', 'lost', ...BODY.slice(2)]),
    );
    expect(s.signal).toBe('sig a ## The Signal');
  });

  it('a section given twice is named at its second heading', () => {
    expect(problem(() => parseMd(md(undefined, [...BODY, '## The Signal', 'again'])))).toBe(
      'content/x.md:11: "The Signal" appears twice',
    );
  });

  it('an empty section and a missing one are named', () => {
    expect(problem(() => parseMd(md(undefined, ['## The Signal', ...BODY.slice(2)])))).toBe(
      'content/x.md:5: the "The Signal" section is empty',
    );
    expect(problem(() => parseMd(md(undefined, ['## The Signal', 'sig', ...BODY.slice(4)])))).toBe(
      'content/x.md:8: missing the "## The Case" section',
    );
  });

  it('a schema problem is named at the line of the field: a case point, the id', () => {
    const long = 'p'.repeat(CONTENT_LIMITS.casePointChars + 1);
    expect(problem(() => parseMd(md(undefined, ['## The Signal', 'sig', '## The Case', '- a', `- ${long}`, ...BODY.slice(4)])))).toBe(
      `content/x.md:9: a "The Case" point is ${long.length} characters long; the limit is ${CONTENT_LIMITS.casePointChars}`,
    );
  });
});

describe('Markdown and Signal: which problem is reported first', () => {
  it('the problem on the earliest line wins, whatever the field order', () => {
    const title = 't'.repeat(CONTENT_LIMITS.titleChars + 1);
    expect(problem(() => parseMd(md(['time_saved: 2000', `title: ${title}`, 'tags: [Rust]'])))).toBe(
      `content/x.md:2: the time saved (2000 min) is more than the limit of ${CONTENT_LIMITS.timeSavedMinutes} min (24 h)`,
    );
  });

  it('of two problems on one line, the first written is reported', () => {
    const a = 'A'.repeat(CONTENT_LIMITS.tagChars + 1);
    const b = 'B'.repeat(CONTENT_LIMITS.tagChars + 1);
    expect(problem(() => parseMd(md(['title: T', `tags: [${a}, ${b}]`])))).toBe(
      `content/x.md:3: the tag "${'A'.repeat(29)}…" is ${a.length} characters long; the limit is ${CONTENT_LIMITS.tagChars}`,
    );
  });

  it('a value quoted in a problem is shortened only past 60 characters', () => {
    const v60 = 'x'.repeat(60);
    expect(problem(() => parseMd(md(['title: T', 'tags: [Rust]', `time_saved: ${v60}`])))).toBe(
      `content/x.md:4: cannot read time_saved "${v60}" (expected e.g. "38 min" or "1h 05m")`,
    );
  });

  it('a file with no date and a bad fallback week names the week', () => {
    const e = problem(() => parseSignal(signalLines().join('\n'), { ...txtCtx, fallbackWeek: '2026-W99' }));
    expect(e).toBe('content/x.txt: the week 2026-W99 is not an ISO week');
  });

  it('the error is a ContentError by name too (the CLI prints it)', () => {
    let name = '';
    try {
      parseMd('');
    } catch (e) {
      name = (e as Error).name;
    }
    expect(name).toBe('ContentError');
  });
});

describe('Signal (.txt) files', () => {
  it('a BOM is dropped only at the start of the file', () => {
    const s = parseTxt(['\uFEFFTag: Rust', ...signalLines({ signal: ['The Signal', 'a\uFEFFb'] }).slice(1)]);
    expect(s.tags).toEqual(['Rust']);
    expect(s.signal).toBe('a\uFEFFb');
    expect(parseTxt(signalLines({ signal: ['The Signal', 'a\uFEFFb'] })).signal).toBe('a\uFEFFb');
  });

  it('tags that clean away to nothing are "no tags", named at the Tags heading, else at the Tag line', () => {
    expect(problem(() => parseTxt(signalLines({ tag: ['Tag: ~~~'], tags: ['Tags', 'Tag: ---'] })))).toBe('content/x.txt:11: has no tags');
    expect(problem(() => parseTxt(signalLines({ tag: ['Tag: ~~~'], tags: [] })))).toBe('content/x.txt:1: has no tags');
  });

  it('indented lines are read as if flush left', () => {
    const s = parseTxt(signalLines({ tag: ['   Tag: Rust'], title: ['   A title'], signal: ['  The Signal', 'x'], take: ['The 1 Minute Signal Take', 'take one', 'take two'] }));
    expect([s.tags, s.title, s.signal, s.take]).toEqual([['Rust'], 'A title', 'x', 'take one take two']);
  });

  it('a file that is only the Tag line has no title', () => {
    expect(problem(() => parseTxt(['Tag: Rust']))).toBe('content/x.txt:2: expected the title on the line after "Tag:"');
  });

  it('names each structural problem exactly', () => {
    expect(problem(() => parseTxt(signalLines({ tag: ['Rust'] })))).toBe(
      'content/x.txt:1: expected the first line to be "Tag: NAME" (the primary tag)',
    );
    expect(problem(() => parseTxt(signalLines({ signal: ['stray', 'The Signal', 'x'] })))).toBe(
      'content/x.txt:3: unexpected text outside any section: "stray"',
    );
    expect(problem(() => parseTxt(signalLines({ signal: ['The Signal'] })))).toBe('content/x.txt:3: the "The Signal" section is empty');
    expect(problem(() => parseTxt(signalLines({ signal: [] })))).toBe('content/x.txt:10: missing the "The Signal" section');
    expect(problem(() => parseTxt(signalLines({ case: [] })))).toBe('content/x.txt:9: missing the "The Case" section');
    expect(problem(() => parseTxt(signalLines({ tags: ['Tags', 'Go'] })))).toBe(
      'content/x.txt:12: expected "Tag: NAME" in the Tags section, got "Go"',
    );
    expect(problem(() => parseTxt(signalLines({ case: ['The Case', 'first point'] })))).toBe(
      'content/x.txt:6: "The Case" should be a list of "- " bullets, got "first point"',
    );
  });
});

describe('parseDuration at its edges', () => {
  it('a 40-character duration is still read; a clock is only digits:minutes, whole', () => {
    expect(parseDuration(`${'0'.repeat(38)}45`)).toBe(45);
    expect(parseDuration('10:05')).toBe(605);
    expect(parseDuration('a1:05')).toBeUndefined();
    expect(parseDuration('1:059')).toBeUndefined();
  });
});
