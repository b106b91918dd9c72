// One summary's page (src/web/admin/summaries.tsx, /admin/summaries/:id): what it says, where it came
// from, who changed it and when, the issues holding it; the edit form; hide or show again; delete.
import type { SummaryDetail } from '../../../editor/summaries.ts';
import { CsrfField, FormErrors, Notice } from '../layout.tsx';
import { AdminPage, Fact, StatusBadge, Tags } from './layout.tsx';

/** The edit form's values as the editor typed them (kept when the edit is refused). */
export interface SummaryForm {
  title: string;
  signal: string;
  case: string;
  take: string;
  timeSaved: string;
  tags: string;
  week: string;
  date: string;
  sourceUrl: string;
}

export function formOf(s: SummaryDetail): SummaryForm {
  return {
    title: s.title,
    signal: s.signal,
    case: s.casePoints.join('\n'),
    take: s.take,
    timeSaved: s.timeSavedMinutes === null ? '' : `${s.timeSavedMinutes} min`,
    tags: s.tags.join(', '),
    week: s.week,
    date: s.date ?? '',
    sourceUrl: s.sourceUrl ?? '',
  };
}

const DONE: Record<string, string> = {
  saved: 'Summary saved.',
  unchanged: 'Nothing to save: the summary already said that.',
  hidden: 'Hidden: left out of issues planned from now on and of the archive. Issues already planned keep it.',
  shown: 'Shown again: issues planned from now on and the archive include it.',
};

export function SummaryPage(p: { csrf: string; summary: SummaryDetail; form: SummaryForm; when: (d: Date) => string; done?: string | undefined; error?: string | undefined }) {
  const s = p.summary;
  const f = p.form;
  const by = (who: string | null) => (who ? ` by ${who}` : '');
  const sent = s.issues.some((i) => i.status === 'sent');
  const done = p.done ? DONE[p.done] : undefined;
  return (
    <AdminPage title={`${p.error ? 'Error: ' : ''}Summary ${s.id}`} section="summaries" csrf={p.csrf}>
      <p className="small">
        <a href={`/admin/summaries?week=${s.week}`}>← Summaries of {s.week}</a>
      </p>
      <h1>{s.title}</h1>
      {done ? <Notice>{done}</Notice> : null}
      {p.error ? <FormErrors errors={[{ message: p.error }]} /> : null}
      {s.hiddenAt ? (
        <Notice kind="warn">
          <p>
            Hidden since {p.when(s.hiddenAt)}
            {by(s.hiddenBy)}: readers get it in no new issue, and the archive leaves it out.
          </p>
        </Notice>
      ) : null}
      <dl className="facts">
        <Fact term="Week">{s.week}</Fact>
        <Fact term="Tags">
          <Tags names={s.tags} />
        </Fact>
        <Fact term="Time saved">{s.timeSavedMinutes === null ? 'not given' : `${s.timeSavedMinutes} min`}</Fact>
        <Fact term="Imported">
          {p.when(s.importedAt)}
          {by(s.importedBy)}
        </Fact>
        <Fact term="Last changed">
          {p.when(s.updatedAt)}
          {by(s.updatedBy)}
        </Fact>
        <Fact term="In issues">
          {s.issues.length === 0
            ? 'none yet'
            : s.issues.map((i, n) => (
                <span key={i.id}>
                  {n > 0 ? ', ' : ''}
                  <a href={`/admin/issues/${i.id}`}>Issue {i.id}</a> <StatusBadge status={i.status} />
                </span>
              ))}
        </Fact>
      </dl>
      <p className="small muted">
        Identity <code>{s.sourceKey}</code>
        {s.sourceFile ? (
          <>
            , last imported from <code>{s.sourceFile}</code>
          </>
        ) : null}
        . Importing that file again unchanged keeps your edits; importing it changed replaces them.
      </p>

      <div className="actions">
        <form method="post" action={`/admin/summaries/${s.id}/${s.hiddenAt ? 'show' : 'hide'}`} className="inline-form">
          <CsrfField token={p.csrf} />
          <button type="submit" className="secondary">
            {s.hiddenAt ? 'Show in digests again' : 'Hide from digests'}
          </button>
        </form>
        {s.issues.length === 0 ? (
          <form method="post" action={`/admin/summaries/${s.id}/delete`} className="inline-form">
            <CsrfField token={p.csrf} />
            <button type="submit" className="danger">
              Delete summary
            </button>
          </form>
        ) : (
          <span className="small muted">
            {sent ? 'It went out in a sent issue, so it cannot be deleted: hide it instead.' : 'An issue holds it, so it cannot be deleted: hide it instead.'}
          </span>
        )}
      </div>

      <form method="post" action={`/admin/summaries/${s.id}`} className="card">
        <CsrfField token={p.csrf} />
        <h2>Edit</h2>
        <p className="small muted">The same checks as an import. Issues already planned keep what they took.</p>
        <div className="field">
          <label htmlFor="title">Title</label>
          <input type="text" id="title" name="title" required defaultValue={f.title} />
        </div>
        <div className="field">
          <label htmlFor="signal">The Signal</label>
          <textarea id="signal" name="signal" required rows={6} defaultValue={f.signal} />
        </div>
        <div className="field">
          <label htmlFor="case">
            The Case <span className="hint">One point per line.</span>
          </label>
          <textarea id="case" name="case" required rows={6} defaultValue={f.case} />
        </div>
        <div className="field">
          <label htmlFor="take">The 1 Minute Signal Take</label>
          <textarea id="take" name="take" required rows={4} defaultValue={f.take} />
        </div>
        <div className="two-col">
          <div className="field">
            <label htmlFor="tags">
              Tags <span className="hint">Separated by commas; the first is the main one.</span>
            </label>
            <input type="text" id="tags" name="tags" required defaultValue={f.tags} />
          </div>
          <div className="field">
            <label htmlFor="time_saved">
              Time saved <span className="hint">Like 38 min or 1h 05m; empty: not given.</span>
            </label>
            <input type="text" id="time_saved" name="time_saved" defaultValue={f.timeSaved} />
          </div>
          <div className="field">
            <label htmlFor="date">
              Date <span className="hint">Puts it in that date’s week; empty: no date.</span>
            </label>
            <input type="date" id="date" name="date" defaultValue={f.date} />
          </div>
          <div className="field">
            <label htmlFor="week">
              Week <span className="hint">Like 2026-W48; follows the date when one is given.</span>
            </label>
            <input type="text" id="week" name="week" required pattern="\d{4}-W\d{2}" spellCheck={false} defaultValue={f.week} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="source_url">
            Source link <span className="hint">http(s); empty: none.</span>
          </label>
          <input type="text" inputMode="url" id="source_url" name="source_url" defaultValue={f.sourceUrl} />
        </div>
        <div className="actions">
          <button type="submit">Save</button>
        </div>
      </form>
    </AdminPage>
  );
}
