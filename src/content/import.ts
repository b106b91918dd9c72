// Reads summary files (Markdown with front matter, or the plain Signal format) from files and folders.
// Every file is parsed on its own: a bad file is reported as FILE:LINE: problem and the rest import.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/connection.ts';
import { upsertSummary, type UpsertOutcome } from '../db/summaries.ts';
import { isValidWeek, isoWeek, WEEK_PATTERN } from '../digest/week.ts';
import { parseMarkdown } from './markdown.ts';
import { parseSignal } from './signal.ts';
import { ContentError, Summary } from './summary.ts';

const EXTENSIONS = new Set(['.md', '.markdown', '.txt']);

export interface ImportResult {
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ContentError[];
  /** Weeks that received new or changed summaries. */
  weeks: string[];
}

/** Lists content files below the given paths, sorted, so imports are repeatable. */
export async function findContentFiles(paths: string[]): Promise<{ files: string[]; errors: ContentError[] }> {
  const files: string[] = [];
  const errors: ContentError[] = [];
  const walk = async (p: string, explicit: boolean): Promise<void> => {
    let st;
    try {
      st = await stat(p);
    } catch {
      errors.push(new ContentError(p, 0, 'no such file or folder'));
      return;
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p)).filter((e) => !e.startsWith('.')).sort();
      for (const e of entries) await walk(path.join(p, e), false);
    } else if (EXTENSIONS.has(path.extname(p).toLowerCase())) {
      files.push(p);
    } else if (explicit) {
      errors.push(new ContentError(p, 0, 'not a summary file (expected .md, .markdown or .txt)'));
    }
  };
  for (const p of paths) await walk(p, true);
  return { files, errors };
}

/** The nearest enclosing ISO-week folder (content/2026-W48/x.md → 2026-W48). */
export function folderWeek(file: string): string | undefined {
  const parts = path.resolve(file).split(path.sep).slice(0, -1).reverse();
  return parts.find((p) => WEEK_PATTERN.test(p) && isValidWeek(p));
}

/** A file's identity across re-imports: its week folder and name, so it is the same from any root. */
export function sourceKey(file: string): string {
  const week = folderWeek(file);
  const parent = path.basename(path.dirname(path.resolve(file)));
  return week && parent === week ? `${week}/${path.basename(file)}` : path.basename(file);
}

export function parseSummaryFile(text: string, file: string, now: Date): Summary {
  const ctx = { file, key: sourceKey(file), fallbackWeek: folderWeek(file) ?? isoWeek(now) };
  const ext = path.extname(file).toLowerCase();
  const parsed = ext === '.txt' ? parseSignal(text, ctx) : parseMarkdown(text, ctx);
  const checked = Summary.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new ContentError(file, 1, `${issue.path.join('.') || 'summary'} ${issue.message}`);
  }
  return checked.data;
}

export async function importPaths(
  db: Db,
  paths: string[],
  opts: { now?: Date; onFile?: (file: string, outcome: UpsertOutcome | 'error') => void } = {},
): Promise<ImportResult> {
  const now = opts.now ?? new Date();
  const { files, errors } = await findContentFiles(paths);
  const result: ImportResult = { files: files.length, created: 0, updated: 0, unchanged: 0, errors, weeks: [] };
  const weeks = new Set<string>();
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    try {
      const raw = await readFile(file);
      const text = raw.toString('utf8');
      if (text.includes('\uFFFD')) throw new ContentError(shown, 1, 'is not valid UTF-8 text');
      const summary = parseSummaryFile(text, shown, now);
      const hash = createHash('sha256').update(raw).digest('hex');
      const outcome = await upsertSummary(db, summary, hash, shown);
      result[outcome]++;
      if (outcome !== 'unchanged') weeks.add(summary.week);
      opts.onFile?.(file, outcome);
    } catch (e) {
      if (!(e instanceof ContentError)) throw e;
      result.errors.push(e);
      opts.onFile?.(file, 'error');
    }
  }
  result.weeks = [...weeks].sort();
  return result;
}
