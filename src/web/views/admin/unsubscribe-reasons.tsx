// "Why readers leave" for the editor: the count of each reason given on the unsubscribe page. Only
// counts exist (src/db/unsubscribe-reasons.ts); below a handful of answers even those stay hidden, so a
// single unsubscribe cannot be matched to its reason by watching a count move from one to two.
import type { UnsubscribeReason } from '../../../db/unsubscribe-reasons.ts';
import { num, TableHead } from './layout.tsx';

/** Fewer answers than this in all: the counts are not shown yet. */
export const REASONS_SHOWN_FROM = 5;

export function UnsubscribeReasons({ reasons }: { reasons: { reason: UnsubscribeReason; label: string; count: number }[] }) {
  const total = reasons.reduce((n, r) => n + r.count, 0);
  return (
    <section className="card" aria-labelledby="reasons-title">
      <h2 id="reasons-title">Why readers leave</h2>
      <p className="muted small">Reasons given when unsubscribing (optional, so most leave none). Only the counts are kept, never who gave which.</p>
      {total < REASONS_SHOWN_FROM ? (
        <p>
          {total === 0 ? 'No reasons given yet.' : `Fewer than ${REASONS_SHOWN_FROM} reasons given so far`}
          {total === 0 ? '' : ': the counts show from then on, so that nobody’s answer can be told apart.'}
        </p>
      ) : (
        <table>
          <TableHead cols={['Reason', num('Readers')]} />
          <tbody>
            {reasons.map((r) => (
              <tr key={r.reason}>
                <td>{r.label}</td>
                <td className="num">{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
