// The publication settings page (src/web/admin/settings.tsx): name, tagline, logo, accent, sender,
// reply-to, footer and postal address, each with its default shown when unset.
import { SETTINGS_COLUMNS } from '../../../db/settings.ts';
import { CsrfField, FormErrors, Notice } from '../layout.tsx';
import { AdminPage, DoneNotice } from './layout.tsx';

export type SettingsFormField = 'name' | 'tagline' | 'logoUrl' | 'accent' | 'senderName' | 'replyTo' | 'footer' | 'postalAddress' | 'defaultDensity';

export interface SettingsFormProps {
  csrf: string;
  /** What the fields hold: the saved settings, or what was submitted when it was refused. */
  values: Record<SettingsFormField, string>;
  /** The defaults, shown as hints. */
  defaults: { name: string; senderName: string; accent: string };
  errors?: { field: SettingsFormField; message: string }[];
  outbox: boolean;
  done?: string | undefined;
  updated?: string | undefined;
}

const ID: Record<SettingsFormField, string> = {
  name: 'set-name',
  tagline: 'set-tagline',
  logoUrl: 'set-logo',
  accent: 'set-accent',
  senderName: 'set-sender',
  replyTo: 'set-reply-to',
  footer: 'set-footer',
  postalAddress: 'set-address',
  defaultDensity: 'set-density',
};

/** A field's form name: its column's name (snake case), one list for both. */
const NAME: Record<SettingsFormField, string> = SETTINGS_COLUMNS;

export const SETTINGS_FORM_NAMES = NAME;

export function SettingsPage(p: SettingsFormProps) {
  const errorOf = (f: SettingsFormField) => p.errors?.find((e) => e.field === f)?.message;
  const Field = ({ f, label, hint, type = 'text', max, multi }: { f: SettingsFormField; label: string; hint: string; type?: string; max: number; multi?: boolean }) => {
    const error = errorOf(f);
    const describedBy = [`${ID[f]}-hint`, error ? `${ID[f]}-error` : ''].filter(Boolean).join(' ');
    return (
      <div className={error ? 'field invalid' : 'field'}>
        <label htmlFor={ID[f]}>
          {label} <span className="hint" id={`${ID[f]}-hint`}>{hint}</span>
        </label>
        {error ? (
          <p className="error-text" id={`${ID[f]}-error`}>
            <span className="visually-hidden">Error: </span>
            {error}
          </p>
        ) : null}
        {multi ? (
          <textarea id={ID[f]} name={NAME[f]} rows={3} maxLength={max} defaultValue={p.values[f]} aria-describedby={describedBy} aria-invalid={error ? true : undefined} />
        ) : (
          <input type={type} id={ID[f]} name={NAME[f]} maxLength={max} defaultValue={p.values[f]} aria-describedby={describedBy} aria-invalid={error ? true : undefined} />
        )}
      </div>
    );
  };
  return (
    <AdminPage title="Settings" section="settings" csrf={p.csrf}>
      <h1>Publication settings</h1>
      <DoneNotice done={p.done} />
      <FormErrors errors={(p.errors ?? []).map((e) => ({ field: ID[e.field], message: e.message }))} />
      {p.values.postalAddress.trim() === '' ? (
        <Notice kind="warn">
          <p>
            No postal address yet. {p.outbox ? 'The outbox (this demo) sends without one; ' : ''}a real email provider refuses to start sending until one is set: a
            commercial sender must show one in every email.
          </p>
        </Notice>
      ) : null}
      <p className="lede">How your digests, notices, reader pages and feeds name and present the publication. Empty fields use their defaults.</p>
      <form method="post" action="/admin/settings" className="card">
        <CsrfField token={p.csrf} />
        <h2>Identity</h2>
        <Field f="name" label="Publication name" hint={`Default: ${p.defaults.name}.`} max={100} />
        <Field f="tagline" label="Tagline" hint="Optional: one line under the name." max={200} />
        <Field f="logoUrl" label="Logo URL" hint="Optional: an https:// image, shown 40 px high above the name in digests." max={2000} />
        <Field
          f="accent"
          label="Accent colour"
          hint={`A hex colour such as #2e7d32 (default: ${p.defaults.accent}). It must reach 4.5:1 contrast on white and 3:1 on the dark-mode background.`}
          max={7}
        />
        <h2>Sender</h2>
        <Field f="senderName" label="Sender name" hint={`The name in the From line (default: ${p.defaults.senderName}); the address stays MAIL_FROM's.`} max={100} />
        <Field f="replyTo" label="Reply-to address" hint="Optional: where readers' replies go." type="email" max={254} />
        <h2>Footer</h2>
        <Field f="footer" label="Footer text" hint="Optional: a line at the foot of every digest." max={1000} multi />
        <Field f="postalAddress" label="Postal address" hint="Shown in every digest. Required to send through a real email provider." max={500} multi />
        <h2>Digest</h2>
        <div className="field">
          <label htmlFor={ID.defaultDensity}>
            Default density{' '}
            <span className="hint" id={`${ID.defaultDensity}-hint`}>
              What readers who never chose get. Each reader can switch on their preferences or from the link in every digest.
            </span>
          </label>
          <select id={ID.defaultDensity} name={NAME.defaultDensity} defaultValue={p.values.defaultDensity || 'full'} aria-describedby={`${ID.defaultDensity}-hint`}>
            <option value="full">Full: every part of each summary</option>
            <option value="brief">Brief: each title with its first sentence and a link to read on</option>
          </select>
        </div>
        <div className="actions">
          <button type="submit">Save settings</button>
        </div>
        {p.updated ? <p className="muted small">{p.updated}</p> : null}
      </form>
    </AdminPage>
  );
}
