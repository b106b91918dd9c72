// The reader pages: subscribe, confirm, preferences, unsubscribe, and the messages between them.
// Every form posts with a CSRF field (except the RFC 8058 one-click unsubscribe) and works without
// JavaScript; the only script pre-fills the time zone from the browser.
import type { ReactNode } from 'react';
import type { TagCount } from '../../db/tags.ts';
import { CsrfField, FormErrors, Notice, Page } from './layout.tsx';
import { OneClickUnsubscribeForm } from './unsubscribe-reason.tsx';
import { DensityField } from './density.tsx';
import type { Density } from '../../db/subscribers.ts';

export interface FieldError {
  field?: string;
  message: string;
}

const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

/** The message for one field, if the form had a problem with it. */
function messageFor(errors: FieldError[] | undefined, field: string): string | undefined {
  return errors?.find((e) => e.field === field)?.message;
}

/**
 * A field's problem, shown beside it (the summary at the top links here) and read out with it
 * (the field's aria-describedby names `<id>-error`).
 */
function ErrorText({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p className="error-text" id={`${id}-error`}>
      <span className="visually-hidden">Error: </span>
      {message}
    </p>
  ) : null;
}

export function TimeZoneField({ value, id = 'time_zone', browserDefault, error }: { value: string; id?: string; browserDefault?: boolean; error?: string | undefined }) {
  const zones = ZONES.includes(value) ? ZONES : [value, ...ZONES];
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>
        Time zone
        <span className="hint">Digests that go out at a local time arrive at that time where you are.</span>
      </label>
      <ErrorText id={id} message={error} />
      <select
        id={id}
        name="time_zone"
        defaultValue={value}
        data-browser-time-zone={browserDefault ? '' : undefined}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {zones.map((z) => (
          <option key={z} value={z}>
            {z.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
    </div>
  );
}

export function TagChoices({ tags, chosen, legend, hint, error }: { tags: TagCount[]; chosen: Set<string>; legend: string; hint?: string; error?: string | undefined }) {
  const describedBy = [hint ? 'tags-hint' : '', error ? 'tags-error' : ''].filter(Boolean).join(' ');
  return (
    <fieldset id="tags" className={error ? 'invalid' : undefined} aria-describedby={describedBy || undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="hint" id="tags-hint">
          {hint}
        </p>
      ) : null}
      <ErrorText id="tags" message={error} />
      {tags.length === 0 ? (
        <p className="muted">No tags yet: the editors have not published anything.</p>
      ) : (
        <ul className="checks">
          {tags.map((t) => (
            <li key={t.slug}>
              <label className="check" htmlFor={`tag-${t.slug}`}>
                <input type="checkbox" id={`tag-${t.slug}`} name="tags" value={t.slug} defaultChecked={chosen.has(t.slug)} />
                <span>
                  {t.name} <span className="count">({t.recent === 1 ? '1 summary' : `${t.recent} summaries`} lately)</span>
                </span>
              </label>
              {t.description ? <p className="hint tag-description">{t.description}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

export interface SubscribeValues {
  email: string;
  name: string;
  tags: string[];
  timeZone: string;
}

export function SubscribePage(p: { tags: TagCount[]; values: SubscribeValues; zoneFromBrowser: boolean; errors: FieldError[]; csrf: string; archive: boolean; weeks: number }) {
  const chosen = new Set(p.values.tags);
  const emailError = messageFor(p.errors, 'email');
  const nameError = messageFor(p.errors, 'name');
  return (
    <Page
      // A screen reader hears the title first: say at once that the form came back with problems.
      title={p.errors.length > 0 ? 'Error: Subscribe' : 'Subscribe'}
      archive={p.archive}
      nav={[...(p.archive ? [{ href: '/archive', label: 'Archive' }] : []), { href: '/subscribe', label: 'Subscribe', current: true }]}
      scripts={p.zoneFromBrowser ? ['time-zone.js'] : []}
      description="Subscribe to a weekly digest of the tags you follow."
    >
      <h1>Get a weekly digest of the tags you follow</h1>
      <p className="lede">One email a week with only the summaries under your tags. Change them or leave any time.</p>
      <FormErrors errors={p.errors} />
      <form method="post" action="/subscribe" noValidate className="card">
        <CsrfField token={p.csrf} />
        <div className={emailError ? 'field invalid' : 'field'}>
          <label htmlFor="email">
            Email address
            <span className="hint">We send one email to confirm. Nothing else until you click it.</span>
          </label>
          <ErrorText id="email" message={emailError} />
          <input
            type="email"
            id="email"
            name="email"
            required
            autoComplete="email"
            inputMode="email"
            spellCheck={false}
            defaultValue={p.values.email}
            aria-invalid={emailError ? true : undefined}
            aria-describedby={emailError ? 'email-error' : undefined}
          />
        </div>
        <div className={nameError ? 'field invalid' : 'field'}>
          <label htmlFor="name">
            Name <span className="hint">Optional, used to greet you.</span>
          </label>
          <ErrorText id="name" message={nameError} />
          <input
            type="text"
            id="name"
            name="name"
            autoComplete="name"
            maxLength={200}
            defaultValue={p.values.name}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'name-error' : undefined}
          />
        </div>
        <TagChoices tags={p.tags} chosen={chosen} legend="Tags to follow" hint={`Counts are summaries in the last ${p.weeks} weeks.`} error={messageFor(p.errors, 'tags')} />
        <TimeZoneField value={p.values.timeZone} browserDefault={p.zoneFromBrowser} error={messageFor(p.errors, 'time_zone')} />
        {/* A field people never see or fill; form-filling bots do. */}
        <div className="honeypot" aria-hidden="true">
          <label htmlFor="website">Leave this empty</label>
          <input type="text" id="website" name="website" tabIndex={-1} autoComplete="off" />
        </div>
        <div className="actions">
          <button type="submit">Subscribe</button>
        </div>
      </form>
    </Page>
  );
}

export function MessagePage({ title, children, archive, kind = 'ok', noindex = true }: { title: string; children: ReactNode; archive: boolean; kind?: 'ok' | 'warn' | 'bad'; noindex?: boolean }) {
  return (
    <Page title={title} archive={archive} noindex={noindex}>
      <h1>{title}</h1>
      <Notice kind={kind}>{children}</Notice>
    </Page>
  );
}

export interface HistoryItem {
  issueId: number;
  /** The issue's one name (issueName): "Week 48 · 23–29 Nov 2026". */
  name: string;
  sentOn: string;
  sections: string[];
  webUrl: string;
}

export type PreferencesDone = 'saved' | 'paused' | 'resumed' | 'unsubscribed' | 'resubscribed' | 'export' | 'delete' | 'held' | 'confirmed';

const DONE_TEXT: Record<PreferencesDone, string> = {
  saved: 'Saved. Your next digest follows these tags and time zone.',
  paused: 'Paused. Digests start again by themselves when the pause ends.',
  resumed: 'Welcome back: your digests are on again.',
  unsubscribed: 'You are unsubscribed from everything. You can come back below.',
  resubscribed: 'You are subscribed again.',
  export: 'We sent a download link to your address. It works for one hour.',
  delete: 'We sent a link to your address to confirm erasing your data. It works for one hour.',
  held: 'We sent you an email a few minutes ago: please use the link in it, or try again in ten minutes.',
  confirmed: 'Your subscription is confirmed. Your first digest comes with the next issue.',
};

export interface PreferencesProps {
  email: string;
  name: string | null;
  status: string;
  pausedUntil: string | null;
  timeZone: string;
  tags: TagCount[];
  chosen: string[];
  history: HistoryItem[];
  feedUrl: string;
  action: string;
  csrf: string;
  archive: boolean;
  done?: PreferencesDone | undefined;
  errors: FieldError[];
  /** Brief or full: the reader's choice, else the editor's default. */
  density?: Density | undefined;
}

export function PreferencesPage(p: PreferencesProps) {
  const active = p.status === 'active';
  const Action = ({ name, label, className }: { name: string; label: string; className?: string }) => (
    <form method="post" action={p.action} className="inline-form">
      <CsrfField token={p.csrf} />
      <input type="hidden" name="action" value={name} />
      <button type="submit" className={className}>
        {label}
      </button>
    </form>
  );
  return (
    <Page title={p.errors.length > 0 ? 'Error: Your preferences' : 'Your preferences'} archive={p.archive} noindex>
      <h1>Your preferences</h1>
      <p className="lede">
        Digests go to <strong>{p.email}</strong>.
      </p>
      {/* Just paused: the pause's own box below says so, with its date; a second box would repeat it. */}
      {p.done && !(p.done === 'paused' && active && p.pausedUntil) ? <Notice kind={p.done === 'held' ? 'warn' : 'ok'}>{DONE_TEXT[p.done]}</Notice> : null}
      <FormErrors errors={p.errors} />
      {p.status === 'unsubscribed' ? (
        <Notice kind="warn">
          <p>You are unsubscribed: no digests are sent to you.</p>
          <Action name="resubscribe" label="Subscribe again" />
        </Notice>
      ) : null}
      {p.status === 'pending' ? (
        <Notice kind="warn">
          <p>Your subscription is not confirmed yet: use the link in the confirmation email we sent you.</p>
        </Notice>
      ) : null}
      {p.status === 'bounced' || p.status === 'complained' ? (
        <Notice kind="bad">
          <p>Emails to this address {p.status === 'bounced' ? 'bounced' : 'were reported as spam'}, so we stopped sending to it.</p>
        </Notice>
      ) : null}
      {active && p.pausedUntil ? (
        <Notice kind="warn">
          <p>Paused until {p.pausedUntil}. Digests start again by themselves after that.</p>
          <Action name="resume" label="Resume now" />
        </Notice>
      ) : null}

      <form method="post" action={p.action} className="card" noValidate>
        <CsrfField token={p.csrf} />
        <input type="hidden" name="action" value="save" />
        <h2>Tags and time zone</h2>
        <TagChoices
          tags={p.tags}
          chosen={new Set(p.chosen)}
          legend="Tags you follow"
          hint="Your digest has one section per tag with new summaries that week."
          error={messageFor(p.errors, 'tags')}
        />
        <TimeZoneField value={p.timeZone} error={messageFor(p.errors, 'time_zone')} />
        {p.density ? <DensityField value={p.density} error={messageFor(p.errors, 'density')} /> : null}
        <div className="actions">
          <button type="submit">Save</button>
        </div>
      </form>

      {active ? (
        <form method="post" action={p.action} className="card">
          <CsrfField token={p.csrf} />
          <input type="hidden" name="action" value="pause" />
          <h2>Take a break</h2>
          <div className={messageFor(p.errors, 'weeks') ? 'field invalid' : 'field'}>
            <label htmlFor="weeks">Pause digests for</label>
            <ErrorText id="weeks" message={messageFor(p.errors, 'weeks')} />
            <select
              id="weeks"
              name="weeks"
              defaultValue="2"
              aria-invalid={messageFor(p.errors, 'weeks') ? true : undefined}
              aria-describedby={messageFor(p.errors, 'weeks') ? 'weeks-error' : undefined}
            >
              {Array.from({ length: 12 }, (_, n) => n + 1).map((w) => (
                <option key={w} value={w}>
                  {w === 1 ? '1 week' : `${w} weeks`}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit" className="secondary">
              Pause
            </button>
          </div>
        </form>
      ) : null}

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Issues you were sent</h2>
        {p.history.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul className="plain-list">
            {p.history.map((h) => (
              <li key={h.issueId}>
                <a href={h.webUrl}>{h.name}</a> <span className="muted small">sent {h.sentOn}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="feed-title">
        <h2 id="feed-title">Your private feed</h2>
        <p>Read your tags in a feed reader instead. Keep this address to yourself: it is yours alone.</p>
        <p>
          <a href={p.feedUrl}>Your Atom feed</a>
        </p>
      </section>

      <section className="card" aria-labelledby="data-title">
        <h2 id="data-title">Your data</h2>
        <p>For your safety we send these links to your address, so a forwarded digest cannot use them.</p>
        <div className="actions">
          <Action name="export" label="Email me a download of my data" className="secondary" />
          <Action name="delete" label="Email me a link to erase my data" className="secondary" />
        </div>
      </section>

      {p.status === 'active' || p.status === 'pending' ? (
        <section className="card" aria-labelledby="leave-title">
          <h2 id="leave-title">Unsubscribe</h2>
          <p>Stop every digest. You can come back from this page.</p>
          <Action name="unsubscribe" label="Unsubscribe from everything" className="danger" />
        </section>
      ) : null}
    </Page>
  );
}

/**
 * "Email me a link to my preferences", on the pages an unsubscribe link opens: those pages may be a
 * forwarded digest's, so they show no address and no preferences link; the link goes to the inbox.
 */
function PreferencesLinkForm({ action, csrf }: { action: string; csrf: string }) {
  return (
    <form method="post" action={action} className="inline-form">
      <CsrfField token={csrf} />
      <button type="submit" className="secondary">
        Email me a link to my preferences
      </button>
    </form>
  );
}

/** GET /unsubscribe: one button; a GET never unsubscribes (link scanners fetch every link). */
export function UnsubscribePage({ action, preferencesLinkAction, csrf, archive }: { action: string; preferencesLinkAction: string; csrf: string; archive: boolean }) {
  return (
    <Page title="Unsubscribe" archive={archive} noindex>
      <h1>Unsubscribe</h1>
      <p className="lede">Stop every tagcast digest to the address this email came to?</p>
      <OneClickUnsubscribeForm action={action} />
      <p>Only want fewer emails? Choose which tags to keep, or pause for a few weeks, on your preferences page: we email you its link.</p>
      <PreferencesLinkForm action={preferencesLinkAction} csrf={csrf} />
    </Page>
  );
}

/** The answer to the one-click POST: 200, a short page, never a redirect; it offers undo for a day. */
export function UnsubscribedPage({
  undoAction,
  preferencesLinkAction,
  csrf,
  archive,
  changed,
}: {
  /** Null when this link's unsubscription can no longer be undone (older than a day, or another one). */
  undoAction: string | null;
  preferencesLinkAction: string;
  csrf: string;
  archive: boolean;
  changed: boolean;
}) {
  return (
    <Page title="Unsubscribed" archive={archive} noindex>
      <h1>You are unsubscribed</h1>
      <Notice>
        <p>{changed ? 'You will get no more digests.' : 'You were already unsubscribed: you get no digests.'}</p>
      </Notice>
      {undoAction ? (
        <form method="post" action={undoAction}>
          <CsrfField token={csrf} />
          <p>Clicked by mistake? You can undo this for a day.</p>
          <div className="actions">
            <button type="submit" className="secondary">
              Undo: subscribe me again
            </button>
          </div>
        </form>
      ) : null}
      <p>To come back later, or to choose tags instead, open your preferences: we email you the link.</p>
      <PreferencesLinkForm action={preferencesLinkAction} csrf={csrf} />
    </Page>
  );
}

export function DeleteConfirmPage({ action, csrf, archive, email }: { action: string; csrf: string; archive: boolean; email: string }) {
  return (
    <Page title="Erase your data" archive={archive} noindex>
      <h1>Erase your data?</h1>
      <p className="lede">
        This removes <strong>{email}</strong>, your tags, and the record of every digest we sent you. It cannot be undone.
      </p>
      <p>We keep only a one-way fingerprint of the address, so that nobody can add it back to the list without you.</p>
      <form method="post" action={action}>
        <CsrfField token={csrf} />
        <div className="actions">
          <button type="submit" className="danger">
            Erase my data
          </button>
          <a href="/subscribe">Keep it</a>
        </div>
      </form>
    </Page>
  );
}
