// The issue pages: the list with live counts, one issue's progress (refreshed by admin.js while it is
// live), create, schedule (at a time, or at each reader's local time), send now, pause, resume, cancel,
// a preview of any reader's digest (in a sandboxed frame), a test send, and the tag-combination report.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderToStaticMarkup } from 'react-dom/server';
import { getIssue, type Issue } from '../../db/issues.ts';
import { countIssues, issuesWithCounts, type IssueProgressDetail } from '../../db/progress.ts';
import { summariesForWeek } from '../../db/summaries.ts';
import { validateSubject } from '../../digest/subject.ts';
import { EditorError, invalid } from '../../editor/errors.ts';
import { previewEmail } from '../../editor/preview.ts';
import type { IssueStatus } from '../../db/issues.ts';
import { againReasonProblem, canDo, refusalOf } from '../../issues.ts';
import { estimate, formatDuration, formatRate, orderWaves, percentDone, RATE_WINDOW_MS, sendRate } from '../../progress.ts';
import type { OutgoingEmail } from '../../send/provider.ts';
import { normaliseEmail } from '../../lib/mail.ts';
import { HttpError } from '../plugins/errors.ts';
import { cspRoute, type CspDirectives } from '../plugins/security.ts';
import { CombinationsPage, ConfirmSendPage, IssuePage, IssuesPage, PreviewPage, ProgressSection, type ProgressView, type SendConfirm } from '../views/admin/issues.tsx';
import { adminEditor, csrfRefusal, doneOf, field, pageOf, refuse, sendAdmin, type AdminDeps } from './common.tsx';
import { zonedInstant } from '../../time.ts';
import { formatTime, parseDateField, parseEngineField, parseId, parseTimeField, parseTimeZoneField, parseWeekField, wallClock } from './forms.ts';

const PER_PAGE = 25;

/**
 * The preview frame: the email's own HTML with its inline styles, in a sandbox (no scripts, an opaque
 * origin, so nothing in an email can act as the editor), framed only by the admin pages.
 */
export const PREVIEW_FRAME_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'style-src': ["'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'self'"],
  sandbox: [],
};

const back = (id: number) => ({ href: `/admin/issues/${id}`, label: `Back to issue ${id}` });

async function issueOr404(db: AdminDeps['db'], raw: string): Promise<Issue> {
  const id = parseId(raw);
  const issue = id === null ? undefined : await getIssue(db, id);
  if (!issue) throw new HttpError(404, `there is no issue ${raw.slice(0, 20)}`);
  return issue;
}

/** What the progress block shows, from the issue and its ledger as the `get` operation read them. */
function progressView(deps: AdminDeps, issue: Issue, d: IssueProgressDetail): ProgressView {
  const now = deps.now();
  const zone = deps.config.defaultTimeZone;
  const rate = sendRate(d.recent, now);
  const est = estimate(d.waves, rate, now);
  const paused = issue.status === 'paused';
  const etaText = (() => {
    if (paused && d.pending > 0) return 'paused';
    switch (est.eta.kind) {
      case 'done':
        return d.submitted + d.failed > 0 ? 'done' : '—';
      case 'sending':
        return `${formatDuration(est.eta.minutes)} (${formatTime(est.eta.at, zone)})`;
      case 'waiting':
        return 'waiting for the first batch';
      case 'next-wave':
        return `next wave at ${formatTime(est.eta.at, zone)}`;
    }
  })();
  return {
    issueId: issue.id,
    live: ['scheduled', 'sending'].includes(issue.status),
    status: issue.status,
    statusReason: issue.statusReason,
    planned: issue.plannedAt !== null,
    pending: d.pending,
    submitted: d.submitted,
    failed: d.failed,
    skipped: d.skipped,
    percent: percentDone(d),
    rateText: `${formatRate(rate)} emails a minute (last ${RATE_WINDOW_MS / 60_000} min)`,
    etaText,
    finishText: est.finishAt && est.nextWave ? formatTime(est.finishAt, zone) : null,
    waves: orderWaves(d.waves, now).map((w) => ({ label: w.sendAt ? formatTime(w.sendAt, zone) : 'at once', pending: w.pending, submitted: w.submitted, due: w.due })),
    failures: d.failures,
    skips: d.skips,
    outcomes: d.outcomes,
    unsubscribed: d.unsubscribed,
    updatedText: formatTime(now, zone),
  };
}

/**
 * When an issue goes out, in the zone the editor chose with UTC beside it: at local time, the time in
 * DEFAULT_TIME_ZONE (readers without a zone of their own); at a time, the zone it was scheduled in.
 */
export function sendAtText(issue: Pick<Issue, 'sendAt' | 'sendTimeZone' | 'localTime' | 'localDate'>, defaultZone: string): string {
  const withUtc = (d: Date, zone: string) => (zone === 'UTC' ? formatTime(d, 'UTC') : `${formatTime(d, zone)} (${formatTime(d, 'UTC')})`);
  if (issue.localTime && issue.localDate) {
    const there = zonedInstant({ date: issue.localDate, time: issue.localTime }, defaultZone);
    return `${issue.localDate} at ${issue.localTime} in each reader’s time zone; in ${defaultZone}: ${withUtc(there, defaultZone)}`;
  }
  if (!issue.sendAt) return 'not scheduled';
  return withUtc(issue.sendAt, issue.sendTimeZone ?? defaultZone);
}

/**
 * A reason as the page's sentence: a capital first letter and a full stop, except that an address (or
 * anything else that starts with a lower-case word holding "@") keeps its case.
 */
export function sentence(text: string): string {
  const first = /^\S+/.exec(text)?.[0] ?? '';
  const head = first.includes('@') ? text : `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  return /[.!?]$/.test(head) ? head : `${head}.`;
}

/** An operation's refusal as the issue pages say it; a week taken names the issue that holds it, with a link. */
function refuseIssue(reply: FastifyReply, e: EditorError, title: string, back: { href: string; label: string }) {
  const existing = e.details.existing as { id: number; status: IssueStatus } | null | undefined;
  if (existing === undefined) return refuse(reply, e.httpStatus, title, sentence(e.message), back);
  const advice = existing?.status === 'sent' ? ' To send that week again on purpose, use “Send this week again” on its page.' : ' Open it to send, schedule or cancel it.';
  const to = existing ? { href: `/admin/issues/${existing.id}`, label: `Go to issue ${existing.id}` } : { href: '/admin/issues', label: 'Back to issues' };
  return refuse(reply, e.httpStatus, title, `Week ${String(e.details.week)} already has ${existing ? `issue ${existing.id} (${existing.status})` : 'an issue'}.${advice}`, to);
}

/**
 * "Send now" and the schedules ask once: the first post answers with how many readers it reaches and
 * a button that posts the same fields again with confirm=yes. Refused states are refused at once.
 */
function confirmFirst(req: FastifyRequest, issue: Issue, action: 'schedule' | 'send', c: SendConfirm): SendConfirm | null {
  if (field(req.body, 'confirm') === 'yes') return null;
  // The same refusal as the operation's (the transition table), before asking.
  if (!canDo(action, issue)) throw new EditorError('conflict', refusalOf(action, issue));
  return c;
}

/** Runs an editor's action on an issue: 303 back with a notice, a confirm step, or the reason it was refused. */
async function act(deps: AdminDeps, req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, title: string, run: (issue: Issue) => Promise<string | SendConfirm>) {
  const issue = await issueOr404(deps.db, req.params.id);
  const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), back(issue.id));
  if (refused) return refused;
  try {
    const done = await run(issue);
    if (typeof done !== 'string') {
      const { readers } = await adminEditor(deps).issues.readers(issue.id);
      return sendAdmin(reply, <ConfirmSendPage csrf={deps.csrf.token(req, reply)} issue={issue} readers={readers} confirm={done} />);
    }
    if (done.startsWith('/')) return reply.redirect(done, 303);
    return reply.redirect(`/admin/issues/${issue.id}?done=${done}`, 303);
  } catch (e) {
    if (e instanceof EditorError) {
      if (typeof e.details.retryAfterSeconds === 'number') reply.header('retry-after', String(e.details.retryAfterSeconds));
      return refuseIssue(reply, e, title, back(issue.id));
    }
    throw e;
  }
}

function need<T>(p: { value: T } | { error: string }): T {
  if ('error' in p) throw invalid(p.error);
  return p.value;
}

interface Preview {
  email: OutgoingEmail;
  frozen: boolean;
}

/**
 * One reader's digest of an issue, as the send would build it (the editor's preview operation), or why
 * there is none: a status and a reason.
 */
async function previewOf(deps: AdminDeps, issue: Issue, email: string): Promise<{ email: OutgoingEmail; frozen: boolean } | { status: number; reason: string }> {
  try {
    const p = await previewEmail(deps, { issue: issue.id, subscriber: email });
    if (p.message === null) return { status: 200, reason: `no email from this issue for ${p.email}: none of the tags they follow has summaries in week ${issue.week}` };
    return { email: p.message, frozen: p.frozen };
  } catch (e) {
    if (e instanceof EditorError) return { status: e.httpStatus, reason: e.message };
    throw e;
  }
}

export async function issueRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const zone = deps.config.defaultTimeZone;

  app.get('/admin/issues', async (req, reply) => {
    const page = pageOf(req.query);
    if (page === null) throw new HttpError(404, 'there is no such page of issues');
    const [total, weeks] = await Promise.all([countIssues(deps.db), adminEditor(deps).issues.weeks()]);
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    if (page > pages) throw new HttpError(404, 'there is no such page of issues');
    const rows = await issuesWithCounts(deps.db, PER_PAGE, (page - 1) * PER_PAGE);
    return sendAdmin(
      reply,
      <IssuesPage
        csrf={deps.csrf.token(req, reply)}
        issues={rows.map((r) => ({ ...r, sendAtText: r.sendAt ? formatTime(r.sendAt, zone) : '—' }))}
        weeks={weeks.weeks}
        suggestedWeek={weeks.suggested}
        defaultEngine={deps.config.templateEngine}
        page={page}
        pages={pages}
        done={doneOf(req)}
      />,
    );
  });

  app.post('/admin/issues', async (req, reply) => {
    const listBack = { href: '/admin/issues', label: 'Back to issues' };
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), listBack);
    if (refused) return refused;
    const week = parseWeekField(field(req.body, 'week'));
    if ('error' in week) return refuse(reply, 400, 'Issue not created', `The week: ${week.error}.`, listBack);
    const engine = parseEngineField(field(req.body, 'engine'), deps.config.templateEngine);
    if ('error' in engine) return refuse(reply, 400, 'Issue not created', `The engine: ${engine.error}.`, listBack);
    const rawSubject = field(req.body, 'subject') ?? '';
    let subject: string | null = null;
    if (!/^ *$/.test(rawSubject)) {
      const v = validateSubject(rawSubject);
      if ('error' in v) return refuse(reply, 400, 'Issue not created', `The subject: ${v.error}.`, listBack);
      subject = v.subject;
    }
    const summaries = await summariesForWeek(deps.db, week.value);
    if (summaries.length === 0) return refuse(reply, 400, 'Issue not created', `Week ${week.value} has no summaries: upload some first, or choose another week.`, listBack);
    try {
      const issue = await adminEditor(deps).issues.create({ week: week.value, engine: engine.value, subject });
      return reply.redirect(`/admin/issues/${issue.id}?done=created`, 303);
    } catch (e) {
      if (e instanceof EditorError) return refuseIssue(reply, e, 'Issue not created', listBack);
      throw e;
    }
  });

  app.get<{ Params: { id: string } }>('/admin/issues/:id', async (req, reply) => {
    const issue = await issueOr404(deps.db, req.params.id);
    const now = deps.now();
    // The schedule form starts at the next whole hour, in the default time zone.
    const suggested = wallClock(new Date(Math.ceil((now.getTime() + 60_000) / 3_600_000) * 3_600_000), zone);
    const progress = progressView(deps, issue, (await adminEditor(deps).issues.get(issue.id)).ledger);
    return sendAdmin(
      reply,
      <IssuePage
        csrf={deps.csrf.token(req, reply)}
        issue={issue}
        createdText={formatTime(issue.createdAt, zone)}
        sendAtText={sendAtText(issue, zone)}
        progress={progress}
        done={doneOf(req)}
        defaultZone={zone}
        defaultDate={suggested.date}
        defaultTime={suggested.time}
        canTestSend={deps.provider !== undefined}
      />,
    );
  });

  // The progress block alone, for admin.js to swap in while the issue is live.
  app.get<{ Params: { id: string } }>('/admin/issues/:id/progress', async (req, reply) => {
    const issue = await issueOr404(deps.db, req.params.id);
    const d = await adminEditor(deps).issues.get(issue.id);
    const html = renderToStaticMarkup(<ProgressSection v={progressView(deps, d.issue, d.ledger)} />);
    return reply.header('content-type', 'text/html; charset=utf-8').send(html);
  });

  app.post<{ Params: { id: string } }>('/admin/issues/:id/schedule', async (req, reply) =>
    act(deps, req, reply, 'Not scheduled', async (issue) => {
      const date = need(parseDateField(field(req.body, 'date')));
      const time = need(parseTimeField(field(req.body, 'time')));
      const tz = need(parseTimeZoneField(field(req.body, 'time_zone') ?? zone));
      const at = zonedInstant({ date, time }, tz);
      const now = deps.now();
      if (at.getTime() < now.getTime() - 60_000) throw invalid(`${date} ${time} (${tz}) has passed: choose a later time, or use "Send now"`);
      const ask = confirmFirst(req, issue, 'schedule', {
        action: `/admin/issues/${issue.id}/schedule`,
        what: `Scheduled for ${formatTime(at, tz)}.`,
        button: 'Schedule it',
        fields: { date, time, time_zone: tz },
      });
      if (ask) return ask;
      await adminEditor(deps).issues.schedule(issue.id, { at, timeZone: tz });
      return 'scheduled';
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/issues/:id/schedule-local', async (req, reply) =>
    act(deps, req, reply, 'Not scheduled', async (issue) => {
      const date = need(parseDateField(field(req.body, 'date')));
      const localTime = need(parseTimeField(field(req.body, 'local_time')));
      const ask = confirmFirst(req, issue, 'schedule', {
        action: `/admin/issues/${issue.id}/schedule-local`,
        what: `Scheduled for ${date} at ${localTime} in each reader’s time zone.`,
        button: 'Schedule it',
        fields: { date, local_time: localTime },
      });
      if (ask) return ask;
      await adminEditor(deps).issues.scheduleLocal(issue.id, { localTime, date });
      return 'scheduled-local';
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/issues/:id/send', async (req, reply) =>
    act(deps, req, reply, 'Not sent', async (issue) => {
      const ask = confirmFirst(req, issue, 'send', { action: `/admin/issues/${issue.id}/send`, what: 'Sent now.', button: 'Send now', fields: {} });
      if (ask) return ask;
      await adminEditor(deps).issues.send(issue.id);
      return 'sending';
    }),
  );

  // A sent week again, on purpose: its own button and a reason, recorded on the new draft.
  app.post<{ Params: { id: string } }>('/admin/issues/:id/again', async (req, reply) =>
    act(deps, req, reply, 'Correction not created', async (issue) => {
      const reason = (field(req.body, 'reason') ?? '').trim();
      const problem = againReasonProblem(reason);
      if (problem) throw invalid(problem);
      if (!canDo('again', issue)) throw new EditorError('conflict', refusalOf('again', issue));
      const again = await adminEditor(deps).issues.create({ week: issue.week, engine: issue.engine, subject: issue.subject, again: { reason } });
      return `/admin/issues/${again.id}?done=created-again`;
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/issues/:id/pause', async (req, reply) =>
    act(deps, req, reply, 'Not paused', async (issue) => {
      await adminEditor(deps).issues.pause(issue.id);
      return 'paused';
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/issues/:id/resume', async (req, reply) =>
    act(deps, req, reply, 'Not resumed', async (issue) => {
      await adminEditor(deps).issues.resume(issue.id);
      return 'resumed';
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/issues/:id/cancel', async (req, reply) =>
    act(deps, req, reply, 'Not cancelled', async (issue) => {
      await adminEditor(deps).issues.cancel(issue.id);
      return 'cancelled';
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/issues/:id/test', async (req, reply) =>
    act(deps, req, reply, 'Test not sent', async (issue) => {
      const to = normaliseEmail(field(req.body, 'to') ?? '');
      if ('error' in to) throw invalid(`the address to send to: ${to.error}`);
      const as = (field(req.body, 'subscriber') ?? '').trim();
      await adminEditor(deps).issues.test(issue.id, { to: to.email, ...(as === '' ? {} : { as }) });
      return 'test-sent';
    }),
  );

  app.get<{ Params: { id: string } }>('/admin/issues/:id/preview', async (req, reply) => {
    const issue = await issueOr404(deps.db, req.params.id);
    const email = (field(req.query, 'email') ?? '').trim();
    if (email === '') return refuse(reply, 400, 'No preview', 'Enter the address of the subscriber whose digest to preview.', back(issue.id));
    const p = await previewOf(deps, issue, email);
    if ('reason' in p) return refuse(reply, p.status, p.status === 200 ? 'No digest' : 'No preview', sentence(p.reason), back(issue.id));
    const normalised = (normaliseEmail(email) as { email: string }).email;
    return sendAdmin(
      reply,
      <PreviewPage
        csrf={deps.csrf.token(req, reply)}
        issueId={issue.id}
        week={issue.week}
        email={normalised}
        subject={p.email.subject}
        to={p.email.to}
        frameUrl={`/admin/issues/${issue.id}/preview/frame?email=${encodeURIComponent(normalised)}`}
        text={p.email.text}
        frozen={p.frozen}
      />,
    );
  });

  // The email HTML itself, for the preview page's sandboxed frame; sandboxed by its own CSP too, so it
  // stays inert even when opened directly.
  app.get<{ Params: { id: string } }>(
    '/admin/issues/:id/preview/frame',
    { helmet: { ...cspRoute(PREVIEW_FRAME_CSP), xFrameOptions: { action: 'sameorigin' } } },
    async (req, reply) => {
      const issue = await issueOr404(deps.db, req.params.id);
      const p = await previewOf(deps, issue, field(req.query, 'email') ?? '');
      if ('reason' in p) throw new HttpError(p.status === 200 ? 404 : p.status, p.reason);
      return reply.header('content-type', 'text/html; charset=utf-8').send(p.email.html);
    },
  );

  app.get<{ Params: { id: string } }>('/admin/issues/:id/combinations', async (req, reply) => {
    const issue = await issueOr404(deps.db, req.params.id);
    const c = await adminEditor(deps).issues.combinations(issue.id);
    return sendAdmin(
      reply,
      <CombinationsPage
        csrf={deps.csrf.token(req, reply)}
        issueId={issue.id}
        week={issue.week}
        frozen={c.frozen}
        rows={c.rows}
        nothing={c.nothing}
        total={c.total}
      />,
    );
  });
}
