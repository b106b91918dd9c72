// The subscribers page (src/web/admin/subscribers.tsx): the list with its filters, add, CSV import
// and export. Each address links to the reader's page (./reader.tsx).
import { SUBSCRIBER_FILTERS, type SubscriberRow } from '../../../db/subscribers.ts';
import { CsrfField, Notice } from '../layout.tsx';
import { AdminPage, DoneNotice, Pager, StatusBadge, TableHead, ZoneSelect, TableWrap } from './layout.tsx';
import { UnsubscribeReasons } from './unsubscribe-reasons.tsx';

/** The box that lets an add, an import or an edit create tags that do not exist yet. */
export function CreateTagsCheck({ id }: { id: string }) {
  return (
    <div className="field">
      <label className="check" htmlFor={id}>
        <input type="checkbox" id={id} name="create_tags" aria-describedby={`${id}-hint`} />
        Create tags that do not exist yet
      </label>
      <p className="hint small" id={`${id}-hint`}>
        Unticked, an unknown tag is refused with the known ones named, so a typo never becomes a public tag on the subscribe page.
      </p>
    </div>
  );
}

/** A reader's status as the list shows it: paused readers are active, with the date they come back. */
export function ReaderStatus({ status, pausedUntil }: { status: string; pausedUntil: Date | null }) {
  return (
    <>
      <StatusBadge status={status} />
      {pausedUntil ? (
        <>
          {' '}
          <span className="status status-paused">paused</span> <span className="small muted nowrap">until {pausedUntil.toISOString().slice(0, 10)}</span>
        </>
      ) : null}
    </>
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
  reasons?: Parameters<typeof UnsubscribeReasons>[0]['reasons'] | undefined;
}) {
  const href = (n: number) => `/admin/subscribers?${new URLSearchParams({ q: p.q, status: p.status, page: String(n) }).toString()}`;
  return (
    <AdminPage title={p.csv && p.csv.errors.length > 0 ? 'Error: Subscribers' : 'Subscribers'} section="subscribers" csrf={p.csrf}>
      <h1>Subscribers</h1>
      {p.done === 'erased' ? <Notice>Subscriber erased: only a hash of the address is kept, so no import can add it back.</Notice> : <DoneNotice done={p.done} />}
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
            {SUBSCRIBER_FILTERS.map((s) => (
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
      <TableWrap label="Subscribers">
        <table>
          <caption className="visually-hidden">Subscribers</caption>
          <TableHead cols={['Address', 'Name', 'Status', 'Time zone', 'Tags']} />
          <tbody>
            {p.rows.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={`/admin/subscribers/${s.id}`}>{s.email}</a>
                </td>
                <td>{s.name ?? ''}</td>
                <td>
                  <ReaderStatus status={s.status} pausedUntil={s.pausedUntil} />
                </td>
                <td>{s.timeZone ?? <span className="muted">default</span>}</td>
                <td>{s.tags.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
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
          <CreateTagsCheck id="add-create-tags" />
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
          <CreateTagsCheck id="csv-create-tags" />
          <div className="actions">
            <button type="submit">Import</button>
          </div>
        </form>
      </div>
      {p.reasons ? <UnsubscribeReasons reasons={p.reasons} /> : null}
    </AdminPage>
  );
}
