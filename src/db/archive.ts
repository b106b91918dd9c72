// The public archive reads only sent issues and the summaries frozen into them.
import type { Db } from './connection.ts';

/** A sent issue that sends its week again names the issue it corrects and why (null otherwise). */
export interface Correction {
  againOf: number | null;
  againReason: string | null;
}

export interface SentIssue extends Correction {
  id: number;
  week: string;
  finishedAt: Date;
  summaries: number;
  tags: { slug: string; name: string }[];
}

const CORRECTION = `i.again_of as "againOf", i.again_reason as "againReason"`;

export async function countSentIssues(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from issues where status = 'sent'`);
  return row!.n;
}

/** Sent issues, newest first, with their summary counts and tags (most summaries first); hidden summaries count nowhere. */
export function sentIssues(db: Db, limit: number, offset: number): Promise<SentIssue[]> {
  return db.query<SentIssue>(
    `select i.id, i.week, i.finished_at as "finishedAt", ${CORRECTION},
            (select count(*)::int from issue_summaries x join summaries s on s.id = x.summary_id
             where x.issue_id = i.id and s.hidden_at is null) as summaries,
            coalesce((select json_agg(json_build_object('slug', t.slug, 'name', t.name) order by t.n desc, t.name)
                      from (select tg.slug, tg.name, count(*) as n
                            from issue_summaries x join summaries s on s.id = x.summary_id and s.hidden_at is null
                            join summary_tags st on st.summary_id = x.summary_id
                            join tags tg on tg.id = st.tag_id where x.issue_id = i.id group by tg.id) t), '[]') as tags
     from issues i where i.status = 'sent'
     order by i.finished_at desc, i.id desc limit $1 offset $2`,
    [limit, offset],
  );
}

export async function sentIssue(db: Db, id: number): Promise<({ id: number; week: string; finishedAt: Date } & Correction) | undefined> {
  const [row] = await db.query<{ id: number; week: string; finishedAt: Date } & Correction>(
    `select i.id, i.week, i.finished_at as "finishedAt", ${CORRECTION} from issues i where i.id = $1 and i.status = 'sent'`,
    [id],
  );
  return row;
}

/** When the archive last changed: the newest sent issue, or a summary of a sent issue edited since. */
export async function archiveUpdatedAt(db: Db): Promise<Date | null> {
  const [row] = await db.query<{ at: Date | null }>(
    `select greatest(
       (select max(finished_at) from issues where status = 'sent'),
       (select max(s.updated_at) from summaries s join issue_summaries x on x.summary_id = s.id
        join issues i on i.id = x.issue_id and i.status = 'sent')) as at`,
  );
  return row?.at ?? null;
}

export async function tagBySlug(db: Db, slug: string): Promise<{ id: number; slug: string; name: string } | undefined> {
  const [row] = await db.query<{ id: number; slug: string; name: string }>(`select id, slug, name from tags where slug = $1`, [slug]);
  return row;
}

export async function countTagIssues(db: Db, tagId: number): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `select count(distinct i.id)::int as n from issues i
     join issue_summaries x on x.issue_id = i.id join summaries s on s.id = x.summary_id and s.hidden_at is null
     join summary_tags st on st.summary_id = x.summary_id
     where i.status = 'sent' and st.tag_id = $1`,
    [tagId],
  );
  return row!.n;
}

/** Sent issues that carried summaries under one of these tags (by slug), newest first. */
export function issuesWithTags(db: Db, slugs: string[], limit: number, offset: number): Promise<({ id: number; week: string; finishedAt: Date } & Correction)[]> {
  return db.query(
    `select i.id, i.week, i.finished_at as "finishedAt", ${CORRECTION} from issues i
     where i.status = 'sent' and exists (
       select 1 from issue_summaries x join summaries s on s.id = x.summary_id and s.hidden_at is null
       join summary_tags st on st.summary_id = x.summary_id
       join tags t on t.id = st.tag_id
       where x.issue_id = i.id and t.slug = any($1::text[]))
     order by i.finished_at desc, i.id desc limit $2 offset $3`,
    [slugs, limit, offset],
  );
}

/** The installation's start: the date in the archive's Atom ids (tag URIs), stable for its life. */
export async function installationSince(db: Db): Promise<Date> {
  const [row] = await db.query<{ createdAt: Date }>(`select created_at as "createdAt" from installation`);
  return row!.createdAt;
}
