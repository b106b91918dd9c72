// The issue pages (src/web/admin/issues.tsx): the list, one issue with its live progress, the send
// confirmation, the preview and the tag-combination report.
import type { IssueListRow } from '../../../db/progress.ts';
import { AGAIN_REASON_MAX, type Issue, type WeekIssue } from '../../../db/issues.ts';
import { issueName } from '../../../digest/week.ts';
import { allowedActions } from '../../../issues.ts';
import { CsrfField, Notice } from '../layout.tsx';
import { AdminPage, DoneNotice, EngineSelect, Fact, Pager, StatusBadge, TableHead, Tags, ZoneSelect, num, TableWrap } from './layout.tsx';

export interface IssuesPageProps {
  csrf: string;
  issues: (IssueListRow & { sendAtText: string })[];
  /** Weeks with summaries, newest first, each with the issue that holds it. */
  weeks: WeekIssue[];
  /** Selected first: the next week with content and no issue. */
  suggestedWeek: string | null;
  defaultEngine: string;
  page: number;
  pages: number;
  done?: string | undefined;
}

export function IssuesPage(p: IssuesPageProps) {
  return (
    <AdminPage title="Issues" section="issues" csrf={p.csrf}>
      <h1>Issues</h1>
      <DoneNotice done={p.done} />
      <TableWrap label="Issues, newest first">
        <table>
          <caption className="visually-hidden">Issues, newest first</caption>
          <TableHead cols={['Issue', 'Week', 'Status', 'Send at', num('Submitted'), num('Pending'), num('Failed'), num('Skipped')]} />
          <tbody>
            {p.issues.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No issues yet. Create one below.
                </td>
              </tr>
            ) : (
              p.issues.map((i) => (
                <tr key={i.id}>
                  <td>
                    <a href={`/admin/issues/${i.id}`}>Issue {i.id}</a>
                    {i.subject ? <span className="muted small"> · {i.subject}</span> : null}
                  </td>
                  <td>
                    <IssueName week={i.week} />
                  </td>
                  <td>
                    <StatusBadge status={i.status} />
                  </td>
                  <td>{i.sendAtText}</td>
                  <td className="num">{i.submitted}</td>
                  <td className="num">{i.pending}</td>
                  <td className="num">{i.failed}</td>
                  <td className="num">{i.skipped}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </TableWrap>
      <Pager page={p.page} pages={p.pages} href={(n) => `/admin/issues?page=${n}`} />

      <form method="post" action="/admin/issues" className="card">
        <CsrfField token={p.csrf} />
        <h2>Create an issue</h2>
        {p.weeks.length === 0 ? (
          <p className="muted">
            No week has summaries yet: <a href="/admin/summaries">upload some</a> first.
          </p>
        ) : (
          <>
            <div className="field">
              <label htmlFor="week">Week</label>
              <select id="week" name="week" defaultValue={p.suggestedWeek ?? p.weeks[0]!.week} aria-describedby="week-hint">
                {p.weeks.map((w) => (
                  <option key={w.week} value={w.week}>
                    {weekOption(w)}
                  </option>
                ))}
              </select>
              <p className="small muted" id="week-hint">
                A week already sent or scheduled says so; a week has one issue (send a sent week again from its issue&rsquo;s page).
              </p>
            </div>
            <div className="field">
              <label htmlFor="engine">Template engine</label>
              <EngineSelect id="engine" value={p.defaultEngine} />
            </div>
            <div className="field">
              <label htmlFor="subject">
                Subject <span className="hint">Optional. Empty: each reader&rsquo;s subject names their top tags.</span>
              </label>
              <input type="text" id="subject" name="subject" maxLength={200} />
            </div>
            <div className="actions">
              <button type="submit">Create draft</button>
            </div>
          </>
        )}
      </form>
    </AdminPage>
  );
}

export interface ProgressView {
  issueId: number;
  live: boolean;
  status: string;
  statusReason: string | null;
  planned: boolean;
  pending: number;
  submitted: number;
  failed: number;
  skipped: number;
  /** Submitted of submitted + pending + failed. */
  percent: number;
  rateText: string;
  etaText: string;
  finishText: string | null;
  waves: { label: string; pending: number; submitted: number; due: boolean }[];
  failures: { reason: string; count: number }[];
  skips: { reason: string; count: number }[];
  outcomes: { outcome: string; count: number }[];
  /** Readers who left through this issue's unsubscribe links. */
  unsubscribed: number;
  updatedText: string;
}

/** An issue's name in a narrow cell: it wraps after the week number, never inside "23–29". */
function IssueName({ week }: { week: string }) {
  const [number, dates] = issueName(week).split(' · ') as [string, string];
  return (
    <>
      {number} · <span className="nowrap">{dates}</span>
    </>
  );
}

/** "Week 48 · 23–29 Nov 2026 · 3 summaries · sent (issue 4)": a week as the creation list offers it, by its issue's name. */
export function weekOption(w: WeekIssue): string {
  const summaries = w.summaries === 1 ? '1 summary' : `${w.summaries} summaries`;
  return `${issueName(w.week)} · ${summaries}${w.issue ? ` · ${w.issue.status} (issue ${w.issue.id})` : ''}`;
}

/** The progress block; also served alone for the script that refreshes it. */
export function ProgressSection({ v }: { v: ProgressView }) {
  const total = v.submitted + v.pending + v.failed;
  return (
    <section className="card" id="progress" aria-labelledby="progress-title" data-progress-url={`/admin/issues/${v.issueId}/progress`} data-live={v.live ? 'true' : 'false'} data-status={v.status}>
      <h2 id="progress-title">Progress</h2>
      {/* The status lives in the refreshed block, so it always agrees with the counts beside it. */}
      <p className="issue-status">
        Status: <StatusBadge status={v.status} />
        {v.statusReason ? <span className="muted"> · {v.statusReason}</span> : null}
      </p>
      {!v.planned ? (
        <p className="muted">Nobody has been sent it yet. Who gets it is settled when its time comes (or when you send it now).</p>
      ) : (
        <>
          <p className="big-number">
            <strong>{v.submitted}</strong> of {total} submitted <span className="muted">({v.percent}%)</span>
          </p>
          <progress max={Math.max(total, 1)} value={v.submitted} aria-label={`${v.submitted} of ${total} submitted`} />
          <dl className="stats">
            <Fact term="Rate">{v.rateText}</Fact>
            <Fact term="ETA">{v.etaText}</Fact>
            {v.finishText ? (
              <Fact term="All out by">{v.finishText}</Fact>
            ) : null}
            <Fact term="Pending">{v.pending}</Fact>
            <Fact term="Failed">{v.failed}</Fact>
            <Fact term="Skipped">{v.skipped}</Fact>
            <Fact term="Unsubscribed by its links">{v.unsubscribed}</Fact>
          </dl>
          {v.waves.length > 0 ? (
            <TableWrap label="Waves">
              <table>
                <caption>Waves</caption>
                <TableHead cols={['Send time', num('Submitted'), num('Pending'), 'State']} />
                <tbody>
                  {v.waves.map((w) => (
                    <tr key={w.label}>
                      <td>{w.label}</td>
                      <td className="num">{w.submitted}</td>
                      <td className="num">{w.pending}</td>
                      <td>{w.pending === 0 ? 'done' : w.due ? 'sending' : 'waiting'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          ) : null}
          <ReasonTable caption="Failures by reason" rows={v.failures} empty="No failures." />
          <ReasonTable caption="Skipped by reason" rows={v.skips} empty="Nobody skipped." />
          <ReasonTable caption="Provider outcomes" rows={v.outcomes.map((o) => ({ reason: o.outcome, count: o.count }))} empty="No reports from the provider yet (submitted is not delivered)." head="Outcome" />
        </>
      )}
      <p className="muted small">Updated {v.updatedText}.</p>
    </section>
  );
}

function ReasonTable({ caption, rows, empty, head = 'Reason' }: { caption: string; rows: { reason: string; count: number }[]; empty: string; head?: string }) {
  if (rows.length === 0) {
    return (
      <p className="small">
        <strong>{caption}:</strong> <span className="muted">{empty}</span>
      </p>
    );
  }
  return (
    <TableWrap label={caption}>
      <table>
        <caption>{caption}</caption>
        <TableHead cols={[head, num('Deliveries')]} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.reason}>
              <td>{r.reason}</td>
              <td className="num">{r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export interface IssuePageProps {
  csrf: string;
  issue: Issue;
  createdText: string;
  sendAtText: string;
  progress: ProgressView;
  done?: string | undefined;
  defaultZone: string;
  defaultDate: string;
  defaultTime: string;
  /** Whether the server has a provider to send a test with. */
  canTestSend: boolean;
}

export function IssuePage(p: IssuePageProps) {
  const i = p.issue;
  const id = i.id;
  // The buttons the transition table allows (src/issues.ts), the same table the operations refuse by.
  const allowed = new Set(allowedActions(i));
  const can = { schedule: allowed.has('schedule'), send: allowed.has('send'), pause: allowed.has('pause'), resume: allowed.has('resume'), cancel: allowed.has('cancel') };
  const Action = ({ name, label, className }: { name: string; label: string; className?: string }) => (
    <form method="post" action={`/admin/issues/${id}/${name}`} className="inline-form">
      <CsrfField token={p.csrf} />
      <button type="submit" className={className}>
        {label}
      </button>
    </form>
  );
  return (
    <AdminPage title={`Issue ${id}`} section="issues" csrf={p.csrf} scripts={['admin.js']}>
      <p className="small">
        <a href="/admin/issues">← All issues</a>
      </p>
      <h1>
        Issue {id}: {issueName(i.week)}
      </h1>
      <DoneNotice done={p.done} />
      <dl className="facts">
        <Fact term="Send at">{p.sendAtText}</Fact>
        <Fact term="Engine">{i.engine}</Fact>
        <Fact term="Subject">{i.subject ?? <span className="muted">each reader&rsquo;s own (their top tags)</span>}</Fact>
        <Fact term="Created">{p.createdText}</Fact>
        {i.againOf !== null ? (
          <Fact term="Correction">
            of <a href={`/admin/issues/${i.againOf}`}>issue {i.againOf}</a>: {i.againReason}
          </Fact>
        ) : null}
      </dl>

      <div className="actions">
        {can.send ? <Action name="send" label="Send now" /> : null}
        {can.pause ? <Action name="pause" label="Pause" className="secondary" /> : null}
        {can.resume ? <Action name="resume" label={i.status === 'paused' ? 'Resume' : 'Restart if stuck'} className="secondary" /> : null}
        {can.cancel ? <Action name="cancel" label="Cancel issue" className="danger" /> : null}
        <a href={`/admin/issues/${id}/combinations`}>Tag combinations</a>
        <a href={`/admin/issues/${id}/note`}>Editor&rsquo;s note</a>
      </div>

      <p className="auto-refresh" hidden>
        <label className="check" htmlFor="auto-refresh">
          <input type="checkbox" id="auto-refresh" defaultChecked /> Update progress every 5 seconds
        </label>
      </p>
      <p id="status-changed" className="small" role="status" hidden>
        The status changed since this page opened: <a href={`/admin/issues/${id}`}>reload it</a> for the actions that fit it now.
      </p>
      <ProgressSection v={p.progress} />

      {can.schedule ? (
        <div className="two-col">
          <form method="post" action={`/admin/issues/${id}/schedule`} className="card">
            <CsrfField token={p.csrf} />
            <h2>Schedule</h2>
            <p className="small muted">Everyone at the same moment.</p>
            <div className="field">
              <label htmlFor="at-date">Date</label>
              <input type="date" id="at-date" name="date" required defaultValue={p.defaultDate} />
            </div>
            <div className="field">
              <label htmlFor="at-time">Time</label>
              <input type="time" id="at-time" name="time" required defaultValue={p.defaultTime} />
            </div>
            <div className="field">
              <label htmlFor="at-zone">Time zone</label>
              <ZoneSelect id="at-zone" value={p.defaultZone} />
            </div>
            <div className="actions">
              <button type="submit">Schedule</button>
            </div>
          </form>
          <form method="post" action={`/admin/issues/${id}/schedule-local`} className="card">
            <CsrfField token={p.csrf} />
            <h2>Schedule at local time</h2>
            <p className="small muted">Each reader at this time on this date in their own time zone (readers without one: {p.defaultZone}).</p>
            <div className="field">
              <label htmlFor="local-date">Date</label>
              <input type="date" id="local-date" name="date" required defaultValue={p.defaultDate} />
            </div>
            <div className="field">
              <label htmlFor="local-time">Local time</label>
              <input type="time" id="local-time" name="local_time" required defaultValue="09:00" />
            </div>
            <div className="actions">
              <button type="submit">Schedule at local time</button>
            </div>
          </form>
        </div>
      ) : null}

      {i.status === 'sent' ? (
        <form method="post" action={`/admin/issues/${id}/again`} className="card">
          <CsrfField token={p.csrf} />
          <h2>Send this week again</h2>
          <p className="small muted">
            A new draft of {issueName(i.week)} for every reader, on purpose: the archive shows it as a correction of issue {id}, with your reason (one line, at most{' '}
            {AGAIN_REASON_MAX} characters).
          </p>
          <div className="field">
            <label htmlFor="again-reason">Reason</label>
            <input type="text" id="again-reason" name="reason" required maxLength={AGAIN_REASON_MAX} autoComplete="off" />
          </div>
          <button type="submit" className="secondary">Create the correction</button>
        </form>
      ) : null}

      <div className="two-col">
        <form method="get" action={`/admin/issues/${id}/preview`} className="card">
          <h2>Preview a reader&rsquo;s digest</h2>
          <div className="field">
            <label htmlFor="preview-email">Subscriber&rsquo;s email address</label>
            <input type="email" id="preview-email" name="email" required autoComplete="off" spellCheck={false} />
          </div>
          <div className="actions">
            <button type="submit" className="secondary">
              Preview
            </button>
          </div>
        </form>
        <form method="post" action={`/admin/issues/${id}/test`} className="card">
          <CsrfField token={p.csrf} />
          <h2>Test send</h2>
          {p.canTestSend ? null : <Notice kind="warn">This server has no email provider configured, so it cannot send tests.</Notice>}
          <div className="field">
            <label htmlFor="test-to">
              Send to <span className="hint">The subject starts with &ldquo;[Test]&rdquo;.</span>
            </label>
            <input type="email" id="test-to" name="to" required autoComplete="email" spellCheck={false} />
          </div>
          <div className="field">
            <label htmlFor="test-as">
              Whose digest <span className="hint">Optional: a subscriber&rsquo;s address, to send their digest. Empty: every tag of the week.</span>
            </label>
            <input type="email" id="test-as" name="subscriber" autoComplete="off" spellCheck={false} />
          </div>
          <div className="actions">
            <button type="submit" className="secondary">
              Send a test
            </button>
          </div>
        </form>
      </div>
    </AdminPage>
  );
}

/** What a confirm step asks about: the action it posts to again, what happens, and the fields it repeats. */
export interface SendConfirm {
  action: string;
  what: string;
  button: string;
  fields: Record<string, string>;
}

/** The one question before "Send now" or a schedule: how many readers it reaches; the button posts again, confirmed. */
export function ConfirmSendPage(p: { csrf: string; issue: Issue; readers: number; confirm: SendConfirm }) {
  const i = p.issue;
  const readers = `${p.readers} reader${p.readers === 1 ? '' : 's'}`;
  return (
    <AdminPage title={`Issue ${i.id}: confirm`} section="issues" csrf={p.csrf}>
      <p className="small">
        <a href={`/admin/issues/${i.id}`}>← Issue {i.id}</a>
      </p>
      <h1>
        Issue {i.id}: {issueName(i.week)}
      </h1>
      {i.againOf !== null ? (
        <Notice kind="warn">
          This is a correction of issue {i.againOf} ({i.againReason}): everyone it reaches gets {issueName(i.week)} a second time.
        </Notice>
      ) : null}
      <p>
        {p.confirm.what} It reaches <strong className="reach">{readers}</strong> (active subscribers following a tag with summaries in {issueName(i.week)}).
      </p>
      <form method="post" action={p.confirm.action} className="actions">
        <CsrfField token={p.csrf} />
        {Object.entries(p.confirm.fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit">{p.confirm.button}</button>
        <a href={`/admin/issues/${i.id}`}>Not now</a>
      </form>
    </AdminPage>
  );
}

export function PreviewPage(p: { csrf: string; issueId: number; week: string; email: string; subject: string; to: string; frameUrl: string; text: string; frozen: boolean }) {
  return (
    <AdminPage title={`Preview: ${p.email}`} section="issues" csrf={p.csrf}>
      <p className="small">
        <a href={`/admin/issues/${p.issueId}`}>← Issue {p.issueId}</a>
      </p>
      <h1>Digest of {p.email}</h1>
      <dl className="facts">
        <Fact term="Subject">{p.subject}</Fact>
        <Fact term="To">{p.to}</Fact>
        <Fact term="Sections">{p.frozen ? 'as frozen when the issue was planned' : `from the reader’s tags now and the summaries of ${issueName(p.week)}`}</Fact>
      </dl>
      {/* The email runs in a sandbox: no scripts, no same-origin access, its own strict CSP. */}
      <iframe className="preview-frame" title={`The HTML digest of ${p.email}`} src={p.frameUrl} sandbox="" referrerPolicy="no-referrer" />
      <details className="card">
        <summary>Plain-text part</summary>
        <pre className="plain-text">{p.text}</pre>
      </details>
    </AdminPage>
  );
}

export function CombinationsPage(p: { csrf: string; issueId: number; week: string; frozen: boolean; rows: { names: string[]; readers: number }[]; nothing: number; total: number }) {
  return (
    <AdminPage title={`Tag combinations: issue ${p.issueId}`} section="issues" csrf={p.csrf}>
      <p className="small">
        <a href={`/admin/issues/${p.issueId}`}>← Issue {p.issueId}</a>
      </p>
      <h1>Tag combinations, {issueName(p.week)}</h1>
      <p className="lede">
        {p.frozen
          ? 'As planned: each reader’s sections frozen in the ledger.'
          : 'If the issue were planned now: active readers (not paused, not suppressed) and the tags they follow that have summaries this week.'}
      </p>
      <p>
        <strong>{p.total}</strong> readers · <strong>{p.rows.length}</strong> distinct digests · <strong>{p.nothing}</strong> get nothing (no followed tag has content)
      </p>
      <TableWrap label="Readers per combination of sections">
        <table>
          <caption className="visually-hidden">Readers per combination of sections</caption>
          <TableHead cols={['Sections', num('Readers')]} />
          <tbody>
            {p.rows.length === 0 ? (
              <tr>
                <td colSpan={2} className="muted">
                  No reader gets a digest.
                </td>
              </tr>
            ) : (
              p.rows.map((r) => (
                <tr key={r.names.join('\u0000')}>
                  <td>
                    <Tags names={r.names} />
                  </td>
                  <td className="num">{r.readers}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </TableWrap>
    </AdminPage>
  );
}
