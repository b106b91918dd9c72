// Subscribers: search by address, name and status (50 a page), add one (checked as the CLI checks it),
// import a CSV (bad rows reported by line, the good ones kept) and export every subscriber as CSV.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { searchSubscribers } from '../../db/report.ts';
import { upsertSubscribers, type SubscriberStatus } from '../../db/subscribers.ts';
import { reasonCounts } from '../../db/unsubscribe-reasons.ts';
import { exportSubscribersCsv, importSubscribersCsv, validateSubscriber } from '../../subscriptions/subscribers.ts';
import { HttpError } from '../plugins/errors.ts';
import { SubscribersPage, type CsvReport } from '../views/admin/subscribers.tsx';
import { csrfRefusal, doneOf, field, pageOf, refuse, sendAdmin, type AdminDeps } from './common.tsx';
import { readUpload } from './uploads.ts';

const PER_PAGE = 50;
const STATUSES = new Set(['pending', 'active', 'unsubscribed', 'bounced', 'complained']);
export const MAX_CSV_BYTES = 5 * 1024 * 1024;
const back = { href: '/admin/subscribers', label: 'Back to subscribers' };

async function show(req: FastifyRequest, reply: FastifyReply, deps: AdminDeps, o: { csv?: CsvReport; status?: number } = {}) {
  const q = (field(req.query, 'q') ?? '').trim().slice(0, 200);
  const rawStatus = field(req.query, 'status') ?? '';
  if (rawStatus !== '' && !STATUSES.has(rawStatus)) throw new HttpError(400, `status must be one of ${[...STATUSES].join(', ')}`);
  const page = pageOf(req.query);
  if (page === null) throw new HttpError(400, 'page must be a page number');
  const { rows, total } = await searchSubscribers(deps.db, { q, status: (rawStatus || null) as SubscriberStatus | null, limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  return sendAdmin(
    reply,
    <SubscribersPage
      csrf={deps.csrf.token(req, reply)}
      rows={rows}
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
    const v = validateSubscriber(
      { email: field(req.body, 'email') ?? '', name: field(req.body, 'name'), tags: field(req.body, 'tags'), timeZone: field(req.body, 'time_zone') },
      'admin',
    );
    if ('errors' in v) return refuse(reply, 400, 'Subscriber not added', `${v.errors.join('; ')}.`, back);
    const r = await upsertSubscribers(deps.db, [v]);
    if (r.erased > 0) return refuse(reply, 409, 'Subscriber not added', `${v.email} asked for their data to be erased: only they can subscribe again, from the subscribe page.`, back);
    return reply.redirect(`/admin/subscribers?done=added&q=${encodeURIComponent(v.email)}`, 303);
  });

  app.post('/admin/subscribers/import', async (req, reply) => {
    const upload = await readUpload(req, { files: 1, fileSize: MAX_CSV_BYTES });
    const refused = csrfRefusal(deps, req, reply, upload.fields._csrf, back);
    if (refused) return refused;
    const file = upload.files.find((f) => f.field === 'file');
    if (!file) return refuse(reply, 400, 'Nothing imported', 'Choose a CSV file to upload.', back);
    if (file.truncated) return refuse(reply, 413, 'Nothing imported', `${file.filename} is over ${MAX_CSV_BYTES / 1024 / 1024} MiB: split it into smaller files.`, back);
    const name = file.filename.replace(/[\p{Cc}]/gu, '').slice(0, 100) || 'upload.csv';
    const text = file.data.toString('utf8').replace(/^\uFEFF/, '');
    const result = await importSubscribersCsv(deps.db, text, name);
    return show(req, reply, deps, { csv: { file: name, ...result }, status: result.errors.length > 0 ? 422 : 200 });
  });

  app.get('/admin/subscribers/export.csv', async (_req, reply) => {
    const csv = await exportSubscribersCsv(deps.db);
    const day = deps.now().toISOString().slice(0, 10);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="subscribers-${day}.csv"`)
      .send(csv);
  });
}
