// The recurring schedule page (src/web/admin/schedule.tsx).
import { CsrfField, Notice } from '../layout.tsx';
import { AdminPage, DoneNotice, EngineSelect, TableHead, ZoneSelect, TableWrap } from './layout.tsx';

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
  /** The ISO week the next run sends, and whether it has no summaries yet. */
  nextWeek: string;
  nextWeekEmpty: boolean;
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
      ) : null}
      {s?.nextWeekEmpty ? (
        <Notice kind="warn">
          The next run sends week {s.nextWeek}, which has no summaries yet: <a href="/admin/summaries">upload them</a> before {s.nextRunText}, or that run has
          nothing to send{s.week === 'current' ? ' (or choose “the week before” below, to send a finished week)' : ''}.
        </Notice>
      ) : null}
      {s ? null : (
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
        <TableWrap label="Recent runs">
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
        </TableWrap>
      ) : null}
    </AdminPage>
  );
}
