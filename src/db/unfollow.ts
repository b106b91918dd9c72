// Stopping one tag from a digest's section, and following it again (the undo). A reader is never left
// following nothing while subscribed: the last tag is not removed, the reader is offered to unsubscribe.
import type { Db } from './connection.ts';

export interface TagRef {
  id: number;
  name: string;
  slug: string;
}

export async function tagById(db: Db, tagId: number): Promise<TagRef | undefined> {
  const [row] = await db.query<TagRef>(`select id, name, slug from tags where id = $1`, [tagId]);
  return row;
}

/** The tag's id for each of these slugs (an issue's sections), for the unfollow links. */
export async function tagIdsBySlug(db: Db, slugs: readonly string[]): Promise<Map<string, number>> {
  if (slugs.length === 0) return new Map();
  const rows = await db.query<{ slug: string; id: number }>(`select slug, id from tags where slug = any($1::text[])`, [[...slugs]]);
  return new Map(rows.map((r) => [r.slug, r.id]));
}

/** Whether the reader follows the tag, and how many tags they follow; undefined when the reader is gone. */
export async function following(db: Db, subscriberId: number, tagId: number): Promise<{ follows: boolean; count: number } | undefined> {
  const [row] = await db.query<{ follows: boolean; count: number }>(
    `select exists (select 1 from subscriptions where subscriber_id = s.id and tag_id = $2) as follows,
            (select count(*)::int from subscriptions where subscriber_id = s.id) as count
     from subscribers s where s.id = $1`,
    [subscriberId, tagId],
  );
  return row;
}

/**
 * `removed`: the reader no longer follows the tag. `already`: they did not follow it (a second POST).
 * `last`: it is their only tag, kept; they are asked whether to unsubscribe instead. `gone`: no reader.
 */
export type UnfollowOutcome = 'removed' | 'already' | 'last' | 'gone';

export async function unfollowTag(db: Db, subscriberId: number, tagId: number): Promise<UnfollowOutcome> {
  return db.tx(async (tx) => {
    // The reader's row lock serialises two unfollows racing for the last two tags: one of them is last.
    const [s] = await tx.query(`select 1 from subscribers where id = $1 for update`, [subscriberId]);
    if (!s) return 'gone';
    const [row] = await tx.query<{ removed: number; others: number }>(
      `with others as (select count(*)::int as n from subscriptions where subscriber_id = $1 and tag_id <> $2),
       gone as (
         delete from subscriptions where subscriber_id = $1 and tag_id = $2 and (select n from others) > 0 returning 1)
       select (select count(*)::int from gone) as removed, (select n from others) as others`,
      [subscriberId, tagId],
    );
    if (row!.removed > 0) return 'removed';
    const [has] = await tx.query(`select 1 from subscriptions where subscriber_id = $1 and tag_id = $2`, [subscriberId, tagId]);
    return has ? 'last' : 'already';
  });
}

/** Follows the tag again (the unfollow page's undo); false when nothing changed. */
export async function refollowTag(db: Db, subscriberId: number, tagId: number): Promise<boolean> {
  const n = await db.run(
    `insert into subscriptions (subscriber_id, tag_id)
     select s.id, t.id from subscribers s, tags t where s.id = $1 and t.id = $2
     on conflict do nothing`,
    [subscriberId, tagId],
  );
  return n > 0;
}
