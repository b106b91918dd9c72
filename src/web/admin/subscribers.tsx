// Subscribers: search by address, name and status or pause (50 a page), add one, import a CSV (bad
// rows reported by line, the good ones kept), export every subscriber as CSV; and a page per reader
// (deliveries with provider events, notices) to edit tags and zone, unsubscribe or erase. Every action
// is the editor's operation (src/editor/subscribers.ts), as `tagcast subscribers` and the API call it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SUBSCRIBER_FILTERS, type SubscriberFilter } from '../../db/subscribers.ts';
import { reasonCounts } from '../../db/unsubscribe-reasons.ts';
import { EditorError } from '../../editor/errors.ts';
import { HttpError } from '../plugins/errors.ts';
import { EraseConfirmPage, ReaderPageView } from '../views/admin/reader.tsx';
import { SubscribersPage, type CsvReport } from '../views/admin/subscribers.tsx';
import { adminEditor, csrfRefusal, doneOf, field, pageOf, refuse, refuseEditor, sendAdmin, type AdminDeps } from './common.tsx';
import { readUpload } from './uploads.ts';

const PER_PAGE = 50;
export const MAX_CSV_BYTES = 5 * 1024 * 1024;
const back = { href: '/admin/subscribers', label: 'Back to subscribers' };

/** A checkbox: ticked, or absent; anything else is a bad form. */
function ticked(body: unknown, name: string): boolean {
  const v = field(body, name);
  if (v === undefined) return false;
  if (v === 'on') return true;
  throw new HttpError(400, `${name} must be on or absent`);
}

/** An :id in the path: a positive id, else a 404 (no reader has it). */
function readerId(req: FastifyRequest): number {
  const raw = (req.params as { id?: string }).id ?? '';
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2_147_483_647) throw new HttpError(404, 'no such subscriber');
  return Number(raw);
}

async function show(req: FastifyRequest, reply: FastifyReply, deps: AdminDeps, o: { csv?: CsvReport; status?: number } = {}) {
  const q = (field(req.query, 'q') ?? '').trim().slice(0, 200);
  const rawStatus = field(req.query, 'status') ?? '';
  if (rawStatus !== '' && !(SUBSCRIBER_FILTERS as readonly string[]).includes(rawStatus)) throw new HttpError(400, `status must be one of ${SUBSCRIBER_FILTERS.join(', ')}`);
  const page = pageOf(req.query);
  if (page === null) throw new HttpError(400, 'page must be a page number');
  const { subscribers, total } = await adminEditor(deps).subscribers.list({ q, status: (rawStatus || null) as SubscriberFilter | null, limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  return sendAdmin(
    reply,
    <SubscribersPage
      csrf={deps.csrf.token(req, reply)}
      rows={subscribers}
      total={total}
      q={q}
      status={rawStatus}
      page={page}
      pages={pages}
      defaultZone={deps.config.defaultTimeZone}
      done={doneOf(req)}
      csv={o.csv}
      reasons={await reasonCounts(deps.db)}
    />,
    o.status ?? 200,
  );
}

export async function subscriberRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  app.get('/admin/subscribers', async (req, reply) => show(req, reply, deps));

  app.post('/admin/subscribers', async (req, reply) => {
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), back);
    if (refused) return refused;
    try {
      const r = await adminEditor(deps).subscribers.add({
        email: field(req.body, 'email') ?? '',
        name: field(req.body, 'name'),
        tags: field(req.body, 'tags') ?? '',
        timeZone: field(req.body, 'time_zone'),
        createTags: ticked(req.body, 'create_tags'),
      });
      return reply.redirect(`/admin/subscribers/${r.id}?done=added`, 303);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Subscriber not added', back);
      throw e;
    }
  });

  app.post('/admin/subscribers/import', async (req, reply) => {
    const upload = await readUpload(req, { files: 1, fileSize: MAX_CSV_BYTES });
    const refused = csrfRefusal(deps, req, reply, upload.fields._csrf, back);
    if (refused) return refused;
    const file = upload.files.find((f) => f.field === 'file');
    if (!file) return refuse(reply, 400, 'Nothing imported', 'Choose a CSV file to upload.', back);
    if (file.truncated) return refuse(reply, 413, 'Nothing imported', `${file.filename} is over ${MAX_CSV_BYTES / 1024 / 1024} MiB: split it into smaller files.`, back);
    const name = file.filename.replace(/[\p{Cc}]/gu, '').slice(0, 100) || 'upload.csv';
    const csv = file.data.toString('utf8').replace(/^\uFEFF/, '');
    const result = await adminEditor(deps).subscribers.import({ csv, name, createTags: ticked(upload.fields, 'create_tags') });
    return show(req, reply, deps, { csv: { file: name, ...result }, status: result.errors.length > 0 ? 422 : 200 });
  });

  app.get('/admin/subscribers/export.csv', async (_req, reply) => {
    const csv = await adminEditor(deps).subscribers.export();
    const day = deps.now().toISOString().slice(0, 10);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="subscribers-${day}.csv"`)
      .send(csv);
  });

  // One reader.
  const readerBack = (id: number) => ({ href: `/admin/subscribers/${id}`, label: 'Back to the subscriber' });

  app.get('/admin/subscribers/:id', async (req, reply) => {
    const id = readerId(req);
    try {
      const page = await adminEditor(deps).subscribers.show(id);
      return sendAdmin(reply, <ReaderPageView csrf={deps.csrf.token(req, reply)} page={page} defaultZone={deps.config.defaultTimeZone} done={doneOf(req)} />);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'No such subscriber', back);
      throw e;
    }
  });

  app.post('/admin/subscribers/:id', async (req, reply) => {
    const id = readerId(req);
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), readerBack(id));
    if (refused) return refused;
    try {
      await adminEditor(deps).subscribers.edit(id, {
        tags: field(req.body, 'tags') ?? '',
        timeZone: field(req.body, 'time_zone') ?? null,
        createTags: ticked(req.body, 'create_tags'),
      });
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Subscriber not changed', readerBack(id));
      throw e;
    }
    return reply.redirect(`/admin/subscribers/${id}?done=saved`, 303);
  });

  app.post('/admin/subscribers/:id/unsubscribe', async (req, reply) => {
    const id = readerId(req);
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), readerBack(id));
    if (refused) return refused;
    try {
      const r = await adminEditor(deps).subscribers.unsubscribe(id);
      return reply.redirect(`/admin/subscribers/${id}?done=${r.changed ? 'unsubscribed' : 'not-subscribed'}`, 303);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Not unsubscribed', back);
      throw e;
    }
  });

  // Erasing cannot be undone: the reader page's button leads to this page, whose button erases.
  app.get('/admin/subscribers/:id/erase', async (req, reply) => {
    const id = readerId(req);
    try {
      const { subscriber } = await adminEditor(deps).subscribers.show(id);
      return sendAdmin(reply, <EraseConfirmPage csrf={deps.csrf.token(req, reply)} id={id} email={subscriber.email} />);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'No such subscriber', back);
      throw e;
    }
  });

  app.post('/admin/subscribers/:id/erase', async (req, reply) => {
    const id = readerId(req);
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), readerBack(id));
    if (refused) return refused;
    if (field(req.body, 'confirm') !== 'erase') return reply.redirect(`/admin/subscribers/${id}/erase`, 303);
    try {
      await adminEditor(deps).subscribers.erase(id);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Not erased', back);
      throw e;
    }
    return reply.redirect('/admin/subscribers?done=erased', 303);
  });
}
