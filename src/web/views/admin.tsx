// The editor pages at /admin: the shared layout with an editor navigation, login, issues and their live
// progress, preview, the tag-combination report, summaries, subscribers and the recurring schedule.
// Every form posts with a CSRF field and works without JavaScript; the one script refreshes progress.
import type { ReactNode } from 'react';
import type { SubscriberRow } from '../../db/subscribers.ts';
import type { StoredSummary } from '../../db/summaries.ts';
import type { IssueListRow } from '../../db/progress.ts';
import { AGAIN_REASON_MAX, type Issue } from '../../db/issues.ts';
import { CsrfField, FormErrors, Notice, Page } from './layout.tsx';

/** Tag names, each as a tag chip. */
function Tags({ names }: { names: string[] }) {
  return (
    <>
      {names.map((n) => (
        <span key={n} className="tag">
          {n}
        </span>
      ))}
    </>
  );
}

/** One term and its value in a `<dl className="facts">`. */
function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A numeric column: its header and cells align right (the `num` class). */
const num = (label: ReactNode) => ({ num: label });

/** A table's header row, one column per entry; `num(…)` marks a column of numbers. */
function TableHead({ cols }: { cols: (ReactNode | { num: ReactNode })[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c, i) =>
          c !== null && typeof c === 'object' && 'num' in c ? (
            <th key={i} scope="col" className="num">
              {c.num}
            </th>
          ) : (
            <th key={i} scope="col">
              {c}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

export type AdminSection = 'issues' | 'summaries' | 'subscribers' | 'schedule';

const NAV: { key: AdminSection | 'queues'; href: string; label: string }[] = [
  { key: 'issues', href: '/admin/issues', label: 'Issues' },
  { key: 'summaries', href: '/admin/summaries', label: 'Summaries' },
  { key: 'subscribers', href: '/admin/subscribers', label: 'Subscribers' },
  { key: 'schedule', href: '/admin/schedule', label: 'Schedule' },
  { key: 'queues', href: '/admin/queues', label: 'Queues' },
];

const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

export function AdminPage({ title, section, csrf, children, scripts }: { title: string; section?: AdminSection; csrf?: string; children: ReactNode; scripts?: string[] }) {
  return (
    <Page title={`${title} · admin`} wide noindex nav={NAV.map((n) => ({ href: n.href, label: n.label, current: n.key === section }))} scripts={scripts}>
      {csrf ? (
        <form method="post" action="/admin/logout" className="admin-bar">
          <CsrfField token={csrf} />
          <span className="muted small">Signed in as the editor</span>
          <button type="submit" className="secondary small-button">
            Log out
          </button>
        </form>
      ) : null}
      {children}
    </Page>
  );
}

/** A short page for an answer: a refused action (4xx with the reason), or the admin pages being off. */
export function AdminMessagePage({ title, kind = 'bad', children, back }: { title: string; kind?: 'ok' | 'warn' | 'bad'; children: ReactNode; back?: { href: string; label: string } }) {
  return (
    <AdminPage title={kind === 'bad' ? `Error: ${title}` : title}>
      <h1>{title}</h1>
      <Notice kind={kind}>{children}</Notice>
      {back ? (
        <p>
          <a href={back.href}>{back.label}</a>
        </p>
      ) : null}
    </AdminPage>
  );
}

export function LoginPage({ csrf, next, error, loggedOut }: { csrf: string; next: string; error?: string | undefined; loggedOut?: boolean }) {
  return (
    <Page title={error ? 'Error: Editor login' : 'Editor login'} noindex nav={[]}>
      <h1>Editor login</h1>
      {loggedOut ? <Notice>You are logged out.</Notice> : null}
      <FormErrors errors={error ? [{ field: 'password', message: error }] : []} />
      <form method="post" action={`/admin/login?next=${encodeURIComponent(next)}`} className="card">
        <CsrfField token={csrf} />
        <div className={error ? 'field invalid' : 'field'}>
          <label htmlFor="password">
            Password <span className="hint">ADMIN_PASSWORD from the server&rsquo;s configuration.</span>
          </label>
          <input type="password" id="password" name="password" required autoComplete="current-password" aria-invalid={error ? true : undefined} />
        </div>
        <div className="actions">
          <button type="submit">Log in</button>
        </div>
      </form>
    </Page>
  );
}

const DONE: Record<string, string> = {
  created: 'Issue created as a draft.',
  scheduled: 'Issue scheduled.',
  'scheduled-local': 'Issue scheduled at each reader’s local time.',
  sending: 'Sending now: the issue is being planned and its batches queued.',
  paused: 'Paused. Batches not yet sent wait until you resume.',
  resumed: 'Resumed: the remaining batches are queued again.',
  cancelled: 'Cancelled. Deliveries not yet sent were skipped.',
  'test-sent': 'Test email sent.',
  'created-again': 'Correction created as a draft: it sends this week again. Check it, then send or schedule it.',
  added: 'Subscriber saved.',
  'schedule-saved': 'Schedule saved.',
  'schedule-cleared': 'Schedule cleared: no weekly issue is created any more.',
};

export function DoneNotice({ done }: { done: string | undefined }) {
  const text = done ? DONE[done] : undefined;
  return text ? <Notice>{text}</Notice> : null;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

function Pager({ page, pages, href }: { page: number; pages: number; href: (p: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {page > 1 ? <a href={href(page - 1)}>← Newer</a> : <span />}
      <span className="muted">
        Page {page} of {pages}
      </span>
      {page < pages ? <a href={href(page + 1)}>Older →</a> : <span />}
    </nav>
  );
}

export function EngineSelect({ id, value, withDefault }: { id: string; value: string; withDefault?: string }) {
  return (
    <select id={id} name="engine" defaultValue={value}>
      {withDefault ? <option value="">{withDefault}</option> : null}
      <option value="react">React Email</option>
      <option value="mjml">MJML</option>
    </select>
  );
}

export function ZoneSelect({ id, name = 'time_zone', value, withNone }: { id: string; name?: string; value: string; withNone?: string }) {
  const zones = value === '' || ZONES.includes(value) ? ZONES : [value, ...ZONES];
  return (
    <select id={id} name={name} defaultValue={value}>
      {withNone ? <option value="">{withNone}</option> : null}
      {zones.map((z) => (
        <option key={z} value={z}>
          {z.replace(/_/g, ' ')}
        </option>
      ))}
    </select>
  );
}

export interface IssuesPageProps {
  csrf: string;
  issues: (IssueListRow & { sendAtText: string })[];
  weeks: { week: string; summaries: number }[];
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
      <div className="table-wrap">
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
                  <td>{i.week}</td>
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
      </div>
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
              <select id="week" name="week" defaultValue={p.weeks[0]!.week}>
                {p.weeks.map((w) => (
                  <option key={w.week} value={w.week}>
                    {w.week} ({w.summaries === 1 ? '1 summary' : `${w.summaries} summaries`})
                  </option>
                ))}
              </select>
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
  updatedText: string;
}

/** The progress block; also served alone for the script that refreshes it. */
export function ProgressSection({ v }: { v: ProgressView }) {
  const total = v.submitted + v.pending + v.failed;
  return (
    <section className="card" id="progress" aria-labelledby="progress-title" data-progress-url={`/admin/issues/${v.issueId}/progress`} data-live={v.live ? 'true' : 'false'}>
      <h2 id="progress-title">Progress</h2>
      {!v.planned ? (
        <p className="muted">Not planned yet: the ledger is written when the issue&rsquo;s time comes (or when you send it now).</p>
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
          </dl>
          {v.waves.length > 0 ? (
            <div className="table-wrap">
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
            </div>
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
    <div className="table-wrap">
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
    </div>
  );
}

export interface IssuePageProps {
  csrf: string;
  issue: Issue;
  createdText: string;
  sendAtText: string;
  localText: string | null;
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
  const can = {
    schedule: ['draft', 'scheduled'].includes(i.status) && !i.plannedAt,
    send: ['draft', 'scheduled'].includes(i.status) && !i.plannedAt,
    pause: ['scheduled', 'sending'].includes(i.status),
    resume: ['paused', 'sending', 'scheduled'].includes(i.status),
    cancel: ['draft', 'scheduled', 'paused', 'sending'].includes(i.status),
  };
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
        Issue {id}: week {i.week}
      </h1>
      <DoneNotice done={p.done} />
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={i.status} />
            {i.statusReason ? <span className="muted"> · {i.statusReason}</span> : null}
          </dd>
        </div>
        <Fact term="Send at">{p.localText ?? p.sendAtText}</Fact>
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
        {can.resume ? <Action name="resume" label={i.status === 'paused' ? 'Resume' : 'Re-drive batches'} className="secondary" /> : null}
        {can.cancel ? <Action name="cancel" label="Cancel issue" className="danger" /> : null}
        <a href={`/admin/issues/${id}/combinations`}>Tag combinations</a>
      </div>

      <p className="auto-refresh" hidden>
        <label className="check" htmlFor="auto-refresh">
          <input type="checkbox" id="auto-refresh" defaultChecked /> Update progress every 5 seconds
        </label>
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
            A new draft of week {i.week} for every reader, on purpose: the archive shows it as a correction of issue {id}, with your reason (one line, at most{' '}
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
        Issue {i.id}: week {i.week}
      </h1>
      {i.againOf !== null ? (
        <Notice kind="warn">
          This is a correction of issue {i.againOf} ({i.againReason}): everyone it reaches gets week {i.week} a second time.
        </Notice>
      ) : null}
      <p>
        {p.confirm.what} It reaches <strong className="reach">{readers}</strong> (active subscribers following a tag with summaries in week {i.week}).
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
        <Fact term="Sections">{p.frozen ? 'as frozen when the issue was planned' : `from the reader’s tags now and week ${p.week}’s summaries`}</Fact>
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
      <h1>Tag combinations, week {p.week}</h1>
      <p className="lede">
        {p.frozen
          ? 'As planned: each reader’s sections frozen in the ledger.'
          : 'If the issue were planned now: active readers (not paused, not suppressed) and the tags they follow that have summaries this week.'}
      </p>
      <p>
        <strong>{p.total}</strong> readers · <strong>{p.rows.length}</strong> distinct digests · <strong>{p.nothing}</strong> get nothing (no followed tag has content)
      </p>
      <div className="table-wrap">
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
      </div>
    </AdminPage>
  );
}

export interface FileReport {
  name: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'error';
  problems: string[];
}

export function SummariesPage(p: { csrf: string; weeks: { week: string; summaries: number }[]; week: string | null; summaries: StoredSummary[]; defaultWeek: string; report?: FileReport[] | undefined; status?: number }) {
  const failed = p.report?.filter((r) => r.outcome === 'error').length ?? 0;
  return (
    <AdminPage title={failed > 0 ? 'Error: Summaries' : 'Summaries'} section="summaries" csrf={p.csrf}>
      <h1>Summaries</h1>
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
                    <code>{r.name}</code>: {r.outcome}
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
        <p className="small muted">Markdown with front matter (.md) or the plain Signal format (.txt), up to 256 KiB each, 50 at a time. A file uploaded again updates its summary.</p>
        <div className="field">
          <label htmlFor="files">Files</label>
          <input type="file" id="files" name="files" multiple accept=".md,.markdown,.txt" required />
        </div>
        <div className="field">
          <label htmlFor="upload-week">
            Week folder <span className="hint">As if the files were in content/WEEK/: the week of files that name none, and their identity. Empty: none.</span>
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
                <span className="muted small">({w.summaries})</span>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {p.week ? (
        <div className="table-wrap">
          <table>
            <caption>Week {p.week}</caption>
            <TableHead cols={['Title', 'Tags']} />
            <tbody>
              {p.summaries.map((s) => (
                <tr key={s.id}>
                  <td>{s.title}</td>
                  <td>
                    <Tags names={s.tags} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </AdminPage>
  );
}

export interface CsvReport {
  file: string;
  rows: number;
  created: number;
  updated: number;
  erased: number;
  errors: { line: number; problem: string }[];
}

export function SubscribersPage(p: {
  csrf: string;
  rows: SubscriberRow[];
  total: number;
  q: string;
  status: string;
  page: number;
  pages: number;
  defaultZone: string;
  done?: string | undefined;
  csv?: CsvReport | undefined;
}) {
  const href = (n: number) => `/admin/subscribers?${new URLSearchParams({ q: p.q, status: p.status, page: String(n) }).toString()}`;
  return (
    <AdminPage title={p.csv && p.csv.errors.length > 0 ? 'Error: Subscribers' : 'Subscribers'} section="subscribers" csrf={p.csrf}>
      <h1>Subscribers</h1>
      <DoneNotice done={p.done} />
      {p.csv ? (
        <Notice kind={p.csv.errors.length > 0 ? 'bad' : 'ok'}>
          <p>
            <strong>
              {p.csv.file}: {p.csv.rows} rows, {p.csv.created} added, {p.csv.updated} updated
              {p.csv.erased > 0 ? `, ${p.csv.erased} left out (erased at their owner's request)` : ''}
              {p.csv.errors.length > 0 ? `, ${p.csv.errors.length} refused` : ''}.
            </strong>
          </p>
          {p.csv.errors.length > 0 ? (
            <ul className="report">
              {p.csv.errors.map((e) => (
                <li key={`${e.line}:${e.problem}`}>
                  <code className="problem">
                    {p.csv!.file}:{e.line}: {e.problem}
                  </code>
                </li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}

      <form method="get" action="/admin/subscribers" className="search" role="search">
        <div className="field">
          <label htmlFor="q">Address or name</label>
          <input type="search" id="q" name="q" defaultValue={p.q} spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={p.status}>
            <option value="">any</option>
            {['active', 'pending', 'unsubscribed', 'bounced', 'complained'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit" className="secondary">
            Search
          </button>
          <a className="button secondary" href="/admin/subscribers/export.csv" download>
            Export CSV
          </a>
        </div>
      </form>
      <p className="muted">{p.total === 1 ? '1 subscriber' : `${p.total} subscribers`}</p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Subscribers</caption>
          <TableHead cols={['Address', 'Name', 'Status', 'Time zone', 'Tags']} />
          <tbody>
            {p.rows.map((s) => (
              <tr key={s.id}>
                <td>{s.email}</td>
                <td>{s.name ?? ''}</td>
                <td>
                  <StatusBadge status={s.status} />
                </td>
                <td>{s.timeZone ?? <span className="muted">default</span>}</td>
                <td>{s.tags.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={p.page} pages={p.pages} href={href} />

      <div className="two-col">
        <form method="post" action="/admin/subscribers" className="card">
          <CsrfField token={p.csrf} />
          <h2>Add a subscriber</h2>
          <p className="small muted">Added as active, with no confirmation email: only add people who asked for the digest.</p>
          <div className="field">
            <label htmlFor="add-email">Email address</label>
            <input type="email" id="add-email" name="email" required autoComplete="off" spellCheck={false} />
          </div>
          <div className="field">
            <label htmlFor="add-name">
              Name <span className="hint">Optional.</span>
            </label>
            <input type="text" id="add-name" name="name" maxLength={200} autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor="add-tags">
              Tags <span className="hint">Separated by commas.</span>
            </label>
            <input type="text" id="add-tags" name="tags" autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor="add-zone">Time zone</label>
            <ZoneSelect id="add-zone" value="" withNone={`None (use the default, ${p.defaultZone})`} />
          </div>
          <div className="actions">
            <button type="submit">Add</button>
          </div>
        </form>
        <form method="post" action="/admin/subscribers/import" encType="multipart/form-data" className="card">
          <CsrfField token={p.csrf} />
          <h2>Import a CSV</h2>
          <p className="small muted">
            A header row with <code>email</code> and optionally <code>name</code>, <code>tags</code> (separated by <code>;</code>), <code>time_zone</code>, <code>status</code>. Known addresses keep
            their status and gain the tags; up to 5 MiB.
          </p>
          <div className="field">
            <label htmlFor="csv">CSV file</label>
            <input type="file" id="csv" name="file" accept=".csv,text/csv" required />
          </div>
          <div className="actions">
            <button type="submit">Import</button>
          </div>
        </form>
      </div>
    </AdminPage>
  );
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface ScheduleView {
  weekday: number;
  dayName: string;
  time: string;
  timeZone: string;
  local: boolean;
  engine: string | null;
  week: 'current' | 'previous';
  describe: string;
  nextRunText: string;
}

export function SchedulePage(p: { csrf: string; schedule: ScheduleView | null; runs: { week: string; issueId: number | null; outcome: string; ranAtText: string }[]; defaultZone: string; done?: string | undefined }) {
  const s = p.schedule;
  return (
    <AdminPage title="Schedule" section="schedule" csrf={p.csrf}>
      <h1>The weekly issue</h1>
      <DoneNotice done={p.done} />
      {s ? (
        <p className="lede">
          {s.describe[0]!.toUpperCase()}
          {s.describe.slice(1)}, engine {s.engine ?? 'default'}. Next run: {s.nextRunText}.
        </p>
      ) : (
        <p className="lede">No weekly issue is scheduled: issues are created and sent by hand.</p>
      )}
      <div className="two-col">
        <form method="post" action="/admin/schedule" className="card">
          <CsrfField token={p.csrf} />
          <h2>{s ? 'Change the schedule' : 'Set a schedule'}</h2>
          <div className="field">
            <label htmlFor="weekday">Day</label>
            <select id="weekday" name="weekday" defaultValue={String(s?.weekday ?? 1)}>
              {WEEKDAYS.map((d, n) => (
                <option key={d} value={n + 1}>
                  {d}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sched-time">Time</label>
            <input type="time" id="sched-time" name="time" required defaultValue={s?.time ?? '09:00'} />
          </div>
          <div className="field">
            <label htmlFor="sched-zone">Time zone</label>
            <ZoneSelect id="sched-zone" value={s?.timeZone ?? p.defaultZone} />
          </div>
          <div className="field">
            <label className="check" htmlFor="sched-local">
              <input type="checkbox" id="sched-local" name="local" value="on" defaultChecked={s?.local ?? false} /> At each reader&rsquo;s local time instead
            </label>
          </div>
          <div className="field">
            <label htmlFor="sched-week">Summaries of</label>
            <select id="sched-week" name="week" defaultValue={s?.week ?? 'current'}>
              <option value="current">the week it runs in</option>
              <option value="previous">the week before</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="sched-engine">Template engine</label>
            <EngineSelect id="sched-engine" value={s?.engine ?? ''} withDefault="Default (TEMPLATE_ENGINE)" />
          </div>
          <div className="actions">
            <button type="submit">Save schedule</button>
          </div>
        </form>
        {s ? (
          <form method="post" action="/admin/schedule/clear" className="card">
            <CsrfField token={p.csrf} />
            <h2>Stop the weekly issue</h2>
            <p>Issues already created are not touched.</p>
            <div className="actions">
              <button type="submit" className="danger">
                Clear the schedule
              </button>
            </div>
          </form>
        ) : null}
      </div>
      {p.runs.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption>Recent runs</caption>
            <TableHead cols={['Week', 'Issue', 'Outcome', 'Ran']} />
            <tbody>
              {p.runs.map((r) => (
                <tr key={r.week}>
                  <td>{r.week}</td>
                  <td>{r.issueId ? <a href={`/admin/issues/${r.issueId}`}>Issue {r.issueId}</a> : '—'}</td>
                  <td>{r.outcome}</td>
                  <td>{r.ranAtText}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </AdminPage>
  );
}
