// The brief-or-full choice: the /density page a digest's footer opens, and its field on /preferences.
import { DENSITIES, type Density } from '../../db/subscribers.ts';
import { CsrfField, FormErrors, Notice, Page } from './layout.tsx';
import type { FieldError } from './reader.tsx';

export const DENSITY_TEXT: Record<Density, { label: string; hint: string }> = {
  brief: { label: 'Brief', hint: 'Each title with its first sentence and a link to read on: a quick look at the week.' },
  full: { label: 'Full', hint: 'Every summary whole: the Signal, the Case and the 1-minute take.' },
};

/** The brief/full radios: here and on the preferences page. */
export function DensityField({ value, error }: { value: Density; error?: string | undefined }) {
  return (
    <fieldset id="density" className={error ? 'invalid' : undefined} aria-describedby={error ? 'density-error' : undefined}>
      <legend>How much of each summary</legend>
      {error ? (
        <p className="error-text" id="density-error">
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      <ul className="checks">
        {DENSITIES.map((d) => (
          <li key={d}>
            <label className="check" htmlFor={`density-${d}`}>
              <input type="radio" id={`density-${d}`} name="density" value={d} defaultChecked={value === d} />
              <span>
                {DENSITY_TEXT[d].label}
                <span className="hint">{DENSITY_TEXT[d].hint}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

export function DensityPage(p: { value: Density; chosen: boolean; saved: boolean; error?: FieldError | undefined; action: string; csrf: string; archive: boolean }) {
  return (
    <Page title={p.error ? 'Error: Brief or full' : 'Brief or full'} archive={p.archive} noindex>
      <h1>Brief or full digests</h1>
      {p.saved ? (
        <Notice>
          <p>Saved: your digests are {p.value} from the next issue on.</p>
        </Notice>
      ) : (
        <p className="lede">{p.chosen ? `You get ${p.value} digests.` : `You get ${p.value} digests, the editor's choice until you make your own.`}</p>
      )}
      <FormErrors errors={p.error ? [p.error] : []} />
      <form method="post" action={p.action} noValidate>
        <CsrfField token={p.csrf} />
        <DensityField value={p.value} error={p.error?.field ? p.error.message : undefined} />
        <div className="actions">
          <button type="submit">Save</button>
        </div>
      </form>
    </Page>
  );
}

