// Tags as the editor manages them: the list with its numbers, rename, merge, describe, hide; and the
// tags the subscribe and preferences pages offer. A tag's slug always follows its name (tagSlug): the
// digest finds a reader's sections by the slugs of its summaries' tag names.
import type { Db } from './connection.ts';

export interface TagRow {
  id: number;
  name: string;
  slug: string;
  description: string | null;
  hiddenAt: Date | null;
  /** Subscribers following it, whatever their status. */
  followers: number;
  /** Active subscribers following it (those a digest goes to). */
  activeFollowers: number;
  summaries: number;
  /** The newest ISO week with a summary under it; null: none. */
  lastWeek: string | null;
  changedBy: string | null;
  changedAt: Date | null;
}

const TAG_COLUMNS = `t.id, t.name, t.slug, t.description, t.hidden_at as "hiddenAt", t.changed_by as "changedBy", t.changed_at as "changedAt",
  (select count(*)::int from subscriptions x where x.tag_id = t.id) as followers,
  (select count(*)::int from subscriptions x join subscribers r on r.id = x.subscriber_id where x.tag_id = t.id and r.status = 'active') as "activeFollowers",
  (select count(*)::int from summary_tags st where st.tag_id = t.id) as summaries,
  (select max(s.week) from summary_tags st join summaries s on s.id = st.summary_id where st.tag_id = t.id) as "lastWeek"`;

/** Every tag with its numbers, by name. */
export function listTags(db: Db): Promise<TagRow[]> {
  return db.query<TagRow>(`select ${TAG_COLUMNS} from tags t order by lower(t.name), t.slug`);
}

/** The tag with this slug, or the one an old slug (renamed, merged) now belongs to. */
export async function tagBySlugOrAlias(db: Db, slug: string): Promise<TagRow | undefined> {
  const [row] = await db.query<TagRow>(
    `select ${TAG_COLUMNS} from tags t
     where t.id = coalesce((select id from tags where slug = $1), (select tag_id from tag_aliases where slug = $1))`,
    [slug],
  );
  return row;
}

/** A tag named `slug` other than `exceptId`, by its live slug (not an alias). */
export async function tagHoldingSlug(db: Db, slug: string, exceptId: number): Promise<{ id: number; name: string } | undefined> {
  const [row] = await db.query<{ id: number; name: string }>(`select id, name from tags where slug = $1 and id <> $2`, [slug, exceptId]);
  return row;
}

/** Issues whose pending deliveries still carry this tag's slug among their frozen sections. */
export async function issuesSendingTag(db: Db, slug: string): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `select distinct issue_id as id from deliveries where status = 'pending' and $1 = any(sections) order by 1`,
    [slug],
  );
  return rows.map((r) => r.id);
}

/**
 * Renames a tag (its slug follows the name). The old slug becomes an alias of the tag; the new slug
 * stops being an alias of anything. False when the slug is taken by another tag (the unique index
 * decides, so two renames at once cannot both take it).
 */
export async function renameTag(db: Db, id: number, name: string, slug: string, actor: string): Promise<boolean> {
  return db.tx(async (tx) => {
    const [old] = await tx.query<{ slug: string }>(`select slug from tags where id = $1 for update`, [id]);
    if (!old) return false;
    await tx.run(`delete from tag_aliases where slug = $1`, [slug]);
    const changed = await tx.query(
      `update tags set name = $2, slug = $3, changed_by = $4, changed_at = now()
       where id = $1 and not exists (select 1 from tags o where o.slug = $3 and o.id <> $1) returning id`,
      [id, name, slug, actor],
    );
    if (changed.length === 0) return false;
    if (old.slug !== slug) await tx.run(`insert into tag_aliases (slug, tag_id) values ($1, $2) on conflict (slug) do update set tag_id = excluded.tag_id`, [old.slug, id]);
    return true;
  });
}

export interface MergeCounts {
  /** Followers of the merged tag who now follow the other (those who followed both are counted once, in `kept`). */
  followersMoved: number;
  /** Followers of both: they keep one subscription. */
  followersKept: number;
  summariesMoved: number;
  /** Summaries under both: they keep the one tag, at the earlier of the two places. */
  summariesKept: number;
}

/** What a merge of `fromId` into `intoId` would move, for the confirmation page. */
export async function mergePreview(db: Db, fromId: number, intoId: number): Promise<MergeCounts> {
  const [row] = await db.query<MergeCounts>(
    `select
       (select count(*)::int from subscriptions a where a.tag_id = $1
          and not exists (select 1 from subscriptions b where b.subscriber_id = a.subscriber_id and b.tag_id = $2)) as "followersMoved",
       (select count(*)::int from subscriptions a where a.tag_id = $1
          and exists (select 1 from subscriptions b where b.subscriber_id = a.subscriber_id and b.tag_id = $2)) as "followersKept",
       (select count(*)::int from summary_tags a where a.tag_id = $1
          and not exists (select 1 from summary_tags b where b.summary_id = a.summary_id and b.tag_id = $2)) as "summariesMoved",
       (select count(*)::int from summary_tags a where a.tag_id = $1
          and exists (select 1 from summary_tags b where b.summary_id = a.summary_id and b.tag_id = $2)) as "summariesKept"`,
    [fromId, intoId],
  );
  return row!;
}

/**
 * Merges one tag into another in one transaction, set-based: its followers and summaries move (a
 * reader or summary that had both keeps one), its slug and aliases point at the other tag, and it is
 * deleted. Deliveries are not touched: past issues keep the sections they were sent with.
 * Undefined when either tag no longer exists.
 */
export async function mergeTags(db: Db, fromId: number, intoId: number, actor: string): Promise<MergeCounts | undefined> {
  return db.tx(async (tx) => {
    const locked = await tx.query<{ id: number; slug: string }>(`select id, slug from tags where id = any($1::int[]) order by id for update`, [[fromId, intoId]]);
    const from = locked.find((t) => t.id === fromId);
    if (!from || !locked.some((t) => t.id === intoId)) return undefined;
    const counts = await mergePreview(tx, fromId, intoId);
    await tx.run(
      `insert into subscriptions (subscriber_id, tag_id, created_at)
       select subscriber_id, $2, created_at from subscriptions where tag_id = $1
       on conflict (subscriber_id, tag_id) do nothing`,
      [fromId, intoId],
    );
    // A summary under both keeps the other tag at the earlier of the two positions (its primary tag stays first).
    await tx.run(
      `with gone as (
         delete from summary_tags a where a.tag_id = $1
           and exists (select 1 from summary_tags b where b.summary_id = a.summary_id and b.tag_id = $2)
         returning a.summary_id, a.position)
       update summary_tags b set position = g.position from gone g
       where b.summary_id = g.summary_id and b.tag_id = $2 and g.position < b.position`,
      [fromId, intoId],
    );
    await tx.run(`update summary_tags set tag_id = $2 where tag_id = $1`, [fromId, intoId]);
    await tx.run(`update tag_aliases set tag_id = $2 where tag_id = $1`, [fromId, intoId]);
    await tx.run(`insert into tag_aliases (slug, tag_id) values ($1, $2) on conflict (slug) do update set tag_id = excluded.tag_id`, [from.slug, intoId]);
    // The merged tag's subscriptions go with it (on delete cascade); their copies were made above.
    await tx.run(`delete from tags where id = $1`, [fromId]);
    await tx.run(`update tags set changed_by = $2, changed_at = now() where id = $1`, [intoId, actor]);
    return counts;
  });
}

/** Sets (or, with null, removes) a tag's description. False: no such tag. */
export async function describeTag(db: Db, id: number, description: string | null, actor: string): Promise<boolean> {
  return (await db.run(`update tags set description = $2, changed_by = $3, changed_at = now() where id = $1`, [id, description, actor])) > 0;
}

/** Hides a tag from new readers, or shows it again. False: no such tag. Hiding twice keeps the first time. */
export async function setTagHidden(db: Db, id: number, hidden: boolean, actor: string): Promise<boolean> {
  return (
    (await db.run(
      `update tags set hidden_at = case when $2 then coalesce(hidden_at, now()) else null end, changed_by = $3, changed_at = now() where id = $1`,
      [id, hidden, actor],
    )) > 0
  );
}

export interface TagCount {
  slug: string;
  name: string;
  description: string | null;
  /** Summaries under this tag in the recent weeks (the subscribe and preferences pages show it). */
  recent: number;
}

/**
 * The tags the subscribe and preferences pages offer: visible tags with a summary since `sinceWeek`
 * (ISO week, inclusive), with that count; plus, on a reader's preferences, every tag they follow
 * (hidden or quiet), so nobody loses a tag by saving the form.
 */
export function offeredTags(db: Db, sinceWeek: string, followerId?: number): Promise<TagCount[]> {
  return db.query<TagCount>(
    `select t.slug, t.name, t.description, count(s.id)::int as recent
     from tags t
     left join summary_tags st on st.tag_id = t.id
     left join summaries s on s.id = st.summary_id and s.week >= $1 and s.hidden_at is null
     group by t.id
     having (t.hidden_at is null and count(s.id) > 0)
         or exists (select 1 from subscriptions x where x.tag_id = t.id and x.subscriber_id = $2)
     order by lower(t.name), t.slug`,
    [sinceWeek, followerId ?? null],
  );
}
