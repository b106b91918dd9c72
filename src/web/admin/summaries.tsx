// Summaries by week, one summary's page, and uploads. Every action is the editor's operation
// (src/editor/summaries.ts): an upload is imported exactly as `tagcast import` and the API import
// files (each file on its own, a bad one reported as FILE:LINE: problem while the rest import).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeUtf8 } from '../../content/import.ts';
import { ContentError, CONTENT_LIMITS } from '../../content/summary.ts';
import { isoWeek } from '../../digest/week.ts';
import { EditorError } from '../../editor/errors.ts';
import type { SummaryDetail, SummaryEdit } from '../../editor/summaries.ts';
import { SummariesPage, type FileReport } from '../views/admin/summaries.tsx';
import { formOf, SummaryPage, type SummaryForm } from '../views/admin/summary.tsx';
import { adminEditor, csrfRefusal, doneOf, field, refuse, refuseEditor, sendAdmin, type AdminDeps } from './common.tsx';
import { formatTime, parseWeekField } from './forms.ts';
import { readUpload } from './uploads.ts';

export const MAX_SUMMARY_FILES = 50;
const EXTENSIONS = /\.(md|markdown|txt)$/i;
/** What an uploaded file may be called: a plain name, no folders, no hidden files. */
const SAFE_NAME = /^[\p{L}\p{N}_+][\p{L}\p{N} ._+-]{0,199}$/u;
const back = { href: '/admin/summaries', label: 'Back to summaries' };

async function show(req: FastifyRequest, reply: FastifyReply, deps: AdminDeps, week: string | undefined, extra: { report?: FileReport[]; deleted?: number } = {}, status = 200) {
  const list = await adminEditor(deps).summaries.list({ week });
  return sendAdmin(
    reply,
    <SummariesPage csrf={deps.csrf.token(req, reply)} weeks={list.weeks} week={list.week} summaries={list.summaries} defaultWeek={isoWeek(deps.now())} {...extra} />,
    status,
  );
}

/** Imports uploaded files through the editor's operation; one report line per file, in upload order. */
export async function importUploads(deps: AdminDeps, files: { filename: string; data: Buffer; truncated: boolean }[], week: string | undefined): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  const texts: { name: string; content: string }[] = [];
  const byName = new Map<string, FileReport>();
  for (const f of files) {
    const name = f.filename;
    const report: FileReport = { name, outcome: 'error', problems: [] };
    reports.push(report);
    if (!SAFE_NAME.test(name)) report.problems.push(`${name.slice(0, 100) || '(no name)'}: a file name may hold letters, digits, spaces and . _ + - only`);
    else if (!EXTENSIONS.test(name)) report.problems.push(`${name}: not a summary file (expected .md, .markdown or .txt)`);
    else if (byName.has(name.toLowerCase())) report.problems.push(`${name}: uploaded twice; only the first was imported`);
    else if (f.truncated) report.problems.push(`${name}: is over ${CONTENT_LIMITS.fileBytes / 1024} KiB; a summary file may be at most ${CONTENT_LIMITS.fileBytes / 1024} KiB`);
    else {
      byName.set(name.toLowerCase(), report);
      try {
        texts.push({ name, content: decodeUtf8(f.data, name) });
      } catch (e) {
        report.problems.push(e instanceof ContentError ? e.message : `${name}: could not be read`);
      }
    }
  }
  if (texts.length > 0) {
    const r = await adminEditor(deps).summaries.import({ files: texts, week });
    for (const f of r.results) {
      const report = byName.get(f.name.toLowerCase());
      if (!report) continue;
      report.outcome = f.outcome;
      if (f.error) report.problems.push(f.error);
    }
  }
  return reports;
}

/** The edit form's fields: what the editor typed, and the edit (only the fields that differ from the stored summary). */
function editOf(body: unknown, s: SummaryDetail): { form: SummaryForm; edit: SummaryEdit } {
  const form: SummaryForm = {
    title: field(body, 'title') ?? '',
    signal: field(body, 'signal') ?? '',
    case: field(body, 'case') ?? '',
    take: field(body, 'take') ?? '',
    timeSaved: field(body, 'time_saved') ?? '',
    tags: field(body, 'tags') ?? '',
    week: (field(body, 'week') ?? '').trim(),
    date: (field(body, 'date') ?? '').trim(),
    sourceUrl: (field(body, 'source_url') ?? '').trim(),
  };
  const was = formOf(s);
  const edit: SummaryEdit = {};
  // Line ends as a browser sends them (CRLF) are not a change.
  const text = (v: string) => v.replace(/\r\n?/g, '\n');
  if (text(form.title) !== was.title) edit.title = form.title;
  if (text(form.signal) !== was.signal) edit.signal = text(form.signal);
  if (text(form.case) !== was.case) edit.case = text(form.case).split('\n');
  if (text(form.take) !== was.take) edit.take = text(form.take);
  if (form.timeSaved.trim() !== was.timeSaved) edit.timeSaved = form.timeSaved;
  if (form.tags !== was.tags) edit.tags = form.tags.split(',');
  if (form.date !== was.date) edit.date = form.date === '' ? null : form.date;
  if (form.week !== was.week) edit.week = form.week;
  if (form.sourceUrl !== was.sourceUrl) edit.sourceUrl = form.sourceUrl === '' ? null : form.sourceUrl;
  return { form, edit };
}

/** The summary's id in the path, or null (then the 404 page was sent). */
function idOf(req: FastifyRequest): number | null {
  const raw = (req.params as { id?: string }).id ?? '';
  return /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null;
}

export async function summaryRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const when = (d: Date) => `${formatTime(d, deps.config.defaultTimeZone)}`;
  const page = async (req: FastifyRequest, reply: FastifyReply, s: SummaryDetail, extra: { form?: SummaryForm; error?: string } = {}, status = 200) =>
    sendAdmin(reply, <SummaryPage csrf={deps.csrf.token(req, reply)} summary={s} form={extra.form ?? formOf(s)} when={when} done={doneOf(req)} error={extra.error} />, status);
  /** The summary, or the refusal already sent. */
  const summaryOr404 = async (req: FastifyRequest, reply: FastifyReply): Promise<SummaryDetail | FastifyReply> => {
    const id = idOf(req);
    if (id === null) return refuse(reply, 404, 'No such summary', 'A summary is named by its number, like /admin/summaries/12.', back);
    try {
      return await adminEditor(deps).summaries.show(id);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'No such summary', back);
      throw e;
    }
  };
  const isReply = (v: SummaryDetail | FastifyReply): v is FastifyReply => !('title' in v);

  app.get('/admin/summaries', async (req, reply) => {
    const raw = field(req.query, 'week');
    const deleted = field(req.query, 'deleted');
    const extra = deleted && /^[1-9]\d{0,8}$/.test(deleted) ? { deleted: Number(deleted) } : {};
    if (raw !== undefined && raw !== '') {
      const w = parseWeekField(raw);
      if ('error' in w) return refuse(reply, 400, 'No such week', `The week: ${w.error}.`, back);
      return show(req, reply, deps, w.value, extra);
    }
    return show(req, reply, deps, undefined, extra);
  });

  app.post('/admin/summaries/import', async (req, reply) => {
    const upload = await readUpload(req, { files: MAX_SUMMARY_FILES, fileSize: CONTENT_LIMITS.fileBytes });
    const refused = csrfRefusal(deps, req, reply, upload.fields._csrf, back);
    if (refused) return refused;
    const rawWeek = (upload.fields.week ?? '').trim();
    let week: string | undefined;
    if (rawWeek !== '') {
      const w = parseWeekField(rawWeek);
      if ('error' in w) return refuse(reply, 400, 'Nothing imported', `The week: ${w.error}.`, back);
      week = w.value;
    }
    const files = upload.files.filter((f) => f.field === 'files');
    if (files.length === 0) return refuse(reply, 400, 'Nothing imported', 'Choose one or more summary files to upload.', back);
    const report = await importUploads(deps, files, week);
    const failed = report.some((r) => r.outcome === 'error');
    // The week whose list the editor most likely wants to see: the one just uploaded to.
    const list = week ? await adminEditor(deps).summaries.list({ week }) : undefined;
    return show(req, reply, deps, list && list.summaries.length > 0 ? week : undefined, { report }, failed ? 422 : 200);
  });

  app.get('/admin/summaries/:id', async (req, reply) => {
    const s = await summaryOr404(req, reply);
    return isReply(s) ? s : page(req, reply, s);
  });

  app.post('/admin/summaries/:id', async (req, reply) => {
    const s = await summaryOr404(req, reply);
    if (isReply(s)) return s;
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), { href: `/admin/summaries/${s.id}`, label: 'Back to the summary' });
    if (refused) return refused;
    const { form, edit } = editOf(req.body, s);
    try {
      const r = await adminEditor(deps).summaries.edit(s.id, edit);
      return reply.redirect(`/admin/summaries/${s.id}?done=${r.outcome === 'updated' ? 'saved' : 'unchanged'}`, 303);
    } catch (e) {
      if (!(e instanceof EditorError)) throw e;
      const error = `Not saved: ${e.message}.`;
      return page(req, reply, s, { form, error }, e.httpStatus);
    }
  });

  for (const action of ['hide', 'show', 'delete'] as const) {
    app.post(`/admin/summaries/:id/${action}`, async (req, reply) => {
      const id = idOf(req);
      const here = { href: id ? `/admin/summaries/${id}` : '/admin/summaries', label: id ? 'Back to the summary' : 'Back to summaries' };
      const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), here);
      if (refused) return refused;
      if (id === null) return refuse(reply, 404, 'No such summary', 'A summary is named by its number, like /admin/summaries/12.', back);
      const ed = adminEditor(deps).summaries;
      try {
        if (action === 'delete') {
          const week = (await ed.show(id)).week;
          await ed.delete(id);
          return reply.redirect(`/admin/summaries?week=${week}&deleted=${id}`, 303);
        }
        await (action === 'hide' ? ed.hide(id) : ed.unhide(id));
        return reply.redirect(`/admin/summaries/${id}?done=${action === 'hide' ? 'hidden' : 'shown'}`, 303);
      } catch (e) {
        if (e instanceof EditorError) return refuseEditor(reply, e, action === 'delete' ? 'Not deleted' : 'Nothing changed', here);
        throw e;
      }
    });
  }
}
