// Why readers leave, counted and nothing more: a reason is stored as one more on its count, with no
// reader, issue or time beside it, so nobody (the editor included) can tell who gave which.
import type { Db } from './connection.ts';

export const UNSUBSCRIBE_REASONS = ['too-many', 'not-relevant', 'never-signed-up', 'other'] as const;
export type UnsubscribeReason = (typeof UNSUBSCRIBE_REASONS)[number];

export const REASON_LABELS: Record<UnsubscribeReason, string> = {
  'too-many': 'Too many emails',
  'not-relevant': 'Not relevant to me',
  'never-signed-up': 'I never signed up',
  other: 'Something else',
};

export function isUnsubscribeReason(s: string | undefined): s is UnsubscribeReason {
  return (UNSUBSCRIBE_REASONS as readonly string[]).includes(s ?? '');
}

export async function countReason(db: Db, reason: UnsubscribeReason): Promise<void> {
  await db.run(
    `insert into unsubscribe_reasons (reason, count) values ($1, 1)
     on conflict (reason) do update set count = unsubscribe_reasons.count + 1`,
    [reason],
  );
}

/** Every reason with its count (zero for reasons nobody gave), in the form's order. */
export async function reasonCounts(db: Db): Promise<{ reason: UnsubscribeReason; label: string; count: number }[]> {
  const rows = await db.query<{ reason: UnsubscribeReason; count: number }>(`select reason, count from unsubscribe_reasons`);
  const by = new Map(rows.map((r) => [r.reason, r.count]));
  return UNSUBSCRIBE_REASONS.map((reason) => ({ reason, label: REASON_LABELS[reason], count: by.get(reason) ?? 0 }));
}
