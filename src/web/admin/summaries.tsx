// Summaries by week, and uploads imported exactly as `tagcast import` imports files: each file parsed
// on its own, a bad one reported as FILE:LINE: problem while the rest import. Uploads are written to a
// private temporary folder (under a week folder when the editor names one, so a file gets the same
// identity as content/<week>/<name> has on the command line), imported, and the folder is removed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { importPaths } from '../../content/import.ts';
import { CONTENT_LIMITS } from '../../content/summary.ts';
import { summariesForWeek, weeksWithContent } from '../../db/summaries.ts';
import { isoWeek } from '../../digest/week.ts';
import { SummariesPage, type FileReport } from '../views/admin/summaries.tsx';
import { csrfRefusal, field, refuse, sendAdmin, type AdminDeps } from './common.tsx';
import { parseWeekField } from './forms.ts';
import { readUpload } from './uploads.ts';

export const MAX_SUMMARY_FILES = 50;
const EXTENSIONS = /\.(md|markdown|txt)$/i;
/** What an uploaded file may be called: a plain name, no folders, no hidden files. */
const SAFE_NAME = /^[\p{L}\p{N}_+][\p{L}\p{N} ._+-]{0,199}$/u;
const back = { href: '/admin/summaries', label: 'Back to summaries' };

async function show(req: FastifyRequest, reply: FastifyReply, deps: AdminDeps, week: string | null, report?: FileReport[], status = 200) {
  const weeks = await weeksWithContent(deps.db);
  const chosen = week ?? weeks[0]?.week ?? null;
  const summaries = chosen ? await summariesForWeek(deps.db, chosen) : [];
  return sendAdmin(
    reply,
    <SummariesPage csrf={deps.csrf.token(req, reply)} weeks={weeks} week={chosen} summaries={summaries} defaultWeek={isoWeek(deps.now())} report={report} />,
    status,
  );
}

/** Imports uploaded files; one report line per file, in upload order. */
export async function importUploads(deps: AdminDeps, files: { filename: string; data: Buffer; truncated: boolean }[], week: string | null): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  const dir = await mkdtemp(path.join(tmpdir(), 'tagcast-upload-'));
  try {
    const folder = week ? path.join(dir, week) : dir;
    await mkdir(folder, { recursive: true });
    const byPath = new Map<string, FileReport>();
    const paths: string[] = [];
    const seen = new Set<string>();
    for (const f of files) {
      const name = f.filename;
      const report: FileReport = { name, outcome: 'error', problems: [] };
      reports.push(report);
      if (!SAFE_NAME.test(name)) report.problems.push(`${name.slice(0, 100) || '(no name)'}: a file name may hold letters, digits, spaces and . _ + - only`);
      else if (!EXTENSIONS.test(name)) report.problems.push(`${name}: not a summary file (expected .md, .markdown or .txt)`);
      else if (seen.has(name.toLowerCase())) report.problems.push(`${name}: uploaded twice; only the first was imported`);
      else if (f.truncated) report.problems.push(`${name}: is over ${CONTENT_LIMITS.fileBytes / 1024} KiB; a summary file may be at most ${CONTENT_LIMITS.fileBytes / 1024} KiB`);
      else {
        seen.add(name.toLowerCase());
        const p = path.join(folder, name);
        await writeFile(p, f.data, { flag: 'wx' });
        byPath.set(path.relative(process.cwd(), p) || p, report);
        paths.push(p);
      }
    }
    if (paths.length > 0) {
      const result = await importPaths(deps.db, paths, {
        now: deps.now(),
        onFile: (p, outcome) => {
          const r = byPath.get(path.relative(process.cwd(), p) || p);
          if (r) r.outcome = outcome;
        },
      });
      for (const e of result.errors) {
        const r = byPath.get(e.file);
        // The importer names files by their temporary path: the editor knows them by the uploaded name.
        if (r) {
          r.outcome = 'error';
          r.problems.push(e.line > 0 ? `${r.name}:${e.line}: ${e.problem}` : `${r.name}: ${e.problem}`);
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return reports;
}

export async function summaryRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  app.get('/admin/summaries', async (req, reply) => {
    const raw = field(req.query, 'week');
    if (raw !== undefined && raw !== '') {
      const w = parseWeekField(raw);
      if ('error' in w) return refuse(reply, 400, 'No such week', `The week: ${w.error}.`, back);
      return show(req, reply, deps, w.value);
    }
    return show(req, reply, deps, null);
  });

  app.post('/admin/summaries/import', async (req, reply) => {
    const upload = await readUpload(req, { files: MAX_SUMMARY_FILES, fileSize: CONTENT_LIMITS.fileBytes });
    const refused = csrfRefusal(deps, req, reply, upload.fields._csrf, back);
    if (refused) return refused;
    const rawWeek = (upload.fields.week ?? '').trim();
    let week: string | null = null;
    if (rawWeek !== '') {
      const w = parseWeekField(rawWeek);
      if ('error' in w) return refuse(reply, 400, 'Nothing imported', `The week folder: ${w.error}.`, back);
      week = w.value;
    }
    const files = upload.files.filter((f) => f.field === 'files');
    if (files.length === 0) return refuse(reply, 400, 'Nothing imported', 'Choose one or more summary files to upload.', back);
    const report = await importUploads(deps, files, week);
    const failed = report.some((r) => r.outcome === 'error');
    // The week whose list the editor most likely wants to see: the one just uploaded to.
    return show(req, reply, deps, week && (await summariesForWeek(deps.db, week)).length > 0 ? week : null, report, failed ? 422 : 200);
  });
}
