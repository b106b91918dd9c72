import { z } from 'zod';
import { isValidWeek } from '../digest/week.ts';

/**
 * The most a summary file may hold. Real summaries are far below (the largest sample is 3 KB, with a
 * 772-character Signal, 7 case points of at most 268 characters and 3 tags); the limits only stop
 * runaway input (a pasted log, a generated file) before it reaches the database or a digest.
 * Characters are counted as JavaScript string length (UTF-16 code units).
 */
export const CONTENT_LIMITS = {
  /** Checked with stat before the file is read. */
  fileBytes: 256 * 1024,
  /** Markdown front matter, between the "---" lines; bounds the YAML parser's work. */
  frontMatterChars: 16 * 1024,
  titleChars: 300,
  signalChars: 10_000,
  takeChars: 10_000,
  casePoints: 50,
  casePointChars: 2_000,
  tags: 20,
  tagChars: 60,
  sourceUrlChars: 2_048,
  /** A Markdown summary's front-matter `id`. */
  idChars: 200,
  /** 24 hours: a summary stands for one talk, paper or article. Also keeps the int column safe. */
  timeSavedMinutes: 24 * 60,
} as const;

const L = CONTENT_LIMITS;

/** C0 controls except tab, DEL and C1 controls: invisible in an email, and PostgreSQL refuses NUL. */
const CONTROL_IN_FIELD = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/;

/** "U+0000 NUL" for a control character, so a person can find it in an editor. */
export function describeControl(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const names: Record<number, string> = { 0: 'NUL', 0x0b: 'vertical tab', 0x0c: 'form feed', 0x1b: 'ESC', 0x7f: 'DEL' };
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return names[cp] ? `${hex} ${names[cp]}` : hex;
}

function noControl(what: string) {
  return [
    (v: string) => !CONTROL_IN_FIELD.test(v),
    {
      error: (iss: { input?: unknown }) =>
        `${what} contains a control character (${describeControl(CONTROL_IN_FIELD.exec(String(iss.input))?.[0] ?? '')}); only tab is allowed`,
    },
  ] as const;
}

/** A value quoted in a problem: shortened, on one line. */
export function truncate(s: string, n = 60): string {
  const t = s.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/** A required, one-line text field with a length limit; `quote` names the value in the problem. */
function text(what: string, max: number, empty: string, quote = false) {
  const name = (v: unknown) => (quote ? `${what} "${truncate(String(v), 30)}"` : what);
  return z
    .string()
    .min(1, empty)
    .max(max, { error: (iss) => `${name(iss.input)} is ${String(iss.input).length} characters long; the limit is ${max}` })
    .refine(...noControl(what));
}

/** A parsed summary, as both content formats produce it, before it is stored. */
export const Summary = z.object({
  key: z
    .string()
    .min(1)
    .refine((v) => !CONTROL_IN_FIELD.test(v), 'the file name contains a control character; rename the file'),
  title: text('the title', L.titleChars, 'has no title'),
  signal: text('"The Signal"', L.signalChars, 'has an empty "The Signal" section'),
  case: z
    .array(text('a "The Case" point', L.casePointChars, 'has an empty "The Case" point'))
    .min(1, 'has no "The Case" bullets')
    .max(L.casePoints, `"The Case" has more than ${L.casePoints} points`),
  take: text('"The 1 Minute Signal Take"', L.takeChars, 'has an empty "The 1 Minute Signal Take" section'),
  timeSavedMinutes: z
    .number()
    .int()
    .nonnegative()
    .max(L.timeSavedMinutes, {
      error: (iss) =>
        `the time saved (${String(iss.input)} min) is more than the limit of ${L.timeSavedMinutes} min (${L.timeSavedMinutes / 60} h)`,
    })
    .nullable(),
  tags: z
    .array(text('the tag', L.tagChars, 'has an empty tag', true))
    .min(1, 'has no tags')
    .max(L.tags, `has more than ${L.tags} tags`),
  week: z.string().refine(isValidWeek, 'is not an ISO week'),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a date like 2026-11-23')
    .nullable(),
  sourceUrl: z
    .url({ protocol: /^https?$/, error: '"source_url" is not a valid http(s) URL' })
    .max(L.sourceUrlChars, {
      error: (iss) => `"source_url" is ${String(iss.input).length} characters long; the limit is ${L.sourceUrlChars}`,
    })
    .refine(...noControl('"source_url"'))
    .nullable(),
});
export type Summary = z.infer<typeof Summary>;

/** The line each part of a summary came from, so a schema problem names the line to look at. */
export interface SummaryLines {
  /** The front-matter `id` line; 0 when the key comes from the file name. */
  key: number;
  title: number;
  /** Section heading lines. */
  signal: number;
  take: number;
  /** One line per case point (its bullet), and the heading for problems about the list. */
  case: number[];
  caseHeading: number;
  /** One line per tag, in the order of summary.tags; tagsHeading for problems about the list. */
  tags: number[];
  tagsHeading: number;
  timeSavedMinutes: number;
  date: number;
  sourceUrl: number;
}

/**
 * Checks a parsed summary against the schema and its limits. The first problem (by line) becomes a
 * ContentError at the line of the field it is about.
 */
export function checkSummary<T extends Summary>(summary: T, at: SummaryLines, file: string): T {
  const checked = Summary.safeParse(summary);
  if (checked.success) return summary;
  const located = checked.error.issues.map((issue) => {
    const [field, index] = issue.path;
    const list = field === 'case' ? at.case : field === 'tags' ? at.tags : undefined;
    let line: number | undefined;
    if (list) {
      // An item names its own line; "too many" names the first one past the limit.
      const n = typeof index === 'number' ? index : issue.code === 'too_big' ? Number(issue.maximum) : -1;
      line = n >= 0 ? list[n] : undefined;
      line ??= field === 'case' ? at.caseHeading : at.tagsHeading;
    } else if (field === 'week') line = at.date;
    else if (typeof field === 'string' && field in at) line = at[field as keyof SummaryLines] as number;
    return { line: line ?? 0, problem: field === 'week' ? `the week ${summary.week} ${issue.message}` : issue.message };
  });
  const first = located.reduce((a, b) => (b.line < a.line ? b : a));
  throw new ContentError(file, first.line, first.problem);
}

/** Control characters escaped, so a report is always one line whatever a file (or its name) holds. */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A problem in a content file, with the line a person should look at (0: the file as a whole). */
export class ContentError extends Error {
  readonly file: string;
  readonly problem: string;
  constructor(
    file: string,
    readonly line: number,
    problem: string,
  ) {
    const f = oneLine(file);
    const p = oneLine(problem);
    super(line > 0 ? `${f}:${line}: ${p}` : `${f}: ${p}`);
    this.name = 'ContentError';
    this.file = f;
    this.problem = p;
  }
}

/** "38 min", "1h 05m", "1 h", "90 minutes", "1:05", "45" → minutes; empty → null; otherwise undefined. */
export function parseDuration(raw: string): number | null | undefined {
  const s = raw.trim().toLowerCase();
  if (s === '') return null;
  if (s.length > 40) return undefined; // no real duration is this long; keeps the numbers finite
  if (/^\d+$/.test(s)) return Number(s);
  const clock = /^(\d+):([0-5]\d)$/.exec(s);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  const m = /^(?:(\d+)\s*(?:h|hr|hrs|hour|hours))?\s*(?:(\d+)\s*(?:m|min|mins|minute|minutes))?$/.exec(s);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}
