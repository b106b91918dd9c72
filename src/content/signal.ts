// The plain "Signal" text format (see tests/fixtures/signal-summary.txt): a first "Tag:" line, the
// title, then headed blocks. Real files have CRLF endings, empty values and stray markup: content is
// kept exactly as written (it is escaped when rendered), only white space at line ends is trimmed.
import { cleanTagList } from '../lib/tags.ts';
import { checkSummary, ContentError, parseDuration, truncate, type Summary } from './summary.ts';

export interface ParseContext {
  file: string;
  key: string;
  /** The week when the file itself says none (folder, else import date). */
  fallbackWeek: string;
}

type Block = 'signal' | 'case' | 'take' | 'tags';
const HEADINGS: [RegExp, Block][] = [
  [/^the signal:?$/i, 'signal'],
  [/^the case:?$/i, 'case'],
  [/^the 1[- ]minute signal take:?$/i, 'take'],
  [/^tags:?$/i, 'tags'],
];
// "s": a U+2028 inside a line is text, not the end of the match.
const TAG_LINE = /^tag:\s*(.*)$/is;
const TIME_SAVED = /^time saved:\s*(.*)$/is;
const BULLET = /^[-*+•]\s+(.*)$/s;

export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

export function parseSignal(text: string, ctx: ParseContext): Summary {
  // trimEnd, not /\s+$/: that regex is quadratic on a long run of spaces inside a line.
  const lines = splitLines(text).map((l) => l.trimEnd());
  const fail = (line: number, problem: string): never => {
    throw new ContentError(ctx.file, line, problem);
  };

  let i = 0;
  const skipBlank = () => {
    while (i < lines.length && lines[i]!.trim() === '') i++;
  };
  skipBlank();
  if (i >= lines.length) fail(0, 'is empty');
  const first = TAG_LINE.exec(lines[i]?.trim() ?? '');
  if (!first) fail(i + 1, 'expected the first line to be "Tag: NAME" (the primary tag)');
  const primary = first![1]!.trim();
  if (!primary) fail(i + 1, '"Tag:" has no tag name');
  const primaryLine = i + 1;
  i++;
  skipBlank();
  const titleLine = i + 1;
  const title = lines[i]?.trim() ?? '';
  if (!title || HEADINGS.some(([re]) => re.test(title))) fail(titleLine, 'expected the title on the line after "Tag:"');
  i++;

  const blocks: Record<Block, { line: number; lines: string[]; at: number[] } | undefined> = {
    signal: undefined,
    case: undefined,
    take: undefined,
    tags: undefined,
  };
  let current: Block | undefined;
  let timeSaved: number | null = null;
  let timeLine = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    const heading = HEADINGS.find(([re]) => re.test(line));
    if (heading) {
      current = heading[1];
      if (blocks[current]) fail(i + 1, `"${line}" appears twice`);
      blocks[current] = { line: i + 1, lines: [], at: [] };
      continue;
    }
    const ts = TIME_SAVED.exec(line);
    if (ts) {
      const minutes = parseDuration(ts[1]!);
      if (minutes === undefined) fail(i + 1, `cannot read the time saved "${truncate(ts[1]!)}" (expected e.g. "38 min" or "1h 05m")`);
      timeSaved = minutes ?? null;
      timeLine = i + 1;
      current = undefined;
      continue;
    }
    if (line === '') continue;
    if (!current) fail(i + 1, `unexpected text outside any section: "${truncate(line)}"`);
    blocks[current!]!.lines.push(line);
    blocks[current!]!.at.push(i + 1);
  }

  const need = (b: Block, name: string) => {
    const block = blocks[b];
    if (!block) fail(lines.length, `missing the "${name}" section`);
    if (block!.lines.length === 0) fail(block!.line, `the "${name}" section is empty`);
    return block!;
  };
  const signalBlock = need('signal', 'The Signal');
  const caseBlock = need('case', 'The Case');
  const points = casePoints(caseBlock, fail);
  const takeBlock = need('take', 'The 1 Minute Signal Take');

  const tagLines = [{ name: primary, line: primaryLine }];
  const tagBlock = blocks.tags;
  if (tagBlock) {
    tagBlock.lines.forEach((l, n) => {
      const m = TAG_LINE.exec(l);
      if (!m) fail(tagBlock.at[n]!, `expected "Tag: NAME" in the Tags section, got "${truncate(l)}"`);
      tagLines.push({ name: m![1]!, line: tagBlock.at[n]! });
    });
  }
  const tags = cleanTagList(tagLines);
  const summary: Summary = {
    key: ctx.key,
    title,
    signal: signalBlock.lines.join(' '),
    case: points.map((p) => p.text),
    take: takeBlock.lines.join(' '),
    timeSavedMinutes: timeSaved,
    tags: tags.map((t) => t.name),
    week: ctx.fallbackWeek,
    date: null,
    sourceUrl: null,
  };
  return checkSummary(
    summary,
    {
      key: 0,
      title: titleLine,
      signal: signalBlock.line,
      take: takeBlock.line,
      case: points.map((p) => p.line),
      caseHeading: caseBlock.line,
      tags: tags.map((t) => t.line),
      tagsHeading: tagBlock?.line ?? primaryLine,
      timeSavedMinutes: timeLine,
      date: 0,
      sourceUrl: 0,
    },
    ctx.file,
  );
}

/** "- " bullets (also "* ", "+ ", "• "); a line that is not a bullet continues the one before it. */
export function casePoints(
  block: { lines: string[]; at: number[] },
  fail: (line: number, problem: string) => never,
): { text: string; line: number }[] {
  const points: { text: string; line: number }[] = [];
  block.lines.forEach((l, n) => {
    const b = BULLET.exec(l);
    if (b) points.push({ text: b[1]!.trim(), line: block.at[n]! });
    else if (points.length > 0)
      points[points.length - 1]!.text += ` ${l}`; // a wrapped bullet
    else fail(block.at[n]!, `"The Case" should be a list of "- " bullets, got "${truncate(l)}"`);
  });
  return points;
}
