// GET/POST /density: "brief or full" from a digest's footer. The link is signed for one reader; the
// GET shows the choice and changes nothing (mail scanners fetch every link), the POST (`density=brief`
// or `full`) sets it for the issues planned from then on. `?to=brief` pre-selects the footer's offer.
// The page may be a forwarded digest's: it shows no address and no other link of the reader.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DENSITIES, editorDefaultDensity, readerDensity, setDensity, type Density } from '../../db/subscribers.ts';
import { DensityPage } from '../views/density.tsx';
import type { FieldError } from '../views/reader.tsx';
import { field, readLink, sendLinkProblem, sendMessage, sendPage, type ReaderDeps } from './common.tsx';

const isDensity = (s: string | undefined): s is Density => (DENSITIES as readonly string[]).includes(s ?? '');

async function show(req: FastifyRequest, reply: FastifyReply, deps: ReaderDeps, sid: number, o: { preselect?: string | undefined; saved?: boolean; error?: FieldError; status?: number }) {
  const own = await readerDensity(deps.db, sid);
  if (own === undefined) return sendMessage(reply, deps, { status: 404, title: 'Nothing here', message: 'We hold no subscription for this link any more: it was erased, and nothing will be sent to it.' });
  const value = isDensity(o.preselect) ? o.preselect : (own ?? (await editorDefaultDensity(deps.db)));
  return sendPage(
    reply,
    <DensityPage value={value} chosen={own !== null} saved={o.saved ?? false} error={o.error} action={`/density?t=${field(req.query, 't')}`} csrf={deps.csrf.token(req, reply)} archive={deps.config.archive} />,
    o.status ?? 200,
  );
}

export async function densityRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  app.get('/density', async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'density', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    return show(req, reply, deps, link.claims.subscriberId, { preselect: field(req.query, 'to'), saved: field(req.query, 'done') === 'saved' });
  });

  app.post('/density', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'density', deps.now());
    if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
    const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
    const sid = link.claims.subscriberId;
    if (csrfProblem) return show(req, reply, deps, sid, { status: 403, error: { message: `Not saved: ${csrfProblem}.` } });
    const density = field(req.body, 'density');
    if (!isDensity(density)) return show(req, reply, deps, sid, { status: 400, error: { field: 'density', message: 'Choose brief or full.' } });
    // A reader erased meanwhile: show answers that there is nothing here.
    if (!(await setDensity(deps.db, sid, density))) return show(req, reply, deps, sid, {});
    // Post/redirect/get: reloading the page never repeats the change.
    return reply.code(303).header('location', `/density?t=${field(req.query, 't')}&done=saved`).send();
  });
}
