// Notices: the emails a reader asks for (confirm a subscription, "you are already subscribed", an
// export or a delete link, their preferences link from an unsubscribe page). Each is a row first and
// an email second: the row is written in the same transaction as the request, a queued job sends it
// under an idempotency key derived from the row's id, and reconcile re-enqueues rows still owed.
import type { Db } from './connection.ts';

export type NoticeKind = 'confirm' | 'subscribed' | 'export' | 'delete' | 'preferences' | 'welcome';

/** At most one notice of a kind per reader in this window (confirm and subscribed count as one kind). */
export const NOTICE_INTERVAL_MS = 10 * 60 * 1000;

/** A notice not sent within this long is given up: the link in it would be stale anyway. */
export const NOTICE_GIVE_UP_MS = 24 * 3600 * 1000;

export interface Notice {
  id: number;
  subscriberId: number;
  kind: NoticeKind;
  payload: Record<string, unknown>;
  createdAt: Date;
  sentAt: Date | null;
  usedAt: Date | null;
  error: string | null;
  email: string;
  name: string | null;
  status: string;
  /** The address is in suppressions (a hard bounce, a complaint): nothing is sent to it. */
  suppressed: boolean;
}

const NOTICE_COLUMNS = `n.id, n.subscriber_id as "subscriberId", n.kind, n.payload, n.created_at as "createdAt",
  n.sent_at as "sentAt", n.used_at as "usedAt", n.error, s.email, s.name, s.status,
  exists (select 1 from suppressions p where p.email = s.email) as suppressed`;

/**
 * Records a notice unless one of the same family went to this reader within the interval; returns
 * its id, or null when it was held back. Callers hold the subscriber's row lock, or two racing
 * requests may both pass (requestSubscription and requestNotice take it). With `mailboxHash`, the
 * notice also takes the mailbox's slot for the interval, in the same statement: held back when any
 * spelling of that inbox had one, and the slot stays free when the notice is held back here.
 */
export async function createNotice(db: Db, subscriberId: number, kind: NoticeKind, payload: Record<string, unknown> = {}, mailboxHash?: string): Promise<number | null> {
  const family = kind === 'confirm' || kind === 'subscribed' ? ['confirm', 'subscribed'] : [kind];
  const recent = `not exists (select 1 from notices where subscriber_id = $1 and kind = any($4::text[])
                  and created_at > now() - $5 * interval '1 millisecond')`;
  const params = [subscriberId, kind, JSON.stringify(payload), family, NOTICE_INTERVAL_MS];
  // The slot is an upsert that updates only a row past the window: a racing request for another
  // spelling waits on the row and then finds it fresh, so one of them gets nothing back.
  const [row] = await db.query<{ id: number }>(
    mailboxHash === undefined
      ? `insert into notices (subscriber_id, kind, payload) select $1, $2, $3::jsonb where ${recent} returning id`
      : `with slot as (
           insert into mailbox_limits (mailbox_hash, last_sent) select $6, now() where ${recent}
           on conflict (mailbox_hash) do update set last_sent = excluded.last_sent
             where mailbox_limits.last_sent <= now() - $5 * interval '1 millisecond'
           returning 1)
         insert into notices (subscriber_id, kind, payload) select $1, $2, $3::jsonb from slot returning id`,
    mailboxHash === undefined ? params : [...params, mailboxHash],
  );
  return row?.id ?? null;
}

/** Forgets mailbox slots past the window: they hold nothing a later request needs. */
export async function purgeMailboxLimits(db: Db): Promise<number> {
  return db.run(`delete from mailbox_limits where last_sent <= now() - $1 * interval '1 millisecond'`, [NOTICE_INTERVAL_MS]);
}

/**
 * A notice a reader asks for from their preferences (an export or delete link), under the reader's row
 * lock, so requests that race (a double click, two tabs) still make one notice per interval.
 */
export async function requestNotice(db: Db, subscriberId: number, kind: NoticeKind): Promise<number | null> {
  return db.tx(async (tx) => {
    const [s] = await tx.query<{ id: number }>(`select id from subscribers where id = $1 for update`, [subscriberId]);
    return s ? createNotice(tx, subscriberId, kind) : null;
  });
}

/**
 * The welcome a reader is owed after their first confirmation, written in the confirming transaction.
 * At most one per reader ever: the database's partial unique index (migration 014) refuses a second,
 * so a double click or a later re-confirmation writes nothing. Returns its id, or null when one exists.
 */
export async function createWelcome(db: Db, subscriberId: number, payload: { tags: string[]; timeZone: string | null }): Promise<number | null> {
  const [row] = await db.query<{ id: number }>(
    `insert into notices (subscriber_id, kind, payload) values ($1, 'welcome', $2::jsonb)
     on conflict (subscriber_id) where kind = 'welcome' do nothing returning id`,
    [subscriberId, JSON.stringify(payload)],
  );
  return row?.id ?? null;
}

/** The reader's welcome while it is still to be sent (to queue it after the confirm click); else null. */
export async function owedWelcome(db: Db, subscriberId: number): Promise<number | null> {
  const [row] = await db.query<{ id: number }>(
    `select id from notices where subscriber_id = $1 and kind = 'welcome' and sent_at is null and error is null`,
    [subscriberId],
  );
  return row?.id ?? null;
}

export async function getNotice(db: Db, id: number): Promise<Notice | undefined> {
  const [row] = await db.query<Notice>(`select ${NOTICE_COLUMNS} from notices n join subscribers s on s.id = n.subscriber_id where n.id = $1`, [id]);
  return row;
}

/** Counts an attempt; the job gives up (records an error) after too many. */
export async function noticeAttempt(db: Db, id: number): Promise<number> {
  const [row] = await db.query<{ attempts: number }>(`update notices set attempts = attempts + 1 where id = $1 returning attempts`, [id]);
  return row?.attempts ?? 0;
}

export async function markNoticeSent(db: Db, id: number, providerId: string | null, error: string | null): Promise<void> {
  await db.run(
    `update notices set sent_at = case when $3::text is null then now() end, provider_id = $2, error = $3
     where id = $1 and sent_at is null and error is null`,
    [id, providerId, error],
  );
}

/** Notices still owed: reconcile puts their jobs back. Older ones are given up, with the reason. */
export async function owedNotices(db: Db): Promise<number[]> {
  await db.run(
    `update notices set error = 'not sent within a day; the reader can ask again'
     where sent_at is null and error is null and created_at < now() - $1 * interval '1 millisecond'`,
    [NOTICE_GIVE_UP_MS],
  );
  const rows = await db.query<{ id: number }>(`select id from notices where sent_at is null and error is null order by id`);
  return rows.map((r) => r.id);
}
