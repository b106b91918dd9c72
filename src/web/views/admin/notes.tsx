// An issue's editor's note (src/web/admin/notes.tsx): the Markdown in a form while the issue is a draft
// or scheduled, read-only after; with how it will look.
import { issueName } from '../../../digest/week.ts';
import { CsrfField, Notice } from '../layout.tsx';
import { AdminPage, DoneNotice } from './layout.tsx';

export function NotePage(p: { csrf: string; issueId: number; week: string; status: string; note: string; editable: boolean; previewHtml: string | null; updated?: string | undefined; done?: string | undefined }) {
  return (
    <AdminPage title={`Editor’s note: issue ${p.issueId}`} section="issues" csrf={p.csrf}>
      <p>
        <a href={`/admin/issues/${p.issueId}`}>← Issue {p.issueId}</a>
      </p>
      <h1>Editor&rsquo;s note for issue {p.issueId}</h1>
      <DoneNotice done={p.done} />
      <p className="lede">
        {issueName(p.week)}, {p.status}. The note opens every reader&rsquo;s digest of this issue (HTML and plain text) and its web version.
      </p>
      {p.editable ? (
        <form method="post" action={`/admin/issues/${p.issueId}/note`} className="card">
          <CsrfField token={p.csrf} />
          <div className="field">
            <label htmlFor="note-text">
              Note{' '}
              <span className="hint" id="note-hint">
                Markdown: blank lines between paragraphs, &ldquo;- &rdquo; for a list, **bold**, *emphasis*, `code`, [a link](https://…). Everything else shows as typed. Empty: no note.
              </span>
            </label>
            <textarea id="note-text" name="note" rows={8} maxLength={10000} defaultValue={p.note} aria-describedby="note-hint" />
          </div>
          <div className="actions">
            <button type="submit">Save note</button>
          </div>
          {p.updated ? <p className="muted small">{p.updated}</p> : null}
        </form>
      ) : (
        <Notice kind="warn">
          <p>This issue is {p.status}: its note can no longer change (readers may already have it).</p>
        </Notice>
      )}
      {p.previewHtml ? (
        <section className="card" aria-labelledby="note-preview-title">
          <h2 id="note-preview-title">How it reads</h2>
          <div dangerouslySetInnerHTML={{ __html: p.previewHtml }} />
        </section>
      ) : null}
    </AdminPage>
  );
}
