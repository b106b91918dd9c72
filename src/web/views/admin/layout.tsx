// The editor pages' shared parts: the layout with the editor navigation, a message page, notices
// after an action, status badges, tables, pagers and the engine and time-zone fields.
import type { ReactNode } from 'react';
import { CsrfField, Notice, Page } from '../layout.tsx';

/** Tag names, each as a tag chip. */
export function Tags({ names }: { names: string[] }) {
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
export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * A table that may be wider than the screen: it scrolls sideways inside this wrapper, which is a
 * labelled region in the tab order, so a keyboard can reach and scroll it even when no cell holds a
 * link (WAI "scrollable region"; Chromium focuses scrollers itself, Firefox and Safari do not).
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** A numeric column: its header and cells align right (the `num` class). */
export const num = (label: ReactNode) => ({ num: label });

/** A table's header row, one column per entry; `num(…)` marks a column of numbers. */
export function TableHead({ cols }: { cols: (ReactNode | { num: ReactNode })[] }) {
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

export type AdminSection = 'issues' | 'summaries' | 'subscribers' | 'schedule' | 'tags' | 'settings';

const NAV: { key: AdminSection | 'queues'; href: string; label: string }[] = [
  { key: 'issues', href: '/admin/issues', label: 'Issues' },
  { key: 'summaries', href: '/admin/summaries', label: 'Summaries' },
  { key: 'subscribers', href: '/admin/subscribers', label: 'Subscribers' },
  { key: 'tags', href: '/admin/tags', label: 'Tags' },
  { key: 'schedule', href: '/admin/schedule', label: 'Schedule' },
  { key: 'settings', href: '/admin/settings', label: 'Settings' },
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
  'tag-renamed': 'Tag renamed.',
  'tag-described': 'Description saved.',
  'tag-hidden': 'Tag hidden: new readers are not offered it; its followers keep it.',
  'tag-shown': 'Tag offered again.',
  'tag-merged': 'Tags merged: the followers and summaries moved here.',
  'settings-saved': 'Settings saved. Digests rendered from now on use them.',
  'note-saved': 'Note saved.',
  'note-removed': 'Note removed.',
};

export function DoneNotice({ done }: { done: string | undefined }) {
  const text = done ? DONE[done] : undefined;
  return text ? <Notice>{text}</Notice> : null;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

export function Pager({ page, pages, href }: { page: number; pages: number; href: (p: number) => string }) {
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
