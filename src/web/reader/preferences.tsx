// GET/POST /preferences: a reader's own page, opened from the link in every digest. Tags and time
// zone, a pause, unsubscribe and resubscribe, the issues they were sent and their private feed.
// Export and erase go through a fresh, short-lived link sent to the reader's own address, so a
// forwarded digest lets nobody take or erase the reader's data.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestNotice } from '../../db/notices.ts';
import {
  eraseReader,
  existingTags,
  exportReader,
  readerHistory,
  readerProfile,
  resubscribe,
  savePreferences,
  setPause,
  unsubscribe,
  type ReaderProfile,
} from '../../db/readers.ts';
import { DENSITIES, editorDefaultDensity, setDensity, type Density } from '../../db/subscribers.ts';
import { isTimeZone } from '../../time.ts';
import { issueName } from '../../digest/week.ts';
import { DeleteConfirmPage, PreferencesPage, type FieldError, type PreferencesDone } from '../views/reader.tsx';
import { field, fields, links, readLink, sendLinkProblem, sendMessage, sendPage, type ReaderDeps } from './common.tsx';
import { offeredTags } from '../../db/tags.ts';
import { recentSince, unknownTags } from './subscribe.tsx';

const DONE = new Set<PreferencesDone>(['saved', 'paused', 'resumed', 'unsubscribed', 'resubscribed', 'export', 'delete', 'held', 'confirmed']);

/** "Tuesday 16 December 2026", in the reader's own time zone. */
export function readerDate(d: Date, timeZone: string): string {
  return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone });
}

function gone(reply: FastifyReply, deps: ReaderDeps) {
  return sendMessage(reply, deps, { status: 404, title: 'Nothing here', message: 'We hold no subscription for this link any more: it was erased. You can subscribe again from the subscribe page.' });
}

async function show(req: FastifyRequest, reply: FastifyReply, deps: ReaderDeps, p: ReaderProfile, token: string, o: { done?: PreferencesDone; errors?: FieldError[]; status?: number; chosen?: string[]; timeZone?: string } = {}) {
  const [tags, history, fallback] = await Promise.all([offeredTags(deps.db, recentSince(deps), p.id), readerHistory(deps.db, p.id), editorDefaultDensity(deps.db)]);
  const l = links(deps.config, p.id);
  // A reader who never chose a zone reads dates, and gets local-time issues, in DEFAULT_TIME_ZONE.
  const zone = p.timeZone ?? deps.config.defaultTimeZone;
  const paused = p.pausedUntil && p.pausedUntil.getTime() > deps.now().getTime() ? readerDate(p.pausedUntil, zone) : null;
  return sendPage(
    reply,
    <PreferencesPage
      email={p.email}
      name={p.name}
      status={p.status}
      pausedUntil={paused}
      timeZone={o.timeZone ?? zone}
      tags={tags}
      chosen={o.chosen ?? p.tags}
      history={history.map((h) => ({ issueId: h.issueId, name: issueName(h.week), sentOn: readerDate(h.submittedAt, zone), sections: h.sections, webUrl: l.web(h.issueId) }))}
      feedUrl={l.feed}
      action={`/preferences?t=${token}`}
      csrf={deps.csrf.token(req, reply)}
      archive={deps.config.archive}
      done={o.done}
      errors={o.errors ?? []}
      density={p.density ?? fallback}
    />,
    o.status ?? 200,
  );
}

export async function preferencesRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  app.get('/preferences', async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'preferences', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const p = await readerProfile(deps.db, link.claims.subscriberId);
    if (!p) return gone(reply, deps);
    const done = field(req.query, 'done') as PreferencesDone | undefined;
    return show(req, reply, deps, p, field(req.query, 't')!, { done: done && DONE.has(done) ? done : undefined });
  });

  app.post('/preferences', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'preferences', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const token = field(req.query, 't')!;
    const sid = link.claims.subscriberId;
    const p = await readerProfile(deps.db, sid);
    if (!p) return gone(reply, deps);
    const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
    if (csrfProblem) return show(req, reply, deps, p, token, { status: 403, errors: [{ message: `Not saved: ${csrfProblem}.` }] });

    const action = field(req.body, 'action');
    let done: PreferencesDone;
    switch (action) {
      case 'save': {
        const chosen = fields(req.body, 'tags').slice(0, 200);
        const timeZone = field(req.body, 'time_zone') ?? '';
        const asked = [...new Set(chosen)];
        const tags = await existingTags(deps.db, asked, sid);
        const errors: FieldError[] = [];
        const unknown = unknownTags(asked, tags);
        if (unknown) errors.push({ field: 'tags', message: unknown });
        else if (tags.length === 0) errors.push({ field: 'tags', message: 'Choose at least one tag, or pause or unsubscribe below.' });
        if (!isTimeZone(timeZone)) errors.push({ field: 'time_zone', message: 'Choose a time zone from the list.' });
        // Absent (an older page): left as it is.
        const density = field(req.body, 'density');
        if (density !== undefined && !DENSITIES.includes(density as Density)) errors.push({ field: 'density', message: 'Choose brief or full.' });
        if (errors.length > 0) return show(req, reply, deps, p, token, { status: 400, errors, chosen, timeZone: isTimeZone(timeZone) ? timeZone : (p.timeZone ?? deps.config.defaultTimeZone) });
        await savePreferences(deps.db, sid, { tags, timeZone });
        // A reader who never chose keeps following the editor's default unless they pick the other one.
        if (density !== undefined && (p.density !== null || density !== (await editorDefaultDensity(deps.db)))) await setDensity(deps.db, sid, density as Density);
        done = 'saved';
        break;
      }
      case 'pause': {
        const raw = field(req.body, 'weeks') ?? '';
        const weeks = /^\d{1,2}$/.test(raw) ? Number(raw) : 0;
        if (weeks < 1 || weeks > 12) return show(req, reply, deps, p, token, { status: 400, errors: [{ field: 'weeks', message: 'Choose a pause of 1 to 12 weeks.' }] });
        await setPause(deps.db, sid, weeks);
        done = 'paused';
        break;
      }
      case 'resume':
        await setPause(deps.db, sid, null);
        done = 'resumed';
        break;
      case 'unsubscribe':
        await unsubscribe(deps.db, sid, null);
        done = 'unsubscribed';
        break;
      case 'resubscribe':
        done = (await resubscribe(deps.db, sid)) ? 'resubscribed' : 'saved';
        break;
      case 'export':
      case 'delete': {
        const noticeId = await requestNotice(deps.db, sid, action);
        if (noticeId !== null) deps.enqueueNotice(noticeId);
        done = noticeId === null ? 'held' : action;
        break;
      }
      default:
        return show(req, reply, deps, p, token, { status: 400, errors: [{ message: 'That form is not one this page knows: reload the page and try again.' }] });
    }
    // Post/redirect/get: reloading the page never repeats the change.
    return reply.code(303).header('location', `/preferences?t=${token}&done=${done}`).send();
  });

  // The download link from the export email: everything held on the reader, as JSON. A GET that
  // only reads, so a link scanner fetching it first does no harm (the link works for an hour).
  app.get('/preferences/export', async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'export', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const data = await exportReader(deps.db, link.claims.subscriberId);
    if (!data) return gone(reply, deps);
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="tagcast-data.json"')
      .send(JSON.stringify({ exportedAt: deps.now().toISOString(), ...data }, null, 2));
  });

  // The link from the delete email opens a page with one button; only its POST erases.
  app.get('/preferences/delete', async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'delete', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const p = await readerProfile(deps.db, link.claims.subscriberId);
    if (!p) return gone(reply, deps);
    return sendPage(reply, <DeleteConfirmPage action={`/preferences/delete?t=${field(req.query, 't')}`} csrf={deps.csrf.token(req, reply)} archive={deps.config.archive} email={p.email} />);
  });

  app.post('/preferences/delete', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'delete', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
    if (csrfProblem) return sendMessage(reply, deps, { status: 403, title: 'Not erased', message: `Nothing was erased: ${csrfProblem}.` });
    const erased = await eraseReader(deps.db, link.claims.subscriberId);
    if (!erased) return gone(reply, deps);
    return sendMessage(reply, deps, {
      title: 'Your data is erased',
      message: 'Your address, tags and the record of your digests are gone. We keep only a one-way fingerprint of the address so that nobody can add it back to the list; you can still subscribe again yourself.',
    });
  });
}
