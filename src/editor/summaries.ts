// Summaries as the editor handles them: import files, list a week, show one, edit it with the
// importer's own checks, hide it from digests (and show it again), delete it while no issue holds it.
// The same for every face (docs/editor-operations.md); the SQL is in src/db/summaries.ts.
import { importTexts, type ImportResult } from '../content/import.ts';
import { Summary, parseDuration, type Summary as SummaryFields } from '../content/summary.ts';
import { cleanTags } from '../lib/tags.ts';
import {
  deleteSummary,
  editorWeeks,
  editSummary,
  getSummary,
  setSummaryHidden,
  summaryWithTitle,
  weekSummaries,
  type SummaryDetail,
} from '../db/summaries.ts';
import { isoWeek, isValidWeek } from '../digest/week.ts';
import type { EditorDeps } from './deps.ts';
import { conflict, invalid, notFound } from './errors.ts';

export type { SummaryDetail } from '../db/summaries.ts';

/** One file's outcome in an import: "created" is said "new" to the editor (OUTCOME_WORDS). */
export interface FileResult {
  name: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'error';
  /** "FILE:LINE: problem", as the CLI prints it; only on an error. */
  error?: string;
}

export interface SummaryImport {
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** One line per failed file: FILE:LINE: problem. */
  errors: string[];
  results: FileResult[];
}

export interface SummaryList {
  weeks: { week: string; summaries: number; hidden: number }[];
  /** The week listed: the one asked for, else the newest with summaries; null when there are none. */
  week: string | null;
  summaries: SummaryDetail[];
}

/**
 * An edit: every field a file has. Absent: unchanged. `week` absent and `date` given: the date's week.
 * Text is checked as the importer checks a file (src/content/summary.ts), tags cleaned the same way.
 */
export interface SummaryEdit {
  title?: string;
  signal?: string;
  case?: string[];
  take?: string;
  /** Minutes, or a duration as a file writes it ("38 min", "1h 05m"); null or "": not known. */
  timeSaved?: number | string | null;
  tags?: string[];
  week?: string;
  date?: string | null;
  sourceUrl?: string | null;
}

export interface SummariesOps {
  /** Imports files given as text; each stands alone: a bad one is reported, the others kept. */
  import(input: { files: { name: string; content: string }[]; week?: string | undefined }): Promise<SummaryImport>;
  list(input?: { week?: string | undefined }): Promise<SummaryList>;
  show(id: number): Promise<SummaryDetail>;
  edit(id: number, edit: SummaryEdit): Promise<{ summary: SummaryDetail; outcome: 'updated' | 'unchanged' }>;
  /** Left out of issues planned from now on and of the archive; issues already planned keep it. */
  hide(id: number): Promise<SummaryDetail>;
  unhide(id: number): Promise<SummaryDetail>;
  /** Refused ('conflict') once an issue holds it: hide it instead. */
  delete(id: number): Promise<{ deleted: number }>;
}

const weekOf = (w: string | undefined, what: string): string | undefined => {
  if (w === undefined || w === '') return undefined;
  if (!isValidWeek(w)) throw invalid(`${what} "${w}" is not an ISO week like 2026-W48`);
  return w;
};

/** The stored summary with the edit applied, as the importer's schema sees a file. */
function edited(s: SummaryDetail, e: SummaryEdit): Omit<SummaryFields, 'key'> {
  let timeSavedMinutes = s.timeSavedMinutes;
  if (e.timeSaved !== undefined) {
    const t = typeof e.timeSaved === 'string' ? parseDuration(e.timeSaved) : e.timeSaved;
    if (t === undefined) throw invalid(`cannot read the time saved "${String(e.timeSaved)}" (expected e.g. "38 min" or "1h 05m")`);
    timeSavedMinutes = t;
  }
  const date = e.date === undefined ? s.date : e.date === '' ? null : e.date;
  let week = weekOf(e.week, 'the week') ?? s.week;
  if (e.date !== undefined && date !== null && /^\d{4}-\d{2}-\d{2}$/.test(date)) {
    const day = new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || !day.toISOString().startsWith(date)) throw invalid(`the date ${date} is not a real date`);
    const dateWeek = isoWeek(day);
    if (e.week !== undefined && e.week !== '' && e.week !== dateWeek) throw invalid(`the date ${date} is in ${dateWeek}, not ${e.week}: change one of them`);
    week = dateWeek;
  }
  const trim = (v: string | undefined) => (v === undefined ? undefined : v.trim());
  return {
    title: trim(e.title) ?? s.title,
    signal: trim(e.signal) ?? s.signal,
    case: e.case === undefined ? s.casePoints : e.case.map((p) => p.trim()).filter((p) => p !== ''),
    take: trim(e.take) ?? s.take,
    timeSavedMinutes,
    tags: e.tags === undefined ? s.tags : cleanTags(e.tags),
    week,
    date,
    sourceUrl: e.sourceUrl === undefined ? s.sourceUrl : trim(e.sourceUrl ?? undefined) || null,
  };
}

/** The importer's checks (the schema and its limits), the first problem in words. */
function check(fields: Omit<SummaryFields, 'key'>): Omit<SummaryFields, 'key'> {
  const r = Summary.safeParse({ ...fields, key: 'edit' });
  if (r.success) return fields;
  const issue = r.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  // The schema's words name the field when the importer would name the line instead.
  if (field === 'week') throw invalid(`the week ${fields.week} ${issue.message}`);
  if (field === 'date') throw invalid(`the date "${fields.date}" ${issue.message}`);
  throw invalid(issue.message.startsWith('has ') ? `the summary ${issue.message}` : issue.message);
}

const same = (a: Omit<SummaryFields, 'key'>, s: SummaryDetail) =>
  JSON.stringify([a.title, a.signal, a.case, a.take, a.timeSavedMinutes, a.tags, a.week, a.date, a.sourceUrl]) ===
  JSON.stringify([s.title, s.signal, s.casePoints, s.take, s.timeSavedMinutes, s.tags, s.week, s.date, s.sourceUrl]);

export function summariesOps(deps: EditorDeps): SummariesOps {
  const found = async (id: number) => {
    const s = await getSummary(deps.db, id);
    if (!s) throw notFound(`there is no summary ${id}`);
    return s;
  };
  return {
    async import(input) {
      const week = weekOf(input.week, 'the week for files that name none');
      const results: FileResult[] = [];
      const r: ImportResult = await importTexts(deps.db, input.files, {
        now: deps.now(),
        actor: deps.actor,
        week,
        onFile: (name, outcome, error) => results.push(error ? { name, outcome, error: error.message } : { name, outcome }),
      });
      return { files: r.files, created: r.created, updated: r.updated, unchanged: r.unchanged, failed: r.failed, errors: r.errors.map((e) => e.message), results };
    },
    async list(input = {}) {
      const weeks = await editorWeeks(deps.db);
      const week = weekOf(input.week, 'the week') ?? weeks[0]?.week ?? null;
      return { weeks, week, summaries: week ? await weekSummaries(deps.db, week) : [] };
    },
    show: found,
    async edit(id, e) {
      const s = await found(id);
      const fields = check(edited(s, e));
      if (same(fields, s)) return { summary: s, outcome: 'unchanged' };
      const clash = await summaryWithTitle(deps.db, fields.week, fields.title, id);
      if (clash !== undefined) throw conflict(`summary ${clash} in ${fields.week} already has this title; a week holds one summary per title`, { existing: clash });
      try {
        await editSummary(deps.db, id, fields, deps.actor);
      } catch (e) {
        // Another edit or import took the title in between: the unique index says so.
        if ((e as { code?: unknown }).code === '23505') throw conflict(`another summary in ${fields.week} already has this title; a week holds one summary per title`);
        throw e;
      }
      return { summary: await found(id), outcome: 'updated' };
    },
    async hide(id) {
      if (!(await setSummaryHidden(deps.db, id, true, deps.actor))) throw notFound(`there is no summary ${id}`);
      return found(id);
    },
    async unhide(id) {
      if (!(await setSummaryHidden(deps.db, id, false, deps.actor))) throw notFound(`there is no summary ${id}`);
      return found(id);
    },
    async delete(id) {
      const r = await deleteSummary(deps.db, id);
      if (r.deleted) return { deleted: id };
      const [held] = r.heldBy;
      if (!held) throw notFound(`there is no summary ${id}`);
      const sent = r.heldBy.find((i) => i.status === 'sent');
      throw conflict(
        sent
          ? `summary ${id} went out in issue ${sent.id}, which was sent: it stays on record; hide it instead (it leaves later issues and the archive)`
          : `summary ${id} is part of issue ${held.id} (${held.status}), which took its summaries when it was planned; hide it instead`,
        { issues: r.heldBy },
      );
    },
  };
}
