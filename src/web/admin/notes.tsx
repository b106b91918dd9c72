// /admin/issues/:id/note: the editor's note of one issue, through the notes operation (the same as
// `tagcast issue note` and PUT /api/v1/issues/:id/note).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NOTE_EDITABLE } from '../../db/settings.ts';
import { getIssue } from '../../db/issues.ts';
import { EditorError } from '../../editor/errors.ts';
import { loadSettings } from '../../publication.ts';
import { renderNote } from '../../render/note.ts';
import { HttpError } from '../plugins/errors.ts';
import { NotePage } from '../views/admin/notes.tsx';
import { adminEditor, csrfRefusal, doneOf, field, refuseEditor, sendAdmin, type AdminDeps } from './common.tsx';
import { formatTime, parseId } from './forms.ts';

type Req = FastifyRequest<{ Params: { id: string } }>;

export async function noteRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const issueOf = async (raw: string) => {
    const id = parseId(raw);
    const issue = id === null ? undefined : await getIssue(deps.db, id);
    if (!issue) throw new HttpError(404, `there is no issue ${raw.slice(0, 20)}`);
    return issue;
  };

  app.get('/admin/issues/:id/note', async (req: Req, reply: FastifyReply) => {
    const issue = await issueOf(req.params.id);
    const [n, s] = await Promise.all([adminEditor(deps).notes.show(issue.id), loadSettings(deps.db, deps.config)]);
    return sendAdmin(
      reply,
      <NotePage
        csrf={deps.csrf.token(req, reply)}
        issueId={issue.id}
        week={issue.week}
        status={issue.status}
        note={n.note ?? ''}
        editable={(NOTE_EDITABLE as readonly string[]).includes(issue.status)}
        previewHtml={renderNote(n.note, s.accent)?.html ?? null}
        updated={n.updatedAt ? `Last changed ${formatTime(n.updatedAt, deps.config.defaultTimeZone)}${n.updatedBy ? ` by ${n.updatedBy}` : ''}.` : undefined}
        done={doneOf(req)}
      />,
    );
  });

  app.post('/admin/issues/:id/note', async (req: Req, reply: FastifyReply) => {
    const issue = await issueOf(req.params.id);
    const back = { href: `/admin/issues/${issue.id}/note`, label: `Back to the note of issue ${issue.id}` };
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), back);
    if (refused) return refused;
    let saved;
    try {
      saved = await adminEditor(deps).notes.set(issue.id, field(req.body, 'note') ?? '');
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Note not saved', back);
      throw e;
    }
    return reply.redirect(`/admin/issues/${issue.id}/note?done=${saved.note === null ? 'note-removed' : 'note-saved'}`, 303);
  });
}
