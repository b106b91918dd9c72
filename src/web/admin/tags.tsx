// The tags: the list, one tag's page with rename, describe and hide, and a merge that is confirmed on
// its own page before it happens (it cannot be undone). Every change goes through the editor's tag
// operations (src/editor/tags.ts), the same as `tagcast tags` and /api/v1/tags.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EditorError } from '../../editor/errors.ts';
import { recentSince } from '../reader/subscribe.tsx';
import { MergeConfirmPage, TagPage, TagsPage } from '../views/admin/tags.tsx';
import { adminEditor, csrfRefusal, doneOf, field, refuseEditor, sendAdmin, type AdminDeps } from './common.tsx';
import { formatTime } from './forms.ts';

type SlugRequest = FastifyRequest<{ Params: { slug: string } }>;

const tagHref = (slug: string) => `/admin/tags/${encodeURIComponent(slug)}`;
const allTags = { href: '/admin/tags', label: 'Back to the tags' };

export async function tagRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  /** Runs a change; a refusal is a page with its status and the way back to the tag. */
  async function change(req: SlugRequest, reply: FastifyReply, title: string, op: () => Promise<{ slug: string }>, done: string): Promise<FastifyReply> {
    const back = { href: tagHref(req.params.slug), label: 'Back to the tag' };
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), back);
    if (refused) return refused;
    try {
      const t = await op();
      return reply.redirect(`${tagHref(t.slug)}?done=${done}`, 303);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, title, e.kind === 'not-found' ? allTags : back);
      throw e;
    }
  }

  app.get('/admin/tags', async (req, reply) => {
    const tags = await adminEditor(deps).tags.list();
    const since = recentSince({ now: deps.now, config: deps.config });
    return sendAdmin(reply, <TagsPage csrf={deps.csrf.token(req, reply)} tags={tags} weeks={deps.config.subscribeTagWeeks} since={since} done={doneOf(req)} />);
  });

  app.get<{ Params: { slug: string } }>('/admin/tags/:slug', async (req, reply) => {
    const ed = adminEditor(deps);
    try {
      const tag = await ed.tags.show({ tag: req.params.slug });
      const others = (await ed.tags.list()).filter((o) => o.slug !== tag.slug).map((o) => ({ slug: o.slug, name: o.name }));
      const changedText = tag.changedAt ? `${formatTime(tag.changedAt, deps.config.defaultTimeZone)} by ${tag.changedBy ?? 'someone'}` : null;
      return sendAdmin(reply, <TagPage csrf={deps.csrf.token(req, reply)} tag={tag} others={others} changedText={changedText} done={doneOf(req)} />);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'No such tag', allTags);
      throw e;
    }
  });

  app.post<{ Params: { slug: string } }>('/admin/tags/:slug/rename', async (req, reply) =>
    change(req, reply, 'Tag not renamed', () => adminEditor(deps).tags.rename({ tag: req.params.slug, name: field(req.body, 'name') ?? '' }), 'tag-renamed'),
  );

  app.post<{ Params: { slug: string } }>('/admin/tags/:slug/describe', async (req, reply) =>
    change(req, reply, 'Description not saved', () => adminEditor(deps).tags.describe({ tag: req.params.slug, description: field(req.body, 'description') ?? '' }), 'tag-described'),
  );

  app.post<{ Params: { slug: string } }>('/admin/tags/:slug/hide', async (req, reply) => {
    const raw = field(req.body, 'hidden');
    const hidden = raw === 'on' ? true : raw === 'off' ? false : undefined;
    return change(
      req,
      reply,
      'Tag not changed',
      async () => {
        if (hidden === undefined) throw new EditorError('invalid', 'hidden must be on or off');
        return adminEditor(deps).tags.hide({ tag: req.params.slug, hidden });
      },
      hidden ? 'tag-hidden' : 'tag-shown',
    );
  });

  // A GET shows what the merge would do and changes nothing; the button on it posts the merge.
  app.get<{ Params: { slug: string } }>('/admin/tags/:slug/merge', async (req, reply) => {
    try {
      const plan = await adminEditor(deps).tags.mergePlan({ from: req.params.slug, into: field(req.query, 'into') ?? '' });
      return sendAdmin(reply, <MergeConfirmPage csrf={deps.csrf.token(req, reply)} plan={plan} />);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Nothing to merge', { href: tagHref(req.params.slug), label: 'Back to the tag' });
      throw e;
    }
  });

  app.post<{ Params: { slug: string } }>('/admin/tags/:slug/merge', async (req, reply) =>
    change(req, reply, 'Tags not merged', async () => (await adminEditor(deps).tags.merge({ from: req.params.slug, into: field(req.body, 'into') ?? '' })).into, 'tag-merged'),
  );
}
