import { tagSlug } from '../lib/tags.ts';
import type { Db } from './connection.ts';
import { replaceSubscriptions } from './readers.ts';
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
  /** Set while the reader paused their digests (a future time); null otherwise. */
  pausedUntil: Date | null;
  tags: string[];
  createdAt: Date;
}

const ROW_COLUMNS = `s.id, s.email, s.name, s.status, s.time_zone as "timeZone",
  case when s.paused_until > now() then s.paused_until end as "pausedUntil", s.created_at as "createdAt",
  array(select t.name from subscriptions x join tags t on t.id = x.tag_id where x.subscriber_id = s.id order by t.name) as tags`;

export function listSubscribers(db: Db, opts: { limit?: number; offset?: number } = {}): Promise<SubscriberRow[]> {
  return db.query<SubscriberRow>(`select ${ROW_COLUMNS} from subscribers s order by s.id limit $1 offset $2`, [opts.limit ?? 1_000_000_000, opts.offset ?? 0]);
}

/**
 * What the subscribers list filters by: a status, or `paused` (active, but paused by the reader until
 * a later time). `active` leaves paused readers out, so the filters part the list without overlap.
 */
export const SUBSCRIBER_FILTERS = ['active', 'paused', 'pending', 'unsubscribed', 'bounced', 'complained'] as const;
export type SubscriberFilter = (typeof SUBSCRIBER_FILTERS)[number];

const FILTER_SQL: Record<SubscriberFilter, string> = {
  active: `s.status = 'active' and (s.paused_until is null or s.paused_until <= now())`,
  paused: `s.status = 'active' and s.paused_until > now()`,
  pending: `s.status = 'pending'`,
  unsubscribed: `s.status = 'unsubscribed'`,
  bounced: `s.status = 'bounced'`,
  complained: `s.status = 'complained'`,
};

export interface SubscriberSearch {
  /** Part of the address or the name, any case; empty: everyone. */
  q: string;
  /** Exactly this (normalised) address. */
  email?: string | undefined;
  status: SubscriberFilter | null;
  limit: number;
  offset: number;
}

/** `%`, `_` and `\` typed by an editor are searched for as themselves. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchSubscribers(db: Db, s: SubscriberSearch): Promise<{ rows: SubscriberRow[]; total: number }> {
  const where = `($1 = '' or s.email ilike '%' || $1 || '%' or coalesce(s.name, '') ilike '%' || $1 || '%')
                 and ($2::text is null or s.email = $2) and ${s.status ? FILTER_SQL[s.status] : 'true'}`;
  const params = [likeLiteral(s.q), s.email ?? null];
  const [rows, [count]] = await Promise.all([
    db.query<SubscriberRow>(`select ${ROW_COLUMNS} from subscribers s where ${where} order by s.id limit $3 offset $4`, [...params, s.limit, s.offset]),
    db.query<{ n: number }>(`select count(*)::int as n from subscribers s where ${where}`, params),
  ]);
  return { rows, total: count!.n };
}

export interface SubscriberDetail extends SubscriberRow {
  source: string | null;
  confirmedAt: Date | null;
  unsubscribedAt: Date | null;
  updatedAt: Date;
  /** Never to be mailed again (a hard bounce, a complaint…), with why. */
  suppressed: string | null;
}

export async function getSubscriber(db: Db, id: number): Promise<SubscriberDetail | undefined> {
  const [row] = await db.query<SubscriberDetail>(
    `select ${ROW_COLUMNS}, s.source, s.confirmed_at as "confirmedAt", s.unsubscribed_at as "unsubscribedAt", s.updated_at as "updatedAt",
            (select p.reason from suppressions p where p.email = s.email) as suppressed
     from subscribers s where s.id = $1`,
    [id],
  );
  return row;
}

export interface KnownTag {
  slug: string;
  name: string;
}

/** Every tag, by slug: what a subscriber may follow without creating a tag. */
export function knownTags(db: Db): Promise<KnownTag[]> {
  return db.query<KnownTag>(`select slug, name from tags order by slug`);
}

/** The subscriber with this (normalised) address. */
export async function subscriberIdByEmail(db: Db, email: string): Promise<number | undefined> {
  const [row] = await db.query<{ id: number }>(`select id from subscribers where email = $1`, [email]);
  return row?.id;
}

/**
 * An editor's change to a reader: the followed tags become exactly these (by name; new ones are
 * created, so check them first), and the time zone is set (null: the default) when given.
 */
export async function editSubscriber(db: Db, id: number, change: { tags?: string[] | undefined; timeZone?: string | null | undefined }): Promise<boolean> {
  return db.tx(async (tx) => {
    const [row] = await tx.query<{ id: number }>(`select id from subscribers where id = $1 for update`, [id]);
    if (!row) return false;
    if (change.timeZone !== undefined) await tx.run(`update subscribers set time_zone = $2, updated_at = now() where id = $1`, [id, change.timeZone]);
    if (change.tags !== undefined) {
      await ensureTags(tx, change.tags);
      await replaceSubscriptions(tx, id, change.tags.map(tagSlug));
      await tx.run(`update subscribers set updated_at = now() where id = $1`, [id]);
    }
    return true;
  });
}

export async function countSubscribers(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from subscribers');
  return row!.n;
}

/** How much of each summary a digest shows: `full` is every part, `brief` the title and one sentence. */
export type Density = 'brief' | 'full';
export const DENSITIES: readonly Density[] = ['brief', 'full'];

/**
 * The density of readers who never chose one: the publication's setting (`default_density`, set on the
 * admin settings page, the API or `tagcast settings set --default-density`), full when unset. One place,
 * so planning and the reader pages agree.
 */
export async function editorDefaultDensity(db: Db): Promise<Density> {
  const [row] = await db.query<{ d: string | null }>(`select default_density as d from publication_settings where id = 1`);
  return row?.d === 'brief' ? 'brief' : 'full';
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
