// Reports and look-ups for the editor pages: which combinations of sections readers get from an issue,
// and a subscriber for a preview.
import type { Db } from './connection.ts';

export interface Combination {
  /** Tag slugs in the digest, sorted; empty: the reader gets no email (no followed tag has content). */
  sections: string[];
  readers: number;
}

/**
 * For a planned issue: the combinations frozen in its ledger (each delivery's sections as planned).
 * Readers skipped at planning for lack of content have none.
 */
export function plannedCombinations(db: Db, issueId: number): Promise<Combination[]> {
  return db.query<Combination>(
    `select sections, count(*)::int as readers from deliveries where issue_id = $1
     group by sections order by readers desc, sections`,
    [issueId],
  );
}

/**
 * For a week not planned yet (a draft or scheduled issue): what planning would give now, with the
 * same rules as planIssue (active, not paused, not suppressed; the followed tags with content).
 */
export function weekCombinations(db: Db, week: string): Promise<Combination[]> {
  return db.query<Combination>(
    `with week_tags as (
       select distinct st.tag_id from summary_tags st join summaries s on s.id = st.summary_id where s.week = $1)
     select sections, count(*)::int as readers from (
       select array(select t.slug from subscriptions x join tags t on t.id = x.tag_id
                    where x.subscriber_id = s.id and x.tag_id in (select tag_id from week_tags)
                    order by t.slug) as sections
       from subscribers s
       where s.status = 'active'
         and (s.paused_until is null or s.paused_until <= now())
         and not exists (select 1 from suppressions p where p.email = s.email)) m
     group by sections order by readers desc, sections`,
    [week],
  );
}

/** Tag names by slug, for showing slugs. */
export async function tagNamesBySlug(db: Db, slugs: string[]): Promise<Map<string, string>> {
  if (slugs.length === 0) return new Map();
  const rows = await db.query<{ slug: string; name: string }>(`select slug, name from tags where slug = any($1::text[])`, [slugs]);
  return new Map(rows.map((r) => [r.slug, r.name]));
}

/** One subscriber by address, with the slugs of the tags they follow (for a preview or a test send). */
export async function subscriberForPreview(db: Db, email: string): Promise<{ id: number; email: string; name: string | null; status: string; tags: string[] } | undefined> {
  const [row] = await db.query<{ id: number; email: string; name: string | null; status: string; tags: string[] }>(
    `select s.id, s.email, s.name, s.status,
            array(select t.slug from subscriptions x join tags t on t.id = x.tag_id where x.subscriber_id = s.id order by t.slug) as tags
     from subscribers s where s.email = $1`,
    [email],
  );
  return row;
}

/** The frozen sections of one reader's delivery of a planned issue. */
export async function deliverySections(db: Db, issueId: number, subscriberId: number): Promise<string[] | undefined> {
  const [row] = await db.query<{ sections: string[] }>(`select sections from deliveries where issue_id = $1 and subscriber_id = $2`, [issueId, subscriberId]);
  return row?.sections;
}
