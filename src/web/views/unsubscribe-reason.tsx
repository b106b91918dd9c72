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
