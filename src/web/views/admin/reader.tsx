// One reader's page (src/web/admin/subscribers.tsx, /admin/subscribers/:id): status, tags, time zone
// and pause; every delivery with what the provider reported; the notices sent; forms to edit tags and
// zone, unsubscribe and erase (erasing asks once more on a page of its own).
import type { ReaderPage } from '../../../editor/subscribers.ts';
import { CsrfField, Notice } from '../layout.tsx';
import { AdminPage, Fact, TableHead, Tags, ZoneSelect, TableWrap } from './layout.tsx';
import { CreateTagsCheck, ReaderStatus } from './subscribers.tsx';

const DONE: Record<string, string> = {
  added: 'Subscriber saved.',
  saved: 'Changes saved.',
  unsubscribed: 'Unsubscribed: no more digests. The reader can resubscribe from their preferences.',
  'not-subscribed': 'Nothing changed: this reader was not subscribed.',
};

/** A time as the editor reads it: UTC, to the minute. */
const at = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '');

export function ReaderPageView({ csrf, page, defaultZone, done }: { csrf: string; page: ReaderPage; defaultZone: string; done?: string | undefined }) {
  const s = page.subscriber;
  const base = `/admin/subscribers/${s.id}`;
  const notice = done ? DONE[done] : undefined;
  return (
    <AdminPage title={`Subscriber ${s.email}`} section="subscribers" csrf={csrf}>
      <p className="small">
        <a href="/admin/subscribers">← Subscribers</a>
      </p>
      <h1>{s.email}</h1>
      {notice ? <Notice>{notice}</Notice> : null}
      <dl className="facts">
        <Fact term="Status">
          <ReaderStatus status={s.status} pausedUntil={s.pausedUntil} />
        </Fact>
        <Fact term="Name">{s.name ?? <span className="muted">none</span>}</Fact>
        <Fact term="Time zone">{s.timeZone ?? <span className="muted">default ({defaultZone})</span>}</Fact>
        <Fact term="Added">
          {at(s.createdAt)} <span className="muted small">({s.source ?? 'unknown source'})</span>
        </Fact>
        {s.confirmedAt ? <Fact term="Confirmed">{at(s.confirmedAt)}</Fact> : null}
        {s.unsubscribedAt ? <Fact term="Unsubscribed">{at(s.unsubscribedAt)}</Fact> : null}
        {s.suppressed ? <Fact term="Suppressed">{s.suppressed}: never mailed again</Fact> : null}
      </dl>
      <p>
        <strong>Tags:</strong> {s.tags.length > 0 ? <Tags names={s.tags} /> : <span className="muted">none</span>}
      </p>

      <section aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Deliveries</h2>
        {page.deliveries.length === 0 ? (
          <p className="muted">No issue was planned for this reader yet.</p>
        ) : (
          <TableWrap label="Every delivery, newest issue first">
            <table>
              <caption className="visually-hidden">Every delivery, newest issue first</caption>
              <TableHead cols={['Issue', 'Status', 'Submitted', 'Provider events', 'Sections']} />
              <tbody>
                {page.deliveries.map((d) => (
                  <tr key={d.issueId}>
                    <td>
                      <a href={`/admin/issues/${d.issueId}`}>
                        Issue {d.issueId} <span className="nowrap">({d.week})</span>
                      </a>
                    </td>
                    <td>
                      {d.status}
                      {d.error ? <span className="small muted"> · {d.error}</span> : null}
                    </td>
                    <td>{at(d.submittedAt) || <span className="muted">{d.sendAt ? `due ${at(d.sendAt)}` : 'not yet'}</span>}</td>
                    <td>
                      {d.events.length === 0 ? (
                        <span className="muted">{d.status === 'submitted' ? 'none yet (submitted is not delivered)' : 'none'}</span>
                      ) : (
                        <ul className="plain-list">
                          {d.events.map((e, n) => (
                            <li key={n}>
                              {e.type} <span className="small muted">{at(e.receivedAt)}</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>{d.sections.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <section aria-labelledby="notices-title">
        <h2 id="notices-title">Notices</h2>
        {page.notices.length === 0 ? (
          <p className="muted">No emails besides digests.</p>
        ) : (
          <TableWrap label="Emails sent to this reader besides digests, newest first">
            <table>
              <caption className="visually-hidden">Emails sent to this reader besides digests, newest first</caption>
              <TableHead cols={['Kind', 'Asked', 'Sent', 'Link used']} />
              <tbody>
                {page.notices.map((n, i) => (
                  <tr key={i}>
                    <td>{n.kind}</td>
                    <td>{at(n.createdAt)}</td>
                    <td>{n.sentAt ? at(n.sentAt) : <span className="muted">{n.error ? `failed: ${n.error}` : 'not yet'}</span>}</td>
                    <td>{n.usedAt ? at(n.usedAt) : <span className="muted">no</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <div className="two-col">
        <form method="post" action={base} className="card">
          <CsrfField token={csrf} />
          <h2>Edit</h2>
          <div className="field">
            <label htmlFor="edit-tags">
              Tags <span className="hint">Separated by commas; the reader follows exactly these.</span>
            </label>
            <input type="text" id="edit-tags" name="tags" defaultValue={s.tags.join(', ')} required autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor="edit-zone">Time zone</label>
            <ZoneSelect id="edit-zone" value={s.timeZone ?? ''} withNone={`None (use the default, ${defaultZone})`} />
          </div>
          <CreateTagsCheck id="edit-create-tags" />
          <div className="actions">
            <button type="submit">Save</button>
          </div>
        </form>
        <div className="card">
          <h2>Unsubscribe or erase</h2>
          <form method="post" action={`${base}/unsubscribe`}>
            <CsrfField token={csrf} />
            <p className="small muted">No more digests. The reader keeps their preferences link and can resubscribe.</p>
            <div className="actions">
              <button type="submit" className="secondary" disabled={s.status !== 'active' && s.status !== 'pending'}>
                Unsubscribe
              </button>
            </div>
          </form>
          <form method="get" action={`${base}/erase`}>
            <p className="small muted">As the reader&rsquo;s own &ldquo;delete my data&rdquo;: everything held on them goes; the address is kept only as a hash so no import adds it back.</p>
            <div className="actions">
              <button type="submit" className="danger">
                Erase…
              </button>
            </div>
          </form>
        </div>
      </div>
    </AdminPage>
  );
}

/** The confirm step of erasing: what goes, and one button. */
export function EraseConfirmPage({ csrf, id, email }: { csrf: string; id: number; email: string }) {
  return (
    <AdminPage title={`Erase ${email}?`} section="subscribers" csrf={csrf}>
      <h1>Erase {email}?</h1>
      <Notice kind="warn">
        <p>
          This cannot be undone. The address, its tags, every delivery, notice and provider event go, exactly as when the reader erases their own data. Only a one-way hash of the address stays,
          so no import or editor can add it back; the reader can still subscribe again themselves.
        </p>
      </Notice>
      <form method="post" action={`/admin/subscribers/${id}/erase`}>
        <CsrfField token={csrf} />
        <input type="hidden" name="confirm" value="erase" />
        <div className="actions">
          <button type="submit" className="danger">
            Erase {email}
          </button>
          <a className="button secondary" href={`/admin/subscribers/${id}`}>
            Keep the subscriber
          </a>
        </div>
      </form>
    </AdminPage>
  );
}
