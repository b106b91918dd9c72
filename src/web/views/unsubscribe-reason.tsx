// The optional "why are you leaving?" on the unsubscribe forms. Only a count per reason is kept
// (src/db/unsubscribe-reasons.ts); the one-click POST works the same with no reason at all.
import { REASON_LABELS, UNSUBSCRIBE_REASONS } from '../../db/unsubscribe-reasons.ts';

export function ReasonField() {
  return (
    <fieldset aria-describedby="reason-hint">
      <legend>Why are you leaving? (optional)</legend>
      <p className="hint" id="reason-hint">
        We count the answers, and never note who gave which.
      </p>
      <ul className="checks">
        {UNSUBSCRIBE_REASONS.map((r) => (
          <li key={r}>
            <label className="check" htmlFor={`reason-${r}`}>
              <input type="radio" id={`reason-${r}`} name="reason" value={r} />
              <span>{REASON_LABELS[r]}</span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/** The one-click unsubscribe form (RFC 8058's field, the optional reason, one button), wherever a page offers it. */
export function OneClickUnsubscribeForm({ action }: { action: string }) {
  return (
    <form method="post" action={action}>
      <input type="hidden" name="List-Unsubscribe" value="One-Click" />
      <ReasonField />
      <div className="actions">
        <button type="submit" className="danger">
          Unsubscribe
        </button>
      </div>
    </form>
  );
}
