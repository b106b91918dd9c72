// Markdown with YAML front matter: title, tags, date, time_saved, source_url (and an optional id);
// the body holds "## The Signal", "## The Case" (a "- " list) and "## The 1 Minute Signal Take".
import { LineCounter, parseDocument } from 'yaml';
import { isoWeek } from '../digest/week.ts';
import { casePoints, splitLines, type ParseContext } from './signal.ts';
import { ContentError, cleanTags, parseDuration, type Summary } from './summary.ts';

const SECTIONS: [RegExp, 'signal' | 'case' | 'take'][] = [
  [/^the signal$/i, 'signal'],
  [/^the case$/i, 'case'],
  [/^the 1[- ]minute signal take$/i, 'take'],
];

export interface MarkdownSummary extends Summary {
  /** An explicit identity from front matter (`id:`), when given. */
  id: string | null;
}

export function parseMarkdown(text: string, ctx: ParseContext): MarkdownSummary {
  const lines = splitLines(text);
  const fail = (line: number, problem: string): never => {
    throw new ContentError(ctx.file, line, problem);
  };
  if (lines[0]?.trim() !== '---') fail(1, 'expected YAML front matter starting with "---"');
  const end = lines.findIndex((l, n) => n > 0 && /^(---|\.\.\.)\s*$/.test(l));
  if (end < 0) fail(1, 'the front matter is not closed with "---"');

  const yamlText = lines.slice(1, end).join('\n');
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    fail(1 + (err.linePos?.[0]?.line ?? 1), `front matter: ${err.message.split('\n')[0]}`);
  }
  const fm = doc.toJSON() as Record<string, unknown> | null;
  if (!fm || typeof fm !== 'object' || Array.isArray(fm)) fail(2, 'front matter must be a mapping of keys to values');
  const lineOf = (key: string): number => {
    const node = doc.get(key, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? 1 + counter.linePos(node.range[0]).line : 1;
  };

  const str = (key: string): string | null => {
    const v = fm![key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'string' || typeof v === 'number') return String(v).trim();
    return fail(lineOf(key), `"${key}" must be text`);
  };

  const title = str('title');
  if (!title) fail(2, 'front matter has no "title"');

  const rawTags = fm!.tags;
  let tags: string[] = [];
  if (Array.isArray(rawTags)) tags = rawTags.map(String);
  else if (typeof rawTags === 'string') tags = rawTags.split(',');
  else if (rawTags !== undefined) fail(lineOf('tags'), '"tags" must be a list, e.g. [Rust, Databases]');
  tags = cleanTags(tags);
  if (tags.length === 0) fail(rawTags === undefined ? 2 : lineOf('tags'), 'front matter has no "tags"');

  let date: string | null = null;
  let week = ctx.fallbackWeek;
  const rawDate = str('date');
  if (rawDate) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(rawDate);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!m || !d || d.getUTCDate() !== Number(m[3])) fail(lineOf('date'), `"date" must be a date like 2026-11-23, got "${rawDate}"`);
    date = `${m![1]}-${m![2]}-${m![3]}`;
    week = isoWeek(d!);
  }

  let timeSaved: number | null = null;
  const rawTime = str('time_saved');
  if (rawTime) {
    const minutes = parseDuration(rawTime);
    if (minutes === undefined) fail(lineOf('time_saved'), `cannot read time_saved "${rawTime}" (expected e.g. "38 min" or "1h 05m")`);
    timeSaved = minutes ?? null;
  }

  const sourceUrl = str('source_url');
  if (sourceUrl && !/^https?:\/\/\S+$/.test(sourceUrl)) fail(lineOf('source_url'), `"source_url" must be an http(s) URL`);

  // Body: collect the lines under each known "## " heading.
  const body: Record<'signal' | 'case' | 'take', { line: number; lines: string[]; at: number[] } | undefined> = {
    signal: undefined,
    case: undefined,
    take: undefined,
  };
  let current: keyof typeof body | undefined;
  for (let i = end + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const h = /^#{1,6}\s+(.*?)\s*#*$/.exec(line);
    if (h) {
      const section = SECTIONS.find(([re]) => re.test(h[1]!.replace(/:$/, '')));
      current = section?.[1];
      if (current) {
        if (body[current]) fail(i + 1, `"${h[1]}" appears twice`);
        body[current] = { line: i + 1, lines: [], at: [] };
      }
      continue;
    }
    if (current && line !== '') {
      body[current]!.lines.push(line);
      body[current]!.at.push(i + 1);
    }
  }
  const need = (k: keyof typeof body, name: string) => {
    const b = body[k];
    if (!b) fail(lines.length, `missing the "## ${name}" section`);
    if (b!.lines.length === 0) fail(b!.line, `the "${name}" section is empty`);
    return b!;
  };
  const signal = need('signal', 'The Signal').lines.join(' ');
  const caseBlock = need('case', 'The Case');
  const points = casePoints(caseBlock, fail);
  const take = need('take', 'The 1 Minute Signal Take').lines.join(' ');

  const id = str('id');
  return {
    id,
    key: id ? `id:${id}` : ctx.key,
    title: title!,
    signal,
    case: points,
    take,
    timeSavedMinutes: timeSaved,
    tags,
    week,
    date,
    sourceUrl,
  };
}
