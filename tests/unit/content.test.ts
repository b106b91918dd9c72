import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folderWeek, parseSummaryFile, sourceKey } from '../../src/content/import.ts';
import { parseMarkdown } from '../../src/content/markdown.ts';
import { parseSignal, type ParseContext } from '../../src/content/signal.ts';
import { ContentError, parseDuration } from '../../src/content/summary.ts';
import { cleanTags, tagSlug } from '../../src/lib/tags.ts';
import { signalLines } from '../support/summary-files.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// The project's own byte-exact copy of the format reference (tests never read outside the repository).
const seed = readFileSync(path.join(here, '../fixtures/signal-summary.txt'), 'utf8');

const ctx: ParseContext = { file: 'content/x.txt', key: 'x.txt', fallbackWeek: '2026-W48' };

/** Runs fn, expects a ContentError and returns it. */
function contentError(fn: () => unknown): ContentError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContentError);
    return e as ContentError;
  }
  throw new Error('expected a ContentError, but nothing was thrown');
}


const SEED_CASE = [
  'Hightower emphasizes that Docker was the "number one success criteria" for Kubernetes, as it provided a pre-existing workflow consensus that allowed developers to transition without abandoning their container-level habits.',
  'He argues that Kubernetes succeeded where projects like Docker Swarm struggled because it treated infrastructure as a typed, declarative data model—moving from imperative configuration to resilient control loops.',
  "His career progression was repeatedly accelerated by treatng every public talk and open-source contribution as an interview, leading to high-leverage job offers from companies like puppet's founder, Luke Kanies.",
  'When Microsoft approached him with an offer that effectively added a zero to his compensation, he used the data to negotiate a Google match without resorting to a career-damaging ultimatum.',
  'He advocates for an "impact over activity" philosophy, citing a formative experience where he abandoned the standard phone-based ticket queue to automate the underlying issues, consistently driving the backlog to zero.',
  'His advisory practice is structured to avoid free labor: he mandates a one-year term, no equity cliff, a 10-year exercise window, and a paid monthly retainer.',
  'He warns that the panic surrounding GenAI stems from a narrow definition of software engineering; he argues that while code-typing may be commoditized, deep expertise in hardware, boot sequences, and systems architecture remains a durable defense against displacement.',
];

describe('parseSignal: the seed file', () => {
  const s = parseSignal(seed, ctx);

  it('reads the title', () => {
    expect(s.title).toBe('Kubernetes and retiring at the top with Kelsey Hightower');
  });

  it('reads "The Signal" as one paragraph with non-ASCII kept', () => {
    expect(s.signal.startsWith('Kelsey Hightower, a former distinguished engineer at Google who retired at 43,')).toBe(true);
    expect(s.signal.endsWith('to remain resilient against commoditization.')).toBe(true);
    expect(s.signal).toContain('Kubernetes\u2019s dominance');
    expect(s.signal).toContain('career transition\u2014from DSL installation to major tech inflection points\u2014is a settled record');
    expect(s.signal).not.toContain('\n');
  });

  it('reads all 7 case bullets as written, typo included', () => {
    expect(s.case).toEqual(SEED_CASE);
    expect(s.case[2]).toContain('treatng');
    expect(s.case[1]).toContain('data model\u2014moving');
  });

  it('reads the take', () => {
    expect(s.take).toBe(
      'Hightower is a rare industry voice who correctly identifies the difference between performative busyness and actual systems impact. His perspective on AI is pragmatic, steelmanning it as a force multiplier while rightly pivoting to the human-centric fundamentals software engineers often forget to master. Watch this video if you want to understand the architectural philosophy behind cloud-scale infrastructure; the summary captures his career narrative, but the video provides the necessary tone for how an engineer at that level actually thinks about leverage.',
    );
  });

  it('treats an empty "Time saved:" as unknown (null), not 0', () => {
    expect(s.timeSavedMinutes).toBeNull();
  });

  it('reads the tags, the primary and the repeated one only once', () => {
    expect(s.tags).toEqual(['Kubernetes']);
  });

  it('takes key and week from the context; no date or source URL', () => {
    expect(s.key).toBe('x.txt');
    expect(s.week).toBe('2026-W48');
    expect(s.date).toBeNull();
    expect(s.sourceUrl).toBeNull();
  });

  it('gives an identical result for the CRLF version of the file', () => {
    const crlf = seed.replace(/\r?\n/g, '\r\n');
    expect(crlf).toContain('\r\n');
    expect(parseSignal(crlf, ctx)).toEqual(s);
  });

  it('gives an identical result with a UTF-8 BOM and trailing white space on lines', () => {
    const messy = '\uFEFF' + seed.replace(/\n/g, '  \t\n');
    expect(parseSignal(messy, ctx)).toEqual(s);
  });
});

describe('parseSignal: tags, markup and durations', () => {
  it('collects several Tag: lines in order, primary first, de-duplicated case-insensitively', () => {
    const text = signalLines({
      tag: ['Tag: Databases'],
      tags: ['Tags', 'Tag: Rust', 'Tag: databases', 'Tag: Distributed  Systems', 'Tag: RUST', 'Tag: Postgres'],
    }).join('\n');
    expect(parseSignal(text, ctx).tags).toEqual(['Databases', 'Rust', 'Distributed Systems', 'Postgres']);
  });

  it('keeps the primary tag first even when the Tags section lists it later', () => {
    const text = signalLines({ tag: ['Tag: AI'], tags: ['Tags', 'Tag: Rust', 'Tag: ai'] }).join('\n');
    expect(parseSignal(text, ctx).tags).toEqual(['AI', 'Rust']);
  });

  it('works without a Tags section (primary tag only)', () => {
    const text = signalLines({ tags: [] }).join('\n');
    expect(parseSignal(text, ctx).tags).toEqual(['Rust']);
  });

  it('keeps stray HTML verbatim in every block', () => {
    const text = signalLines({
      title: ['A <b>bold</b> title'],
      signal: ['The Signal', 'Text with <b>x</b> & <script>alert(1)</script>'],
      case: ['The Case', '- point <i>one</i>'],
      take: ['The 1 Minute Signal Take', '<p>take</p>'],
    }).join('\n');
    const s = parseSignal(text, ctx);
    expect(s.title).toBe('A <b>bold</b> title');
    expect(s.signal).toBe('Text with <b>x</b> & <script>alert(1)</script>');
    expect(s.case).toEqual(['point <i>one</i>']);
    expect(s.take).toBe('<p>take</p>');
  });

  it('reads a time saved value', () => {
    expect(parseSignal(signalLines({ time: ['Time saved: 1h 05m'] }).join('\n'), ctx).timeSavedMinutes).toBe(65);
    expect(parseSignal(signalLines({ time: ['Time saved: 38 min'] }).join('\n'), ctx).timeSavedMinutes).toBe(38);
  });

  it('joins a wrapped bullet to the bullet above it', () => {
    const text = signalLines({ case: ['The Case', '- first part', 'continued here', '- second'] }).join('\n');
    expect(parseSignal(text, ctx).case).toEqual(['first part continued here', 'second']);
  });

  it('joins a multi-line Signal paragraph with spaces', () => {
    const text = signalLines({ signal: ['The Signal', 'line one', 'line two'] }).join('\n');
    expect(parseSignal(text, ctx).signal).toBe('line one line two');
  });
});

describe('parseSignal: errors point at the right line', () => {
  it('missing first Tag: line → line 1', () => {
    const lines = signalLines({ tag: [] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.file).toBe('content/x.txt');
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/^content\/x\.txt:1: /);
  });

  it('missing first Tag: line after leading blank lines → the first non-blank line', () => {
    const lines = ['', '', ...signalLines({ tag: [] })];
    expect(contentError(() => parseSignal(lines.join('\n'), ctx)).line).toBe(3);
  });

  it('an empty "Tag:" → line 1', () => {
    const e = contentError(() => parseSignal(signalLines({ tag: ['Tag:   '] }).join('\n'), ctx));
    expect(e.line).toBe(1);
    expect(e.problem).toMatch(/no tag name/);
  });

  it('a heading where the title should be → line 2', () => {
    const e = contentError(() => parseSignal(signalLines({ title: [] }).join('\n'), ctx));
    expect(e.line).toBe(2);
    expect(e.problem).toMatch(/title/);
  });

  it('"Time saved: soon" → that line', () => {
    const lines = signalLines({ time: ['Time saved: soon'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(lines.indexOf('Time saved: soon') + 1);
    expect(e.line).toBe(10);
    expect(e.problem).toContain('soon');
  });

  it('a non-bullet line directly under "The Case" → that line', () => {
    const lines = signalLines({ case: ['The Case', 'not a bullet', '- a bullet'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(lines.indexOf('not a bullet') + 1);
    expect(e.line).toBe(6);
  });

  it('a non-bullet line under "The Case" after a blank line → that line, not the blank one', () => {
    const lines = signalLines({ case: ['The Case', '', 'not a bullet', '- a bullet'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(lines.indexOf('not a bullet') + 1); // 7
  });

  it('a bad line in the Tags section → that line', () => {
    const lines = signalLines({ tags: ['Tags', 'Tag: Rust', 'Rust, Go'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(lines.indexOf('Rust, Go') + 1);
  });

  it('a bad line in the Tags section after a blank line → that line', () => {
    const lines = signalLines({ tags: ['Tags', '', 'Tag: Rust', 'Rust, Go'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(lines.indexOf('Rust, Go') + 1); // 14
  });

  it('missing "The 1 Minute Signal Take" section → an error naming it, at the end of the file', () => {
    const lines = signalLines({ take: [] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.problem).toContain('The 1 Minute Signal Take');
    expect(e.problem).toMatch(/missing/);
    expect(e.line).toBe(lines.length);
  });

  it('an empty "The Signal" section → the heading line', () => {
    const lines = signalLines({ signal: ['The Signal'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(3);
    expect(e.problem).toMatch(/empty/);
  });

  it('a section given twice → the second heading', () => {
    const lines = signalLines({ take: ['The 1 Minute Signal Take', 'one', 'The Signal', 'again'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(10);
    expect(e.problem).toMatch(/twice/);
  });

  it('text outside any section (after Time saved) → that line', () => {
    const lines = signalLines({ time: ['Time saved: 5 min', 'stray words'] });
    const e = contentError(() => parseSignal(lines.join('\n'), ctx));
    expect(e.line).toBe(11);
  });

  it('line numbers are the same with CRLF endings', () => {
    const lines = signalLines({ time: ['Time saved: soon'] });
    expect(contentError(() => parseSignal(lines.join('\r\n'), ctx)).line).toBe(10);
  });
});

describe('parseDuration', () => {
  it.each([
    ['38 min', 38],
    ['1h 05m', 65],
    ['1 h', 60],
    ['90 minutes', 90],
    ['1:05', 65],
    ['45', 45],
    ['2 hours 3 mins', 123],
    ['  12 MIN  ', 12],
    ['0', 0],
  ])('%j → %d', (raw, minutes) => {
    expect(parseDuration(raw)).toBe(minutes);
  });

  it('empty or blank → null', () => {
    expect(parseDuration('')).toBeNull();
    expect(parseDuration('   ')).toBeNull();
  });

  it.each(['soon', 'h', 'min', '1:75', '-5', '1.5h', 'about 10 min'])('%j → undefined', (raw) => {
    expect(parseDuration(raw)).toBeUndefined();
  });
});

describe('tagSlug and cleanTags', () => {
  it('gives one identity to spellings of the same tag', () => {
    expect(tagSlug('Distributed Systems')).toBe('distributed-systems');
    expect(tagSlug('distributed-systems')).toBe('distributed-systems');
    expect(tagSlug('  Distributed   SYSTEMS ')).toBe('distributed-systems');
    expect(tagSlug('Café')).toBe('cafe');
    expect(tagSlug('C++')).toBe('c++');
    expect(tagSlug('C#')).toBe('c#');
  });

  it('keeps distinct tags distinct', () => {
    expect(tagSlug('C++')).not.toBe(tagSlug('C#'));
    expect(tagSlug('Go')).not.toBe(tagSlug('Rust'));
  });

  it('cleans, folds white space and de-duplicates by slug, first spelling wins', () => {
    expect(cleanTags([' Rust ', 'Distributed\tSystems', 'rust', 'distributed-systems', '', '  ', 'AI'])).toEqual([
      'Rust',
      'Distributed Systems',
      'AI',
    ]);
  });

  it('drops names with no letters or digits', () => {
    expect(cleanTags(['---', '!!', 'Go'])).toEqual(['Go']);
  });
});

function md(front: string[], body: string[] = ['## The Signal', 'sig', '## The Case', '- a', '## The 1 Minute Signal Take', 'take']): string {
  return ['---', ...front, '---', ...body].join('\n') + '\n';
}

describe('parseMarkdown', () => {
  it('reads front matter and body', () => {
    const s = parseMarkdown(
      md(
        ['title: "Rust <b>async</b>"', 'tags: [Rust, Async, rust]', 'time_saved: 1h 05m', 'source_url: https://example.com/talk', 'id: talk-1'],
        ['', '## The Signal', '', 'one', 'two', '', '## The Case', '', '- a', '- b', '  wrapped', '', '## The 1 Minute Signal Take', 'take'],
      ),
      ctx,
    );
    expect(s).toEqual({
      id: 'talk-1',
      key: 'id:talk-1',
      title: 'Rust <b>async</b>',
      signal: 'one two',
      case: ['a', 'b wrapped'],
      take: 'take',
      timeSavedMinutes: 65,
      tags: ['Rust', 'Async'],
      week: '2026-W48',
      date: null,
      sourceUrl: 'https://example.com/talk',
    });
  });

  it('accepts tags as a comma-separated string', () => {
    expect(parseMarkdown(md(['title: T', 'tags: Rust, Databases']), ctx).tags).toEqual(['Rust', 'Databases']);
  });

  it('uses the context key when there is no id', () => {
    const s = parseMarkdown(md(['title: T', 'tags: [Rust]']), ctx);
    expect(s.key).toBe('x.txt');
    expect(s.id).toBeNull();
  });

  it('the date decides the week: Monday 2026-11-23 → 2026-W48', () => {
    const s = parseMarkdown(md(['title: T', 'tags: [Rust]', 'date: 2026-11-23']), { ...ctx, fallbackWeek: '2026-W01' });
    expect(s.week).toBe('2026-W48');
    expect(s.date).toBe('2026-11-23');
  });

  it('the date decides the week: Sunday 2026-11-22 → 2026-W47', () => {
    const s = parseMarkdown(md(['title: T', 'tags: [Rust]', 'date: 2026-11-22']), { ...ctx, fallbackWeek: '2026-W01' });
    expect(s.week).toBe('2026-W47');
  });

  it('keeps CRLF files equal to LF files', () => {
    const text = md(['title: T', 'tags: [Rust, Go]', 'date: 2026-11-23'], ['## The Signal', 'sig', '## The Case', '- a', '- b', '## The 1 Minute Signal Take', 'take']);
    expect(parseMarkdown(text.replace(/\n/g, '\r\n'), ctx)).toEqual(parseMarkdown(text, ctx));
  });

  it('unclosed front matter → line 1', () => {
    const e = contentError(() => parseMarkdown(['---', 'title: T', 'tags: [Rust]', '', '## The Signal', 'x'].join('\n'), ctx));
    expect(e.line).toBe(1);
    expect(e.problem).toMatch(/not closed/);
  });

  it('no front matter at all → line 1', () => {
    const e = contentError(() => parseMarkdown('# Just a heading\n', ctx));
    expect(e.line).toBe(1);
  });

  it('a bad date → the date line', () => {
    const e = contentError(() => parseMarkdown(md(['title: T', 'tags: [Rust]', 'date: 2026-02-30']), ctx));
    expect(e.line).toBe(4);
    expect(e.problem).toContain('2026-02-30');
  });

  it('a date that is not a date → the date line', () => {
    const e = contentError(() => parseMarkdown(md(['title: T', 'date: next week', 'tags: [Rust]']), ctx));
    expect(e.line).toBe(3);
  });

  it('tags missing → an error about tags', () => {
    const e = contentError(() => parseMarkdown(md(['title: T']), ctx));
    expect(e.problem).toMatch(/tags/);
    expect(e.file).toBe('content/x.txt');
  });

  it('an empty tag list → the tags line', () => {
    const e = contentError(() => parseMarkdown(md(['title: T', 'date: 2026-11-23', 'tags: []']), ctx));
    expect(e.line).toBe(4);
    expect(e.problem).toMatch(/tags/);
  });

  it('a bad time_saved → its line', () => {
    const e = contentError(() => parseMarkdown(md(['title: T', 'tags: [Rust]', 'time_saved: soon']), ctx));
    expect(e.line).toBe(4);
  });

  it('a non-http source_url → its line', () => {
    const e = contentError(() => parseMarkdown(md(['title: T', 'source_url: ftp://x', 'tags: [Rust]']), ctx));
    expect(e.line).toBe(3);
  });

  it('a front matter syntax error → a line inside the front matter', () => {
    const e = contentError(() => parseMarkdown(md(['title: T', 'tags: [Rust', 'date: 2026-11-23']), ctx));
    expect(e.line).toBeGreaterThanOrEqual(2);
    expect(e.line).toBeLessThanOrEqual(5);
  });

  it('missing "The 1 Minute Signal Take" → an error naming it', () => {
    const e = contentError(() => parseMarkdown(md(['title: T', 'tags: [Rust]'], ['## The Signal', 'sig', '## The Case', '- a']), ctx));
    expect(e.problem).toContain('The 1 Minute Signal Take');
  });

  it('a non-bullet line directly under "## The Case" → that line', () => {
    const text = md(['title: T', 'tags: [Rust]'], ['## The Signal', 'sig', '## The Case', 'not a bullet', '## The 1 Minute Signal Take', 'take']);
    const e = contentError(() => parseMarkdown(text, ctx));
    expect(e.line).toBe(text.split('\n').indexOf('not a bullet') + 1); // 8
  });

  it('a non-bullet line under "## The Case" after the usual blank line → that line', () => {
    const text = md(['title: T', 'tags: [Rust]'], ['## The Signal', '', 'sig', '', '## The Case', '', 'not a bullet', '', '## The 1 Minute Signal Take', 'take']);
    const e = contentError(() => parseMarkdown(text, ctx));
    expect(e.line).toBe(text.split('\n').indexOf('not a bullet') + 1); // 11
  });
});

describe('parseSummaryFile: which week', () => {
  const body = (front: string[]) => md(['title: T', 'tags: [Rust]', ...front]);
  const now = new Date('2026-12-02T10:00:00Z'); // 2026-W49

  it('the date in the file wins over the folder and the import date', () => {
    expect(parseSummaryFile(body(['date: 2026-11-23']), '/x/content/2026-W40/a.md', now).week).toBe('2026-W48');
    expect(parseSummaryFile(body(['date: 2026-11-22']), '/x/content/2026-W40/a.md', now).week).toBe('2026-W47');
  });

  it('without a date, the folder week', () => {
    expect(parseSummaryFile(body([]), '/x/content/2026-W47/a.md', now).week).toBe('2026-W47');
  });

  it('without a date or a week folder, the import date', () => {
    expect(parseSummaryFile(body([]), '/x/content/a.md', now).week).toBe('2026-W49');
  });

  it('a .txt file is read as the Signal format, with the folder week', () => {
    const s = parseSummaryFile(seed, '/x/content/2026-W48/kelsey.txt', now);
    expect(s.title).toBe('Kubernetes and retiring at the top with Kelsey Hightower');
    expect(s.week).toBe('2026-W48');
    expect(s.key).toBe('2026-W48/kelsey');
  });

  it('errors carry the file name given', () => {
    const e = contentError(() => parseSummaryFile('no tag here\n', '/x/content/2026-W47/bad.txt', now));
    expect(e.file).toBe('/x/content/2026-W47/bad.txt');
    expect(e.line).toBe(1);
  });

  it('schema problems (an over-long tag) become a ContentError', () => {
    const e = contentError(() => parseSummaryFile(md(['title: T', `tags: [${'x'.repeat(61)}]`]), '/x/a.md', now));
    expect(e.file).toBe('/x/a.md');
    expect(e.line).toBe(3); // the tags line, not line 1
    expect(e.problem).toBe(`the tag "${'x'.repeat(29)}…" is 61 characters long; the limit is 60`);
  });
});

describe('folderWeek and sourceKey', () => {
  it('finds the nearest valid week folder', () => {
    expect(folderWeek('/x/content/2026-W47/a.md')).toBe('2026-W47');
    expect(folderWeek('/x/2026-W40/notes/2026-W47/a.md')).toBe('2026-W47');
    expect(folderWeek('/x/2026-W47/sub/a.md')).toBe('2026-W47');
    expect(folderWeek('/x/content/a.md')).toBeUndefined();
  });

  it('ignores folders that look like weeks but are not', () => {
    expect(folderWeek('/x/2025-W53/a.md')).toBeUndefined();
    expect(folderWeek('/x/2026-W00/a.md')).toBeUndefined();
    expect(folderWeek('/x/2026-W7/a.md')).toBeUndefined();
  });

  it('does not treat the file name as a folder', () => {
    expect(folderWeek('/x/2026-W47')).toBeUndefined();
  });

  it("keys a file by its summary's week and its name without folders or extension, the same from any path", () => {
    expect(sourceKey('/a/content/2026-W47/talk.md', '2026-W47')).toBe('2026-W47/talk');
    expect(sourceKey('talk.md', '2026-W47')).toBe('2026-W47/talk');
    expect(sourceKey('/a/2026-W47/sub/talk.markdown', '2026-W47')).toBe('2026-W47/talk');
    expect(sourceKey('Cafe\u0301.txt', '2026-W47')).toBe('2026-W47/Caf\u00e9');
  });

  it('parseSummaryFile: the same file has the same key from a week folder, bare, or with the week given', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const text = readFileSync('content/2026-W48/rust-async-cancellation-the-footgun-in-your-select-loop.md', 'utf8');
    const keys = [
      parseSummaryFile(text, '/x/content/2026-W48/rust-async-cancellation-the-footgun-in-your-select-loop.md', now).key,
      parseSummaryFile(text, 'rust-async-cancellation-the-footgun-in-your-select-loop.md', now, '2026-W48').key,
      parseSummaryFile(text, 'rust-async-cancellation-the-footgun-in-your-select-loop.md', now).key,
    ];
    expect(new Set(keys).size).toBe(1);
  });
});
