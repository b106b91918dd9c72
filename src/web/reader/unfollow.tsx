// GET/POST /unfollow: "Stop TAG" under a digest's section. The link is signed for one reader and one
// tag (the tag's id in the token's ref), so it stops that tag for that reader and nothing else. The GET
// shows a page naming the tag with one button and changes nothing (mail scanners fetch every link);
// the POST stops the tag, once (a second POST says nothing changed), and offers to follow it again.
//
// Following nothing while subscribed is not a state tagcast has (the preferences page refuses it too):
// when the tag is the reader's last, nothing is removed and the page offers to unsubscribe instead,
// through the digest's own one-click unsubscribe form. Like the unsubscribe pages, these pages may be
// a forwarded digest's: they show no address and no preferences link.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { following, refollowTag, tagById, unfollowTag, type TagRef } from '../../db/unfollow.ts';
import { createToken, type TokenClaims } from '../../lib/reader-links.ts';
import { CsrfField, Notice, Page } from '../views/layout.tsx';
import { OneClickUnsubscribeForm } from '../views/unsubscribe-reason.tsx';
import { field, readLink, sendLinkProblem, sendMessage, sendPage, type ReaderDeps } from './common.tsx';

type Shown = 'confirm' | 'removed' | 'already' | 'last' | 'followed' | 'following';

interface UnfollowProps {
  tag: string;
  shown: Shown;
  /** This link's own form (the button posts `action`). */
  action: string;
  /** The digest's one-click unsubscribe, for the last tag. */
  unsubscribeAction: string;
  preferencesLinkAction: string;
  csrf: string;
  archive: boolean;
}

function Button({ p, action, label, kind }: { p: UnfollowProps; action: 'unfollow' | 'follow'; label: string; kind?: string }) {
  return (
    <form method="post" action={p.action}>
      <CsrfField token={p.csrf} />
      <input type="hidden" name="action" value={action} />
      <div className="actions">
        <button type="submit" className={kind}>
          {label}
        </button>
      </div>
    </form>
  );
}

function PreferencesLink({ p }: { p: UnfollowProps }) {
  return (
    <>
      <p>To choose several tags at once, or your time zone, open your preferences: we email you the link.</p>
      <form method="post" action={p.preferencesLinkAction} className="inline-form">
        <CsrfField token={p.csrf} />
        <button type="submit" className="secondary">
          Email me a link to my preferences
        </button>
      </form>
    </>
  );
}

const TITLES: Record<Shown, (tag: string) => string> = {
  confirm: (t) => `Stop ${t}?`,
  removed: (t) => `You stopped ${t}`,
  already: (t) => `You had stopped ${t} already`,
  last: (t) => `${t} is your only tag`,
  followed: (t) => `You follow ${t} again`,
  following: (t) => `You follow ${t}`,
};

export function UnfollowPage(p: UnfollowProps) {
  const title = TITLES[p.shown](p.tag);
  return (
    <Page title={title} archive={p.archive} noindex>
      <h1>{title}</h1>
      {p.shown === 'confirm' ? (
        <>
          <p className="lede">Your digest will no longer have the {p.tag} section. Your other tags stay as they are.</p>
          <Button p={p} action="unfollow" label={`Stop ${p.tag}`} />
        </>
      ) : null}
      {p.shown === 'removed' || p.shown === 'already' ? (
        <>
          <Notice>
            <p>{p.shown === 'removed' ? `Your digests have no ${p.tag} section from the next issue on.` : 'Nothing changed: this tag was not among the ones you follow.'}</p>
          </Notice>
          <p>{p.shown === 'removed' ? 'Clicked by mistake?' : `Want ${p.tag} in your digest?`}</p>
          <Button p={p} action="follow" label={p.shown === 'removed' ? `Undo: follow ${p.tag} again` : `Follow ${p.tag}`} kind="secondary" />
        </>
      ) : null}
      {p.shown === 'followed' || p.shown === 'following' ? (
        <Notice>
          <p>{p.shown === 'followed' ? `Your digests have a ${p.tag} section again from the next issue on.` : `Nothing changed: you follow ${p.tag}.`}</p>
        </Notice>
      ) : null}
      {p.shown === 'last' ? (
        <>
          <Notice kind="warn">
            <p>Stopping it would leave you following no tag, and a digest with no tags is no digest. Nothing changed.</p>
          </Notice>
          <p>Keep {p.tag}: close this page, nothing more to do. Or stop every digest instead:</p>
          <OneClickUnsubscribeForm action={p.unsubscribeAction} />
        </>
      ) : null}
      <PreferencesLink p={p} />
    </Page>
  );
}

/** The link's reader and tag; a page already sent when they cannot be used. */
async function open(req: FastifyRequest, reply: FastifyReply, deps: ReaderDeps): Promise<{ claims: TokenClaims; tag: TagRef; props: Omit<UnfollowProps, 'shown'> } | FastifyReply> {
  const link = readLink(req, deps.config.secret, 'unfollow', deps.now());
  if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
  const { subscriberId, issueId, ref } = link.claims;
  // Every unfollow link names a tag; a genuine token without one was made by nobody here.
  if (ref === undefined) return sendLinkProblem(reply, deps, 'invalid');
  const tag = await tagById(deps.db, ref);
  if (!tag) return sendMessage(reply, deps, { status: 404, title: 'No such tag', message: 'This tag is gone (the editors removed or merged it), so there is nothing to stop.' });
  const t = field(req.query, 't')!;
  // The digest's own one-click unsubscribe link (the same token), offered when this tag is the last.
  const unsub = createToken(deps.config.secret, { purpose: 'unsubscribe', subscriberId, issueId });
  return {
    claims: link.claims,
    tag,
    props: {
      tag: tag.name,
      action: `/unfollow?t=${t}`,
      unsubscribeAction: `/unsubscribe?t=${unsub}`,
      preferencesLinkAction: `/unsubscribe/preferences-link?t=${unsub}`,
      csrf: deps.csrf.token(req, reply),
      archive: deps.config.archive,
    },
  };
}

function gone(reply: FastifyReply, deps: ReaderDeps) {
  return sendMessage(reply, deps, { status: 404, title: 'Nothing here', message: 'We hold no subscription for this link any more: it was erased, and nothing will be sent to it.' });
}

export async function unfollowRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  app.get('/unfollow', async (req, reply) => {
    const o = await open(req, reply, deps);
    if (!('claims' in o)) return o;
    const f = await following(deps.db, o.claims.subscriberId, o.tag.id);
    if (!f) return gone(reply, deps);
    const shown: Shown = !f.follows ? 'already' : f.count === 1 ? 'last' : 'confirm';
    return sendPage(reply, <UnfollowPage {...o.props} shown={shown} />);
  });

  app.post('/unfollow', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const o = await open(req, reply, deps);
    if (!('claims' in o)) return o;
    const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
    if (csrfProblem) return sendMessage(reply, deps, { status: 403, title: 'Nothing changed', message: `Nothing changed: ${csrfProblem}.` });
    const sid = o.claims.subscriberId;
    const action = field(req.body, 'action') ?? 'unfollow';
    if (action === 'follow') {
      // The undo: the link names this reader and this tag, so following it again is all it can do.
      const f = await following(deps.db, sid, o.tag.id);
      if (!f) return gone(reply, deps);
      const changed = await refollowTag(deps.db, sid, o.tag.id);
      return sendPage(reply, <UnfollowPage {...o.props} shown={changed ? 'followed' : 'following'} />);
    }
    if (action !== 'unfollow') return sendMessage(reply, deps, { status: 400, title: 'Nothing changed', message: 'That form is not one this page knows: open the link in your email again.' });
    const outcome = await unfollowTag(deps.db, sid, o.tag.id);
    if (outcome === 'gone') return gone(reply, deps);
    // The last tag is kept: 409, the page asks whether to unsubscribe instead.
    return sendPage(reply, <UnfollowPage {...o.props} shown={outcome} />, outcome === 'last' ? 409 : 200);
  });
}
