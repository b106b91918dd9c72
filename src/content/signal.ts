// The plain "Signal" text format (see ../shared/seeds/signal-summary.txt): a first "Tag:" line, the
// title, then headed blocks. Real files have CRLF endings, empty values and stray markup: content is
// kept exactly as written (it is escaped when rendered), only white space at line ends is trimmed.
import { ContentError, cleanTags, parseDuration, type Summary } from './summary.ts';

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
const TAG_LINE = /^tag:\s*(.*)$/i;
const TIME_SAVED = /^time saved:\s*(.*)$/i;
const BULLET = /^[-*+•]\s+(.*)$/;

export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

export function parseSignal(text: string, ctx: ParseContext): Summary {
  const lines = splitLines(text).map((l) => l.replace(/\s+$/, ''));
  const fail = (line: number, problem: string): never => {
    throw new ContentError(ctx.file, line, problem);
  };

  let i = 0;
  const skipBlank = () => {
    while (i < lines.length && lines[i]!.trim() === '') i++;
  };
  skipBlank();
  const first = TAG_LINE.exec(lines[i]?.trim() ?? '');
  if (!first) fail(i + 1, 'expected the first line to be "Tag: NAME" (the primary tag)');
  const primary = first![1]!.trim();
  if (!primary) fail(i + 1, '"Tag:" has no tag name');
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
      if (minutes === undefined) fail(i + 1, `cannot read the time saved "${ts[1]}" (expected e.g. "38 min" or "1h 05m")`);
      timeSaved = minutes ?? null;
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
  const signal = need('signal', 'The Signal').lines.join(' ');
  const caseBlock = need('case', 'The Case');
  const points = casePoints(caseBlock, fail);
  const take = need('take', 'The 1 Minute Signal Take').lines.join(' ');

  const tagLines: string[] = [primary];
  const tagBlock = blocks.tags;
  if (tagBlock) {
    tagBlock.lines.forEach((l, n) => {
      const m = TAG_LINE.exec(l);
      if (!m) fail(tagBlock.at[n]!, `expected "Tag: NAME" in the Tags section, got "${truncate(l)}"`);
      tagLines.push(m![1]!);
    });
  }
  return {
    key: ctx.key,
    title,
    signal,
    case: points,
    take,
    timeSavedMinutes: timeSaved,
    tags: cleanTags(tagLines),
    week: ctx.fallbackWeek,
    date: null,
    sourceUrl: null,
  };
}

/** "- " bullets (also "* ", "+ ", "• "); a line that is not a bullet continues the one before it. */
export function casePoints(block: { lines: string[]; at: number[] }, fail: (line: number, problem: string) => never): string[] {
  const points: string[] = [];
  block.lines.forEach((l, n) => {
    const b = BULLET.exec(l);
    if (b) points.push(b[1]!.trim());
    else if (points.length > 0) points[points.length - 1] += ` ${l}`; // a wrapped bullet
    else fail(block.at[n]!, `"The Case" should be a list of "- " bullets, got "${truncate(l)}"`);
  });
  return points;
}

export function truncate(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
