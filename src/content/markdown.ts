// Markdown with YAML front matter: title, tags, date, time_saved, source_url (and an optional id);
// the body holds "## The Signal", "## The Case" (a "- " list) and "## The 1 Minute Signal Take".
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import { isoWeek } from '../digest/week.ts';
import { cleanTagList } from '../lib/tags.ts';
import { casePoints, splitLines, type ParseContext } from './signal.ts';
import {
  checkSummary,
  CONTENT_LIMITS,
  ContentError,
  describeControl,
  parseDuration,
  truncate,
  type Summary,
} from './summary.ts';

const SECTIONS: [RegExp, 'signal' | 'case' | 'take'][] = [
  [/^the signal$/i, 'signal'],
  [/^the case$/i, 'case'],
  [/^the 1[- ]minute signal take$/i, 'take'],
];

/** A date, optionally with a time (ignored: the calendar date as written decides the week). */
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?)?$/;

export interface MarkdownSummary extends Summary {
  /** An explicit identity from front matter (`id:`), when given. */
  id: string | null;
}

type Fail = (line: number, problem: string) => never;

/** One top-level front-matter key: its line, and its value as a syntax node (read below, by hand). */
interface Field {
  /** The key's line in the file. */
  line: number;
  node: Node | null;
}

export function parseMarkdown(text: string, ctx: ParseContext): MarkdownSummary {
  const lines = splitLines(text);
  const fail: Fail = (line, problem) => {
    throw new ContentError(ctx.file, line, problem);
  };
  if (lines.every((l) => l.trim() === '')) fail(0, 'is empty');
  if (lines[0]?.trim() !== '---') fail(1, 'expected YAML front matter starting with "---"');
  const end = lines.findIndex((l, n) => n > 0 && /^(---|\.\.\.)\s*$/.test(l));
  if (end < 0) fail(1, 'the front matter is not closed with "---"');
  let size = 0;
  for (let n = 1; n < end; n++) {
    size += lines[n]!.length + 1;
    if (size > CONTENT_LIMITS.frontMatterChars)
      fail(n + 1, `the front matter is longer than ${CONTENT_LIMITS.frontMatterChars} characters`);
  }
  const { fields, lineAt } = readFrontMatter(lines.slice(1, end).join('\n'), fail);

  /** A text value, line breaks folded to spaces; null when absent or empty. */
  const str = (key: string): { value: string; line: number } | null => {
    const f = fields.get(key);
    if (!f || !f.node) return null;
    if (!isScalar(f.node)) return fail(f.line, `"${key}" must be text, not a list or a mapping`);
    if (f.node.value === null) return null;
    const value = scalarText(f.node);
    return value === '' ? null : { value, line: f.line };
  };

  const title = str('title');
  if (!title) fail(fields.get('title')?.line ?? 2, 'front matter has no "title"');

  const tagsField = fields.get('tags');
  const rawTags: { name: string; line: number }[] = [];
  if (tagsField?.node) {
    const node = tagsField.node;
    if (isSeq(node)) {
      for (const item of node.items) {
        const line = isNode(item) && item.range ? lineAt(item.range[0]) : tagsField.line;
        if (!isScalar(item)) fail(line, 'each tag must be a name, e.g. tags: [Rust, Databases]');
        if (item.value !== null) rawTags.push({ name: scalarText(item), line });
      }
    } else if (isScalar(node)) {
      if (node.value !== null) for (const name of scalarText(node).split(',')) rawTags.push({ name, line: tagsField.line });
    } else fail(tagsField.line, '"tags" must be a list, e.g. tags: [Rust, Databases]');
  }
  const tags = cleanTagList(rawTags);
  if (tags.length === 0) fail(tagsField?.line ?? 2, 'front matter has no "tags"');

  let date: string | null = null;
  let week = ctx.fallbackWeek;
  const rawDate = str('date');
  if (rawDate) {
    const m = DATE.exec(rawDate.value);
    const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    const day = new Date(Date.UTC(y, mo - 1, d));
    // Date.UTC rolls 2026-13-45 over into 2027; a real date reads back as written.
    if (!m || day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) {
      fail(rawDate.line, `"date" must be a date like 2026-11-23, got "${truncate(rawDate.value)}"`);
    }
    if (y < 1970 || y > 9999) fail(rawDate.line, `"date" ${m![1]}-${m![2]}-${m![3]} is out of range (years 1970 to 9999)`);
    date = `${m![1]}-${m![2]}-${m![3]}`;
    week = isoWeek(day);
  }

  let timeSaved: number | null = null;
  const rawTime = str('time_saved');
  if (rawTime) {
    const minutes = parseDuration(rawTime.value);
    if (minutes === undefined)
      fail(rawTime.line, `cannot read time_saved "${truncate(rawTime.value)}" (expected e.g. "38 min" or "1h 05m")`);
    timeSaved = minutes ?? null;
  }

  const sourceUrl = str('source_url');
  if (sourceUrl && !/^https?:\/\/\S+$/.test(sourceUrl.value)) fail(sourceUrl.line, `"source_url" must be an http(s) URL`);

  const id = str('id');
  if (id) {
    if (id.value.length > CONTENT_LIMITS.idChars)
      fail(id.line, `"id" is ${id.value.length} characters long; the limit is ${CONTENT_LIMITS.idChars}`);
    const control = /[\u0000-\u001F\u007F-\u009F]/.exec(id.value);
    if (control) fail(id.line, `"id" contains a control character (${describeControl(control[0])})`);
  }

  // Body: collect the lines under each known "## " heading.
  const body: Record<'signal' | 'case' | 'take', { line: number; lines: string[]; at: number[] } | undefined> = {
    signal: undefined,
    case: undefined,
    take: undefined,
  };
  let current: keyof typeof body | undefined;
  for (let i = end + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const h = /^#{1,6}\s+(.*)$/s.exec(line);
    if (h) {
      const name = stripClosingHashes(h[1]!);
      const section = SECTIONS.find(([re]) => re.test(name.replace(/:$/, '')));
      current = section?.[1];
      if (current) {
        if (body[current]) fail(i + 1, `"${truncate(name)}" appears twice`);
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
  const signal = need('signal', 'The Signal');
  const caseBlock = need('case', 'The Case');
  const points = casePoints(caseBlock, fail);
  const take = need('take', 'The 1 Minute Signal Take');

  const summary: MarkdownSummary = {
    id: id?.value ?? null,
    key: id ? `id:${id.value}` : ctx.key,
    title: title!.value,
    signal: signal.lines.join(' '),
    case: points.map((p) => p.text),
    take: take.lines.join(' '),
    timeSavedMinutes: timeSaved,
    tags: tags.map((t) => t.name),
    week,
    date,
    sourceUrl: sourceUrl?.value ?? null,
  };
  return checkSummary(
    summary,
    {
      key: id?.line ?? 0,
      title: title!.line,
      signal: signal.line,
      take: take.line,
      case: points.map((p) => p.line),
      caseHeading: caseBlock.line,
      tags: tags.map((t) => t.line),
      tagsHeading: tagsField?.line ?? 2,
      timeSavedMinutes: rawTime?.line ?? 0,
      date: rawDate?.line ?? 0,
      sourceUrl: sourceUrl?.line ?? 0,
    },
    ctx.file,
  );
}

/**
 * Parses the front matter (file line 2 on) into its top-level keys. Only the syntax tree is used,
 * never YAML's conversion to JavaScript: no alias is ever expanded (so an alias bomb costs nothing),
 * no value becomes a Date, and a key's value is read as written ("1.10" stays "1.10").
 */
function readFrontMatter(yamlText: string, fail: Fail): { fields: Map<string, Field>; lineAt: (offset: number) => number } {
  const counter = new LineCounter();
  // uniqueKeys is checked below for the top level only: yaml's own check is quadratic in the key count.
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: false, uniqueKeys: false, merge: false, schema: 'core' });
  const lineAt = (offset: number) => 1 + counter.linePos(offset).line;
  // Warnings too (an unknown "!tag", say): front matter that YAML itself doubts is not guessed at.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) fail(lineAt(problem.pos[0]), `front matter: ${problem.message.split('\n')[0]}`);
  visit(doc, (_key, node) => {
    if (isAlias(node) || (isNode(node) && node.anchor)) {
      fail(node.range ? lineAt(node.range[0]) : 2, 'front matter may not use YAML anchors or aliases ("&name", "*name")');
    }
  });

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) fail(1, 'the front matter is empty; it needs at least "title" and "tags"');
  if (!isMap(root)) return fail(root?.range ? lineAt(root.range[0]) : 2, 'the front matter must be "key: value" lines');
  const fields = new Map<string, Field>();
  for (const pair of root.items) {
    // Keys that are lists or mappings are no key tagcast knows: ignored like any unknown key.
    if (!isScalar(pair.key)) continue;
    const name = String(pair.key.value);
    const line = pair.key.range ? lineAt(pair.key.range[0]) : 2;
    if (fields.has(name)) fail(line, `"${truncate(name)}" appears twice in the front matter`);
    fields.set(name, { line, node: isNode(pair.value) ? pair.value : null });
  }
  return { fields, lineAt };
}

/** A scalar as written, with line breaks (of a block or multi-line value) folded to single spaces. */
function scalarText(node: { source?: string; value: unknown }): string {
  const raw = typeof node.source === 'string' ? node.source : String(node.value);
  return raw
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/** "The Signal ##" → "The Signal"; a loop, since /\s*#*$/ is quadratic on long lines. */
function stripClosingHashes(s: string): string {
  let n = s.length;
  while (n > 0 && s[n - 1] === '#') n--;
  return s.slice(0, n).trimEnd();
}
