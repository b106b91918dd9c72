// The summaries page (src/web/admin/summaries.tsx): weeks, their summaries, the upload form and its report.
import { OUTCOME_WORDS } from '../../../content/import.ts';
import type { SummaryDetail } from '../../../editor/summaries.ts';
import { CsrfField, Notice } from '../layout.tsx';
import { AdminPage, Tags } from './layout.tsx';

export interface FileReport {
  name: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'error';
  problems: string[];
}

export function SummariesPage(p: {
  csrf: string;
  weeks: { week: string; summaries: number; hidden: number }[];
  week: string | null;
  summaries: SummaryDetail[];
  defaultWeek: string;
  report?: FileReport[] | undefined;
  deleted?: number | undefined;
}) {
  const failed = p.report?.filter((r) => r.outcome === 'error').length ?? 0;
  return (
    <AdminPage title={failed > 0 ? 'Error: Summaries' : 'Summaries'} section="summaries" csrf={p.csrf}>
      <h1>Summaries</h1>
      {p.deleted ? <Notice>Summary {p.deleted} deleted. Importing its file again would bring it back.</Notice> : null}
      {p.report ? (
        <Notice kind={failed > 0 ? 'bad' : 'ok'}>
          <p>
            <strong>
              {p.report.length - failed} of {p.report.length} files imported{failed > 0 ? `; ${failed} not imported` : ''}.
            </strong>
          </p>
          <ul className="report">
            {p.report.map((r) => (
              <li key={r.name}>
                {r.outcome === 'error' ? (
                  r.problems.map((x) => (
                    <code key={x} className="problem">
                      {x}
                    </code>
                  ))
                ) : (
                  <>
                    <code>{r.name}</code>: {OUTCOME_WORDS[r.outcome]}
                  </>
                )}
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <form method="post" action="/admin/summaries/import" encType="multipart/form-data" className="card">
        <CsrfField token={p.csrf} />
        <h2>Upload summary files</h2>
        <p className="small muted">
          Markdown with front matter (.md) or the plain Signal format (.txt), up to 256 KiB each, 50 at a time. A file uploaded again, or imported with{' '}
          <code>tagcast import</code>, updates its summary instead of adding a second one.
        </p>
        <div className="field">
          <label htmlFor="files">Files</label>
          <input type="file" id="files" name="files" multiple accept=".md,.markdown,.txt" required />
        </div>
        <div className="field">
          <label htmlFor="upload-week">
            Week <span className="hint">Files without a date go into this week. A file with a date goes into that date’s week. Empty: the current week.</span>
          </label>
          <input type="text" id="upload-week" name="week" defaultValue={p.defaultWeek} pattern="\d{4}-W\d{2}" spellCheck={false} />
        </div>
        <div className="actions">
          <button type="submit">Import</button>
        </div>
      </form>

      <h2>By week</h2>
      {p.weeks.length === 0 ? (
        <p className="muted">No summaries yet.</p>
      ) : (
        <nav aria-label="Weeks" className="week-list">
          <ul>
            {p.weeks.map((w) => (
              <li key={w.week}>
                <a href={`/admin/summaries?week=${w.week}`} aria-current={w.week === p.week ? 'page' : undefined}>
                  {w.week}
                </a>{' '}
                <span className="muted small">
                  ({w.summaries}
                  {w.hidden > 0 ? `, ${w.hidden} hidden` : ''})
                </span>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {p.week ? (
        <section aria-labelledby="week-title">
          <h3 id="week-title">Week {p.week}</h3>
          {/* A list, not a table: titles and tags wrap by words at 375 px. */}
          <ul className="plain-list">
            {p.summaries.map((s) => (
              <li key={s.id}>
                <a href={`/admin/summaries/${s.id}`}>{s.title}</a>
                {s.hiddenAt ? (
                  <>
                    {' '}
                    <span className="status status-hidden">hidden</span>
                  </>
                ) : null}
                <br />
                <Tags names={s.tags} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </AdminPage>
  );
}
