// Hostile input for the content parsers and the file walk: every row names the file, its content (or
// kind) and the exact FILE:LINE: problem it must give, or what must survive when it is accepted.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeUtf8, findContentFiles, loadSummaryFile, parseSummaryFile, readContentFile } from '../../src/content/import.ts';
import { splitLines } from '../../src/content/signal.ts';
import { CONTENT_LIMITS as L, ContentError, Summary } from '../../src/content/summary.ts';
import { signalLines } from '../support/summary-files.ts';

const now = new Date('2026-12-02T10:00:00Z'); // 2026-W49

/** A valid Signal file (see signalLines for its line numbers). */
const signal = (over: Parameters<typeof signalLines>[0] = {}): string => signalLines(over).join('\n');

/** A valid Markdown file; front matter from line 2, body after the closing "---". */
function md(front: string[] = ['title: T', 'tags: [Rust]'], body = ['## The Signal', 'sig', '## The Case', '- a', '## The 1 Minute Signal Take', 'take']): string {
  return ['---', ...front, '---', ...body].join('\n') + '\n';
}
const mdBody = (signalLines: string[], caseLines: string[], takeLines: string[]) => [
  '## The Signal',
  ...signalLines,
  '## The Case',
  ...caseLines,
  '## The 1 Minute Signal Take',
  ...takeLines,
];

const CONTROL = /only tab and line ends are allowed$/;

interface Row {
  name: string;
  /** The file name decides the format (.txt: Signal; else Markdown) and the week folder. */
  file?: string;
  /** Text, or bytes (decoded as the importer does). */
  content: string | Buffer;
  /** Expected problem: the line, and the exact problem or a pattern. */
  line?: number;
  problem?: string | RegExp;
  /** For accepted files: checks on the summary. */
  ok?: (s: Summary) => void;
}

const TXT = 'content/2026-W48/s.txt';
const MD = 'content/2026-W48/m.md';

const rows: Row[] = [
  // --- control characters: raw in the text, or escaped in YAML ---
  { name: 'raw NUL in a .txt title', file: TXT, content: signal({ title: ['A ti\u0000tle'] }), line: 2, problem: 'contains a control character (U+0000 NUL); only tab and line ends are allowed' },
  { name: 'raw NUL in a case bullet', file: TXT, content: signal({ case: ['The Case', '- one', '- t\u0000wo'] }), line: 7, problem: CONTROL },
  { name: 'raw NUL in the first two characters hints at UTF-16', file: TXT, content: 'T\u0000a\u0000g\u0000', line: 1, problem: /U\+0000 NUL.*is it UTF-16/ },
  { name: 'ESC in the Signal', file: TXT, content: signal({ signal: ['The Signal', 'colour \u001b[31mred'] }), line: 4, problem: /\(U\+001B ESC\)/ },
  { name: 'BEL', file: TXT, content: signal({ take: ['The 1 Minute Signal Take', 'ding\u0007'] }), line: 9, problem: /\(U\+0007\)/ },
  { name: 'vertical tab (not a line end)', file: TXT, content: signal({ title: ['a\u000bb'] }), line: 2, problem: /U\+000B vertical tab/ },
  { name: 'form feed', file: TXT, content: signal({ tags: ['Tags', 'Tag: Rust', '\u000c'] }), line: 13, problem: /U\+000C form feed/ },
  { name: 'DEL', file: TXT, content: signal({ title: ['a\u007fb'] }), line: 2, problem: /U\+007F DEL/ },
  { name: 'C1 control (NEL)', file: TXT, content: signal({ title: ['a\u0085b'] }), line: 2, problem: /U\+0085/ },
  { name: 'raw NUL in YAML front matter', file: MD, content: md(['title: a\u0000b', 'tags: [Rust]']), line: 2, problem: CONTROL },
  { name: 'YAML "\\0" in the title', file: MD, content: md(['title: "a\\0b"', 'tags: [Rust]']), line: 2, problem: 'the title contains a control character (U+0000 NUL); only tab is allowed' },
  { name: 'YAML "\\u0000" in the title', file: MD, content: md(['tags: [Rust]', 'title: "a\\u0000b"']), line: 3, problem: /^the title contains a control character \(U\+0000 NUL\)/ },
  { name: 'YAML "\\x1b" in a tag', file: MD, content: md(['title: T', 'tags:', '  - Rust', '  - "Go\\x1b"']), line: 5, problem: /^the tag contains a control character \(U\+001B ESC\)/ },
  { name: 'YAML "\\0" in source_url', file: MD, content: md(['title: T', 'tags: [Rust]', 'source_url: "https://example.org/a\\0b"']), line: 4, problem: /control character \(U\+0000 NUL\)/ },
  { name: 'YAML "\\0" in id', file: MD, content: md(['title: T', 'tags: [Rust]', 'id: "a\\0"']), line: 4, problem: '"id" contains a control character (U+0000 NUL)' },
  { name: 'YAML "\\e" in the date', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: "2026-11-23\\e"']), line: 4, problem: '"date" must be a date like 2026-11-23, got "2026-11-23 "' },
  { name: 'a raw NUL in the Markdown body', file: MD, content: md(undefined, mdBody(['s\u0000'], ['- a'], ['t'])), line: 6, problem: CONTROL },

  // --- impossible dates, every way YAML can spell them ---
  { name: 'month 13', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2026-13-45']), line: 4, problem: '"date" must be a date like 2026-11-23, got "2026-13-45"' },
  { name: 'month 13, day 1 (Date.UTC rolls over into a real date)', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2026-13-01']), line: 4, problem: '"date" must be a date like 2026-11-23, got "2026-13-01"' },
  { name: 'month 00', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2026-00-10']), line: 4, problem: /got "2026-00-10"/ },
  { name: 'Feb 30', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2026-02-30']), line: 4, problem: /got "2026-02-30"/ },
  { name: 'Feb 29 of a common year', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2026-02-29']), line: 4, problem: /got "2026-02-29"/ },
  { name: 'month 13 quoted', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: "2026-13-45"']), line: 4, problem: /got "2026-13-45"/ },
  { name: 'month 13 with a time', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2026-13-45T10:00:00Z']), line: 4, problem: /got "2026-13-45T10:00:00Z"/ },
  { name: 'a date as a number', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 20261123']), line: 4, problem: '"date" must be a date like 2026-11-23, got "20261123"' },
  { name: 'a date as a list', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: [2026-11-23]']), line: 4, problem: '"date" must be text, not a list or a mapping' },
  { name: 'a date before 1970', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 0026-01-01']), line: 4, problem: /got "0026-01-01"|out of range/ },
  { name: 'a date with garbage after it', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2026-11-23 or so']), line: 4, problem: /got "2026-11-23 or so"/ },
  { name: 'a leap day and a time zone are fine', file: MD, content: md(['title: T', 'tags: [Rust]', 'date: 2028-02-29 23:30:00 +01:00']), ok: (s) => expect([s.date, s.week]).toEqual(['2028-02-29', '2028-W09']) },
  { name: 'a %YAML 1.1 directive (timestamps would become Dates)', file: MD, content: md(['%YAML 1.1', 'title: T', 'tags: [Rust]', 'date: 2026-13-45']), line: 3, problem: /^front matter: / },

  // --- time saved that would overflow the int column, or just cannot be ---
  { name: 'Time saved: 99999999999 min', file: TXT, content: signal({ time: ['Time saved: 99999999999 min'] }), line: 10, problem: 'the time saved (99999999999 min) is more than the limit of 1440 min (24 h)' },
  { name: 'Time saved: 25 h', file: TXT, content: signal({ time: ['Time saved: 25 h'] }), line: 10, problem: /\(1500 min\) is more than the limit/ },
  { name: 'Time saved: 24 h is the limit, accepted', file: TXT, content: signal({ time: ['Time saved: 24 h'] }), ok: (s) => expect(s.timeSavedMinutes).toBe(L.timeSavedMinutes) },
  { name: 'Time saved: 400 digits', file: TXT, content: signal({ time: [`Time saved: ${'9'.repeat(400)}`] }), line: 10, problem: /^cannot read the time saved "9{59}…"/ },
  { name: 'time_saved as a huge YAML number', file: MD, content: md(['title: T', 'tags: [Rust]', 'time_saved: 99999999999']), line: 4, problem: /99999999999 min\) is more than the limit/ },
  { name: 'time_saved as a list', file: MD, content: md(['title: T', 'tags: [Rust]', 'time_saved: [25 min]']), line: 4, problem: '"time_saved" must be text, not a list or a mapping' },

  // --- YAML alias bombs and other YAML features front matter does not need ---
  {
    name: 'billion laughs',
    file: MD,
    content: md([
      'title: T',
      'tags: [Rust]',
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...'bcdefghi'.split('').map((c, n) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[n]}`).join(',')}]`),
    ]),
    line: 4,
    problem: 'front matter may not use YAML anchors or aliases ("&name", "*name")',
  },
  { name: 'one harmless alias is refused too', file: MD, content: md(['title: &t T', 'tags: [Rust]', 'x: *t']), line: 2, problem: /anchors or aliases/ },
  { name: 'a merge key', file: MD, content: md(['title: T', 'tags: [Rust]', 'base: {x: 1}', 'm:', '  <<: *base']), line: 6, problem: /anchors or aliases|front matter: / },
  { name: 'an unknown YAML tag', file: MD, content: md(['title: !shell T', 'tags: [Rust]']), line: 2, problem: 'front matter: Unresolved tag: !shell' },
  { name: 'deeply nested flow lists', file: MD, content: md(['title: T', 'tags: [Rust]', `x: ${'['.repeat(6000)}${']'.repeat(6000)}`]), line: 4, problem: /^front matter: / },
  { name: 'a YAML syntax error names a front-matter line', file: MD, content: md(['title: T', 'tags: [Rust', 'date: 2026-11-23']), line: 4, problem: /^front matter: / },

  // --- wrong types in front matter: each at its key's (or item's) line ---
  { name: 'tags as a mapping', file: MD, content: md(['title: T', 'tags: {Rust: 1}']), line: 3, problem: '"tags" must be a list, e.g. tags: [Rust, Databases]' },
  { name: 'a tag that is a mapping', file: MD, content: md(['title: T', 'tags:', '  - Rust', '  - {name: Go}']), line: 5, problem: 'each tag must be a name, e.g. tags: [Rust, Databases]' },
  { name: 'a tag that is a list', file: MD, content: md(['title: T', 'tags: [Rust, [Go]]']), line: 3, problem: /^each tag must be a name/ },
  { name: 'title as a list', file: MD, content: md(['title: [a, b]', 'tags: [Rust]']), line: 2, problem: '"title" must be text, not a list or a mapping' },
  { name: 'title as a mapping on the next lines', file: MD, content: md(['tags: [Rust]', 'title:', '  a: b']), line: 3, problem: '"title" must be text, not a list or a mapping' },
  { name: 'source_url as a list', file: MD, content: md(['title: T', 'tags: [Rust]', 'source_url: [https://a.example]']), line: 4, problem: '"source_url" must be text, not a list or a mapping' },
  { name: 'id as an object', file: MD, content: md(['title: T', 'tags: [Rust]', 'id: {a: 1}']), line: 4, problem: '"id" must be text, not a list or a mapping' },
  { name: 'the front matter as a list', file: MD, content: md(['- title: T']), line: 2, problem: 'the front matter must be "key: value" lines' },
  { name: 'the front matter as a scalar', file: MD, content: md(['just words']), line: 2, problem: 'the front matter must be "key: value" lines' },
  { name: 'an empty front matter', file: MD, content: md([]), line: 1, problem: /^the front matter is empty/ },
  { name: 'a number title is kept as written', file: MD, content: md(['title: 1.10', 'tags: [2026, true]']), ok: (s) => expect([s.title, s.tags]).toEqual(['1.10', ['2026', 'true']]) },
  { name: 'a block-scalar title is folded to one line', file: MD, content: md(['title: |', '  line one', '  line two', 'tags: [Rust]']), ok: (s) => expect(s.title).toBe('line one line two') },
  { name: 'title: null is no title', file: MD, content: md(['title: null', 'tags: [Rust]']), line: 2, problem: 'front matter has no "title"' },
  { name: 'unknown keys are ignored', file: MD, content: md(['title: T', 'tags: [Rust]', 'author: {name: x, mail: [a, b]}', '? [complex, key]', ': value']), ok: (s) => expect(s.title).toBe('T') },
  { name: 'tags: [] names the tags line', file: MD, content: md(['title: T', 'date: 2026-11-23', 'tags: []']), line: 4, problem: 'front matter has no "tags"' },
  { name: 'tags of white space only', file: MD, content: md(['title: T', 'tags: [" ", "  "]']), line: 3, problem: 'front matter has no "tags"' },
  { name: 'a duplicated key names its second line', file: MD, content: md(['title: T', 'tags: [Rust]', 'title: U']), line: 4, problem: '"title" appears twice in the front matter' },
  { name: 'a duplicated key, once quoted', file: MD, content: md(['title: T', '"tags": [Go]', 'tags: [Rust]']), line: 4, problem: '"tags" appears twice in the front matter' },
  { name: 'a non-http source_url', file: MD, content: md(['title: T', 'tags: [Rust]', 'source_url: javascript:alert(1)']), line: 4, problem: '"source_url" must be an http(s) URL' },
  { name: 'an http source_url that is no URL', file: MD, content: md(['title: T', 'tags: [Rust]', 'source_url: "https://[::1"']), line: 4, problem: '"source_url" is not a valid http(s) URL' },

  // --- limits: each problem at the line to look at ---
  { name: `a title of ${L.titleChars + 1} characters`, file: TXT, content: signal({ title: ['t'.repeat(L.titleChars + 1)] }), line: 2, problem: `the title is ${L.titleChars + 1} characters long; the limit is ${L.titleChars}` },
  { name: `a title of ${L.titleChars} characters is fine`, file: TXT, content: signal({ title: ['t'.repeat(L.titleChars)] }), ok: (s) => expect(s.title).toHaveLength(L.titleChars) },
  { name: 'an over-long Markdown title', file: MD, content: md(['tags: [Rust]', `title: ${'t'.repeat(L.titleChars + 1)}`]), line: 3, problem: /^the title is 301 characters long/ },
  { name: 'a huge Signal (the heading line)', file: TXT, content: signal({ signal: ['The Signal', 's'.repeat(L.signalChars), 'more'] }), line: 3, problem: `"The Signal" is ${L.signalChars + 5} characters long; the limit is ${L.signalChars}` },
  { name: 'a huge take', file: MD, content: md(undefined, mdBody(['s'], ['- a'], ['', 't'.repeat(L.takeChars + 1)])), line: 9, problem: /^"The 1 Minute Signal Take" is 10001 characters long/ },
  {
    name: `${L.casePoints + 1} case points: the first one past the limit`,
    file: TXT,
    content: signal({ case: ['The Case', ...Array.from({ length: L.casePoints + 1 }, (_, n) => `- point ${n}`)] }),
    line: 6 + L.casePoints,
    problem: `"The Case" has more than ${L.casePoints} points`,
  },
  { name: 'an over-long case point (its bullet line, though wrapped)', file: TXT, content: signal({ case: ['The Case', '- ok', '- x', 'x'.repeat(L.casePointChars), '- ok'] }), line: 7, problem: /^a "The Case" point is 2002 characters long; the limit is 2000$/ },
  {
    name: `${L.tags + 1} tags: the first one past the limit`,
    file: TXT,
    content: signal({ tags: ['Tags', ...Array.from({ length: L.tags }, (_, n) => `Tag: t${n}`)] }), // and the primary tag
    line: 11 + L.tags,
    problem: `has more than ${L.tags} tags`,
  },
  { name: 'repeated tags count once', file: TXT, content: signal({ tags: ['Tags', ...Array.from({ length: 100 }, () => 'Tag: rust')] }), ok: (s) => expect(s.tags).toEqual(['Rust']) },
  { name: 'an over-long tag in the Tags section', file: TXT, content: signal({ tags: ['Tags', 'Tag: Go', `Tag: ${'g'.repeat(61)}`] }), line: 13, problem: /^the tag "g{29}…" is 61 characters long; the limit is 60$/ },
  { name: 'an over-long primary tag', file: TXT, content: signal({ tag: [`Tag: ${'g'.repeat(61)}`] }), line: 1, problem: /is 61 characters long/ },
  { name: 'an over-long source_url', file: MD, content: md(['title: T', 'tags: [Rust]', `source_url: https://e.example/${'a'.repeat(L.sourceUrlChars)}`]), line: 4, problem: `"source_url" is ${18 + L.sourceUrlChars} characters long; the limit is ${L.sourceUrlChars}` },
  { name: 'an over-long id', file: MD, content: md(['title: T', 'tags: [Rust]', `id: ${'i'.repeat(L.idChars + 1)}`]), line: 4, problem: `"id" is ${L.idChars + 1} characters long; the limit is ${L.idChars}` },
  // 22 characters for title and tags, then 57 a line: the 288th "kNNN" line (file line 291) passes 16 KiB.
  { name: 'an over-long front matter', file: MD, content: md(['title: T', 'tags: [Rust]', ...Array.from({ length: 400 }, (_, n) => `k${String(n).padStart(3, '0')}: ${'v'.repeat(50)}`)]), line: 291, problem: `the front matter is longer than ${L.frontMatterChars} characters` },
  { name: 'a line with 200 000 spaces inside (no quadratic trim)', file: TXT, content: signal({ signal: ['The Signal', `a${' '.repeat(200_000)}b`] }), line: 3, problem: /^"The Signal" is 200002 characters long/ },
  { name: 'a Markdown heading with 100 000 spaces inside', file: MD, content: md(undefined, [`## The Signal${' '.repeat(100_000)}x`, 's', '## The Case', '- a', '## The 1 Minute Signal Take', 't']), line: 11, problem: 'missing the "## The Signal" section' },

  // --- line ends, BOM and characters that must survive ---
  { name: 'CRLF line ends', file: TXT, content: signal().replace(/\n/g, '\r\n'), ok: (s) => expect(s.case).toEqual(['first point', 'second point']) },
  { name: 'CR-only line ends', file: TXT, content: signal().replace(/\n/g, '\r'), ok: (s) => expect([s.title, s.timeSavedMinutes]).toEqual(['A title', 12]) },
  { name: 'CR-only Markdown', file: MD, content: md(['title: T', 'tags: [Rust, Go]']).replace(/\n/g, '\r'), ok: (s) => expect(s.tags).toEqual(['Rust', 'Go']) },
  { name: 'a CR-only error still names its line', file: TXT, content: signal({ time: ['Time saved: soon'] }).replace(/\n/g, '\r'), line: 10, problem: /cannot read the time saved "soon"/ },
  { name: 'a UTF-8 BOM', file: MD, content: `\uFEFF${md()}`, ok: (s) => expect(s.title).toBe('T') },
  { name: 'tabs inside text are kept', file: TXT, content: signal({ title: ['A\ttitle'], case: ['The Case', '- a\tb'] }), ok: (s) => expect([s.title, s.case[0]]).toEqual(['A\ttitle', 'a\tb']) },
  { name: 'a YAML "\\t" in the title is kept', file: MD, content: md(['title: "a\\tb"', 'tags: [Rust]']), ok: (s) => expect(s.title).toBe('a\tb') },
  {
    name: 'zero-width and right-to-left characters are kept',
    file: TXT,
    content: signal({ title: ['zero\u200bwidth \u202eevil\u202c \u200fשלום'], tags: ['Tags', 'Tag: Go \u202eRTL\u200b'] }),
    ok: (s) => {
      expect(s.title).toBe('zero\u200bwidth \u202eevil\u202c \u200fשלום');
      expect(s.tags).toEqual(['Rust', 'Go \u202eRTL\u200b']);
    },
  },
  { name: 'U+2028 inside a bullet is text', file: TXT, content: signal({ case: ['The Case', '- a\u2028b'] }), ok: (s) => expect(s.case).toEqual(['a\u2028b']) },
  { name: 'a written U+FFFD is text', file: TXT, content: Buffer.from(signal({ title: ['broken \uFFFD kept'] })), ok: (s) => expect(s.title).toBe('broken \uFFFD kept') },
  { name: 'stray HTML is kept', file: MD, content: md(['title: "<script>x</script>"', 'tags: ["<b>AI</b>"]']), ok: (s) => expect([s.title, s.tags]).toEqual(['<script>x</script>', ['<b>AI</b>']]) },

  // --- invalid UTF-8 (a lone surrogate cannot survive decoding: its bytes are invalid UTF-8) ---
  { name: 'an invalid byte on line 3', file: TXT, content: Buffer.concat([Buffer.from('Tag: Rust\nTitle\nThe '), Buffer.from([0xc3, 0x28]), Buffer.from('Signal\n')]), line: 3, problem: 'is not valid UTF-8 text (save it as UTF-8)' },
  { name: 'Latin-1 bytes after a written U+FFFD', file: TXT, content: Buffer.concat([Buffer.from('Tag: Rust\n\uFFFD\r\ncaf'), Buffer.from([0xe9]), Buffer.from('\n')]), line: 3, problem: /not valid UTF-8/ },
  { name: 'a UTF-8-encoded surrogate (CESU-8)', file: TXT, content: Buffer.from([0x54, 0x61, 0x67, 0x0a, 0xed, 0xa0, 0x80, 0x0a]), line: 2, problem: /not valid UTF-8/ },
  { name: 'an overlong NUL (C0 80)', file: TXT, content: Buffer.from([0x0d, 0x0d, 0xc0, 0x80]), line: 3, problem: /not valid UTF-8/ },
  { name: 'UTF-16 with a BOM', file: TXT, content: Buffer.from('\uFEFFTag: Rust\n', 'utf16le'), line: 1, problem: 'is UTF-16 text; save it as UTF-8' },

  // --- empty files ---
  { name: 'an empty .txt', file: TXT, content: '', line: 0, problem: 'is empty' },
  { name: 'an empty .md', file: MD, content: '', line: 0, problem: 'is empty' },
  { name: 'only white space', file: TXT, content: ' \r\n\t\n  \r', line: 0, problem: 'is empty' },
  { name: 'only white space and a BOM (.md)', file: MD, content: '\uFEFF\n \n', line: 0, problem: 'is empty' },
];

function parseRow(row: Row): Summary {
  const file = row.file ?? MD;
  const text = typeof row.content === 'string' ? row.content : decodeUtf8(row.content, file);
  return parseSummaryFile(text, file, now);
}

describe('hostile content: parseSummaryFile reports FILE:LINE: problem, or keeps the text as written', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const file = row.file ?? MD;
    if (row.ok) {
      const s = parseRow(row);
      expect(Summary.safeParse(s).success).toBe(true);
      row.ok(s);
      return;
    }
    let error: unknown;
    try {
      parseRow(row);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContentError);
    const e = error as ContentError;
    expect({ file: e.file, line: e.line }).toEqual({ file, line: row.line });
    if (typeof row.problem === 'string') expect(e.problem).toBe(row.problem);
    else expect(e.problem).toMatch(row.problem!);
    expect(e.message).toBe(row.line! > 0 ? `${file}:${row.line}: ${e.problem}` : `${file}: ${e.problem}`);
    expect(e.message).not.toMatch(/[\u0000-\u001f]/); // always one line
  });

  it('refuses a file name with a control character, and reports it on one line', () => {
    const e = (() => {
      try {
        parseSummaryFile(signal(), 'content/2026-W48/a\u0007b.txt', now);
      } catch (err) {
        return err as ContentError;
      }
      throw new Error('accepted');
    })();
    expect(e.message).toBe('content/2026-W48/a\\u0007b.txt: the file name contains a control character; rename the file');
  });

  it('names a file with a control character on one line', () => {
    const e = new ContentError('content/a\nb.md', 3, 'bad "x\u0000y"');
    expect(e.message).toBe('content/a\\u000ab.md:3: bad "x\\u0000y"');
  });
});

// ------------------------------------------------------------------------------------------------
// The file walk and the read: special files, links, sizes. Real files in a temporary folder.

describe('hostile files: the walk and the read', () => {
  let dir: string;
  let server: Server | undefined;
  const good = signal();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tagcast-hostile-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A folder of its own per case, so results are about that case alone. */
  const folder = (name: string) => {
    const d = path.join(dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const rel = (p: string) => path.relative(process.cwd(), p);

  interface FileCase {
    name: string;
    make: (d: string) => void | Promise<void>;
    /** Expected problems, as messages with the folder written as "D". */
    errors: (string | RegExp)[];
    /** Expected file list (names relative to the folder). */
    files: string[];
  }
  const cases: FileCase[] = [
    {
      name: 'a FIFO is reported as not a regular file and never opened',
      make: (d) => {
        writeFileSync(path.join(d, 'a-good.txt'), good);
        execFileSync('mkfifo', [path.join(d, 'pipe.md')]);
      },
      errors: ['D/pipe.md: is not a regular file (it is a named pipe (FIFO)); not read'],
      files: ['a-good.txt'],
    },
    {
      name: 'a device behind a link',
      make: (d) => symlinkSync('/dev/zero', path.join(d, 'zero.txt')),
      errors: ['D/zero.txt: is not a regular file (it is a character device); not read'],
      files: [],
    },
    {
      name: 'a socket',
      make: async (d) => {
        server = createServer();
        await new Promise<void>((resolve) => server!.listen(path.join(d, 'sock.md'), resolve));
      },
      errors: ['D/sock.md: is not a regular file (it is a socket); not read'],
      files: [],
    },
    {
      name: 'special files without a summary name are ignored, like any other file',
      make: (d) => {
        execFileSync('mkfifo', [path.join(d, 'pipe')]);
        writeFileSync(path.join(d, 'notes.json'), '{}');
      },
      errors: [],
      files: [],
    },
    {
      name: 'a file over the size limit is reported from stat, with its size',
      make: (d) => {
        writeFileSync(path.join(d, 'big.txt'), '');
        execFileSync('truncate', ['-s', '10M', path.join(d, 'big.txt')]); // sparse: 10 MB that cost nothing
      },
      errors: [`D/big.txt: is 10.0 MiB; a summary file may be at most ${L.fileBytes / 1024} KiB`],
      files: [],
    },
    {
      name: 'one byte over the limit',
      make: (d) => writeFileSync(path.join(d, 'over.txt'), Buffer.alloc(L.fileBytes + 1, 0x20)),
      errors: [`D/over.txt: is 257 KiB; a summary file may be at most 256 KiB`],
      files: [],
    },
    {
      name: 'exactly the limit is read',
      make: (d) => writeFileSync(path.join(d, 'full.txt'), good + ' '.repeat(L.fileBytes - Buffer.byteLength(good))),
      errors: [],
      files: ['full.txt'],
    },
    {
      name: 'a link back to its own folder is one loop line, and the good file is listed once',
      make: (d) => {
        writeFileSync(path.join(d, 'good.txt'), good);
        symlinkSync('.', path.join(d, 'link'));
        mkdirSync(path.join(d, 'sub'));
        symlinkSync('..', path.join(d, 'sub', 'up'));
      },
      errors: [/^D\/link: is a symbolic link loop \(it leads back to .*\); not followed$/, /^D\/sub\/up: is a symbolic link loop/],
      files: ['good.txt'],
    },
    {
      name: 'links that point at each other (ELOOP)',
      make: (d) => {
        symlinkSync('b.md', path.join(d, 'a.md'));
        symlinkSync('a.md', path.join(d, 'b.md'));
      },
      errors: ['D/a.md: is a symbolic link loop', 'D/b.md: is a symbolic link loop'],
      files: [],
    },
    {
      name: 'a broken link',
      make: (d) => symlinkSync('nowhere.md', path.join(d, 'gone.md')),
      errors: ['D/gone.md: is a broken symbolic link (its target does not exist)'],
      files: [],
    },
    {
      name: 'a link to a good file: the file is listed once, under the first name',
      make: (d) => {
        writeFileSync(path.join(d, 'b-real.txt'), good);
        symlinkSync('b-real.txt', path.join(d, 'a-alias.txt'));
        symlinkSync(d, path.join(d, '..', `${path.basename(d)}-again`)); // the same folder under another name
      },
      errors: [],
      files: ['a-alias.txt'],
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const d = folder(c.name.replace(/[^a-z0-9]+/gi, '-'));
    await c.make(d);
    const roots = [d, ...(c.name.startsWith('a link to a good file') ? [`${d}-again`] : [])];
    const r = await findContentFiles(roots);
    const messages = r.errors.map((e) => e.message.split(rel(d)).join('D'));
    expect(messages).toHaveLength(c.errors.length);
    c.errors.forEach((want, n) => (typeof want === 'string' ? expect(messages[n]).toBe(want) : expect(messages[n]).toMatch(want)));
    expect(r.errors.every((e) => e.line === 0)).toBe(true);
    expect(r.files.map((f) => path.relative(d, f.path))).toEqual(c.files);
  });

  it('an explicit path to a FIFO is reported the same way', async () => {
    const d = folder('explicit');
    execFileSync('mkfifo', [path.join(d, 'p.txt')]);
    const r = await findContentFiles([path.join(d, 'p.txt'), '/dev/null']);
    expect(r.errors.map((e) => e.problem)).toEqual([
      'is not a regular file (it is a named pipe (FIFO)); not read',
      'not a summary file (expected .md, .markdown or .txt)',
    ]);
  });

  it('a file that became a FIFO after the walk is refused without waiting for a writer', async () => {
    const d = folder('swapped');
    execFileSync('mkfifo', [path.join(d, 'late.md')]);
    const file = { path: path.join(d, 'late.md'), real: path.join(d, 'late.md') };
    await expect(readContentFile(file)).rejects.toThrow(/late\.md: is not a regular file \(it is a named pipe \(FIFO\)\); not read$/);
  });

  it('loadSummaryFile: reads, decodes and parses; a bad byte names its line', async () => {
    const d = folder('load');
    writeFileSync(path.join(d, 'ok.txt'), good);
    writeFileSync(path.join(d, 'bad.txt'), Buffer.concat([Buffer.from('Tag: Rust\nA title\n'), Buffer.from([0xff])]));
    const ok = await loadSummaryFile({ path: path.join(d, 'ok.txt'), real: path.join(d, 'ok.txt') }, now);
    expect(ok.summary.title).toBe('A title');
    expect(ok.hash).toMatch(/^[0-9a-f]{64}$/);
    await expect(loadSummaryFile({ path: path.join(d, 'bad.txt'), real: path.join(d, 'bad.txt') }, now)).rejects.toMatchObject({
      line: 3,
      problem: 'is not valid UTF-8 text (save it as UTF-8)',
    });
  });

  it('a hard link is a file of its own (only links are resolved)', async () => {
    const d = folder('hard');
    writeFileSync(path.join(d, 'a.txt'), good);
    linkSync(path.join(d, 'a.txt'), path.join(d, 'b.txt'));
    expect((await findContentFiles([d])).files).toHaveLength(2);
  });
});

// ------------------------------------------------------------------------------------------------
// Property-style: thousands of random files from a seeded generator. Whatever they hold,
// parseSummaryFile returns a summary within the schema and limits, or throws a ContentError whose
// line exists in the input — never anything else.

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  // valid lines of both formats
  'Tag: Rust', 'Tag: AI', 'A title', 'The Signal', 'The Case', '- a point', '* another', 'The 1 Minute Signal Take', 'Time saved: 12 min',
  'Tags', '---', '...', 'title: T', 'tags: [Rust, Go]', 'date: 2026-11-23', 'time_saved: 1h 05m', 'source_url: https://example.org/x', 'id: x-1',
  '## The Signal', '## The Case', '## The 1 Minute Signal Take', 'plain words here', '',
  // control characters and odd Unicode
  '\u0000', '\u0007', '\u001b[0m', '\u007f', '\u0085', '\t', '\u000b', '\u000c', '\u2028', '\u202e', '\u200b', '\uFEFF', '\uFFFD', '\uD83D\uDE00',
  // YAML syntax
  '&a', '*a', '&a [x, x]', '[*a, *a]', '{', '}', '[', ']', ': ', '- ', '? ', '|', '>', '!!binary', '!x', '%YAML 1.1', '"\\0"', '"\\u0000"', "'", '"', '#',
  '<<: *a', 'tags: {a: 1}', 'title: [a]', 'date: 2026-13-45', 'date: 20261123', 'id: {x: 1}', 'source_url: [a]', 'tags: []',
  // huge numbers and durations
  'Time saved: 99999999999 min', 'time_saved: 99999999999', '1e400', '9'.repeat(40), 'Time saved: 25 h', '-1', 'NaN', '0x1F',
];

function randomFile(rand: () => number): { file: string; text: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const base = rand() < 0.5 ? signal() : md(['title: T', 'tags: [Rust, Go]', 'date: 2026-11-23', 'time_saved: 25 min']);
  const lines = splitLines(base);
  const edits = Math.floor(rand() * 6);
  for (let n = 0; n < edits; n++) {
    const at = Math.floor(rand() * (lines.length + 1));
    const op = rand();
    if (op < 0.35) lines.splice(at, 0, pick(FRAGMENTS)); // insert a line
    else if (op < 0.6) lines[at] = `${lines[at] ?? ''}${pick(FRAGMENTS)}`; // append to a line
    else if (op < 0.75) lines.splice(at, 1); // delete a line
    else if (op < 0.85) lines[at] = (lines[at] ?? '').repeat(1 + Math.floor(rand() * 200)); // a long line
    else lines.splice(at, 0, pick(FRAGMENTS) + pick(FRAGMENTS) + pick(FRAGMENTS));
  }
  const eol = pick(['\n', '\r\n', '\r']);
  return { file: rand() < 0.5 ? 'content/2026-W48/r.md' : 'content/2026-W48/r.txt', text: lines.join(eol) };
}

describe('random files (seeded): a valid summary or a ContentError on an existing line, nothing else', () => {
  /** What is wrong with one outcome, or undefined. */
  function check(text: string, result: Summary | undefined, error: unknown): string | undefined {
    if (result) {
      if (!Summary.safeParse(result).success) return 'returned a summary the schema refuses';
      const over: [string, number, number][] = [
        ['title', result.title.length, L.titleChars],
        ['signal', result.signal.length, L.signalChars],
        ['take', result.take.length, L.takeChars],
        ['case points', result.case.length, L.casePoints],
        ['case point', Math.max(...result.case.map((c) => c.length)), L.casePointChars],
        ['tags', result.tags.length, L.tags],
        ['tag', Math.max(...result.tags.map((t) => t.length)), L.tagChars],
        ['time saved', result.timeSavedMinutes ?? 0, L.timeSavedMinutes],
      ];
      const broken = over.find(([, n, max]) => n > max);
      if (broken) return `${broken[0]} over its limit`;
      const texts = [result.title, result.signal, result.take, ...result.case, ...result.tags, result.sourceUrl ?? ''];
      if (texts.some((t) => /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(t))) return 'a control character got through';
      return undefined;
    }
    if (!(error instanceof ContentError)) return `threw ${String(error)}`;
    if (error.line < 0 || error.line > splitLines(text).length) return `line ${error.line} is not in the file`;
    if (/[\n\r]/.test(error.message)) return 'the report is not one line';
    return undefined;
  }

  it('holds for 3000 generated files', { timeout: 120_000 }, () => {
    // CONTENT_SEED=n replays another sequence; the default is fixed so a run is repeatable.
    const rand = prng(Number(process.env.CONTENT_SEED ?? 0x7a6ca57));
    const failures: string[] = [];
    let accepted = 0;
    let located = 0;
    for (let n = 0; n < 3000; n++) {
      const { file, text } = randomFile(rand);
      let result: Summary | undefined;
      let error: unknown;
      try {
        result = parseSummaryFile(text, file, now);
        accepted++;
      } catch (e) {
        error = e;
        if (e instanceof ContentError && e.line > 1) located++;
      }
      const wrong = check(text, result, error);
      if (wrong) failures.push(`case ${n} (${file}): ${wrong}: ${JSON.stringify(text).slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
    // The generator must reach both outcomes, or the property says little.
    expect(accepted).toBeGreaterThan(300);
    expect(located).toBeGreaterThan(300);
  });
});
