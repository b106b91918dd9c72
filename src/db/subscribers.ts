import { tagSlug } from '../content/summary.ts';
import type { Db } from './connection.ts';
import { ensureTags } from './summaries.ts';

/** The SQL twin of emailHash() in readers.ts: SHA-256 of the address's UTF-8 bytes, hex. */
export const EMAIL_HASH_SQL = (column: string) => `encode(sha256(convert_to(${column}, 'UTF8')), 'hex')`;

export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'bounced' | 'complained';

export interface SubscriberInput {
  email: string;
  name: string | null;
  timeZone: string | null;
  tags: string[];
  /** Only for new subscribers; an existing subscriber's status is never changed by an import. */
  status: SubscriberStatus;
  source: string;
}

/**
 * Adds subscribers in bulk, set-based. A known address keeps its status (an unsubscribed reader is
 * not re-subscribed by an import), takes a new name or time zone when given, and gains the new tags.
 */
export async function upsertSubscribers(db: Db, rows: SubscriberInput[]): Promise<{ created: number; updated: number; erased: number }> {
  if (rows.length === 0) return { created: 0, updated: 0, erased: 0 };
  return db.tx(async (tx) => {
    // Addresses whose owners asked to be erased are kept only as hashes, and never added back.
    const [count] = await tx.query<{ erased: number }>(
      `select count(*)::int as erased from unnest($1::text[]) as r(email)
       where exists (select 1 from erasures e where e.email_hash = ${EMAIL_HASH_SQL('r.email')})`,
      [rows.map((r) => r.email)],
    );
    const erased = count!.erased;
    const result = await tx.query<{ inserted: boolean }>(
      `insert into subscribers (email, name, time_zone, status, source, confirmed_at)
       select r.email, r.name, r.tz, r.status, r.source, case when r.status = 'active' then now() end
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as r(email, name, tz, status, source)
       where not exists (select 1 from erasures e where e.email_hash = ${EMAIL_HASH_SQL('r.email')})
       on conflict (email) do update set
         name = coalesce(excluded.name, subscribers.name), updated_at = now()
       returning (xmax = 0) as inserted`,
      [
        rows.map((r) => r.email),
        rows.map((r) => r.name),
        rows.map((r) => r.timeZone),
        rows.map((r) => r.status),
        rows.map((r) => r.source),
      ],
    );
    // A time zone given for a known address replaces the old one; an absent one leaves it alone.
    const zoned = rows.filter((r) => r.timeZone);
    if (zoned.length > 0) {
      await tx.query(
        `update subscribers s set time_zone = r.tz from unnest($1::text[], $2::text[]) as r(email, tz)
         where s.email = r.email and s.time_zone is distinct from r.tz`,
        [zoned.map((r) => r.email), zoned.map((r) => r.timeZone)],
      );
    }
    const names = [...new Map(rows.flatMap((r) => r.tags).map((t) => [tagSlug(t), t])).values()];
    const tagIds = await ensureTags(tx, names);
    const pairs = rows.flatMap((r) => r.tags.map((t) => [r.email, tagIds.get(tagSlug(t))!] as const));
    if (pairs.length > 0) {
      await tx.query(
        `insert into subscriptions (subscriber_id, tag_id)
         select s.id, p.tag_id from unnest($1::text[], $2::int[]) as p(email, tag_id)
         join subscribers s on s.email = p.email
         on conflict do nothing`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      );
    }
    const created = result.filter((r) => r.inserted).length;
    return { created, updated: result.length - created, erased };
  });
}

export interface SubscriberRow {
  id: number;
  email: string;
  name: string | null;
  status: SubscriberStatus;
  /** null: never chosen (DEFAULT_TIME_ZONE applies). */
  timeZone: string | null;
  tags: string[];
  createdAt: Date;
}

export function listSubscribers(db: Db, opts: { limit?: number; offset?: number } = {}): Promise<SubscriberRow[]> {
  return db.query<SubscriberRow>(
    `select s.id, s.email, s.name, s.status, s.time_zone as "timeZone", s.created_at as "createdAt",
            array(select t.name from subscriptions x join tags t on t.id = x.tag_id
                  where x.subscriber_id = s.id order by t.name) as tags
     from subscribers s order by s.id limit $1 offset $2`,
    [opts.limit ?? 1_000_000_000, opts.offset ?? 0],
  );
}

export async function countSubscribers(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from subscribers');
  return row!.n;
}

/** How much of each summary a digest shows: `full` is every part, `brief` the title and one sentence. */
export type Density = 'brief' | 'full';
export const DENSITIES: readonly Density[] = ['brief', 'full'];

/**
 * The density of readers who never chose one. One place, so planning and the reader pages agree;
 * it becomes the publication's setting (`default_density`) once the settings exist.
 */
export async function editorDefaultDensity(_db: Db): Promise<Density> {
  return 'full';
}

/** The reader's own choice; null: the editor's default applies. */
export async function readerDensity(db: Db, subscriberId: number): Promise<Density | null | undefined> {
  const [row] = await db.query<{ density: Density | null }>(`select density from subscribers where id = $1`, [subscriberId]);
  return row ? row.density : undefined;
}

/** Sets the reader's choice; false when the reader is gone. Issues already planned keep theirs. */
export async function setDensity(db: Db, subscriberId: number, density: Density): Promise<boolean> {
  const n = await db.run(`update subscribers set density = $2, updated_at = now() where id = $1`, [subscriberId, density]);
  return n > 0;
}
