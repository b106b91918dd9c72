import type { DigestSummary } from '../digest/assemble.ts';
import { tagSlug } from '../lib/tags.ts';
import type { Db } from './connection.ts';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** Creates missing tags and returns every named tag's id, keyed by slug. */
export async function ensureTags(db: Db, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  const slugs = names.map(tagSlug);
  await db.query(
    `insert into tags (name, slug) select * from unnest($1::text[], $2::text[]) on conflict (slug) do nothing`,
    [names, slugs],
  );
  const rows = await db.query<{ id: number; slug: string }>(`select id, slug from tags where slug = any($1::text[])`, [slugs]);
  return new Map(rows.map((r) => [r.slug, r.id]));
}

/** A summary as it is stored: the shape the importer's schema (Summary in src/content/summary.ts) checked. */
export interface SummaryRecord {
  key: string;
  week: string;
  title: string;
  signal: string;
  case: string[];
  take: string;
  timeSavedMinutes: number | null;
  sourceUrl: string | null;
  date: string | null;
  tags: string[];
}

/** Inserts or updates one summary by its source key; an unchanged file (same hash) writes nothing. */
export async function upsertSummary(db: Db, s: SummaryRecord, hash: string, sourceFile: string): Promise<UpsertOutcome> {
  return db.tx(async (tx) => {
    const rows = await tx.query<{ id: number; inserted: boolean }>(
      `insert into summaries (source_key, content_hash, week, title, signal, case_points, take, time_saved_minutes,
                              source_url, published_on, source_file)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::date, $11)
       on conflict (source_key) do update set
         content_hash = excluded.content_hash, week = excluded.week, title = excluded.title,
         signal = excluded.signal, case_points = excluded.case_points, take = excluded.take,
         time_saved_minutes = excluded.time_saved_minutes, source_url = excluded.source_url,
         published_on = excluded.published_on, source_file = excluded.source_file, updated_at = now()
       where summaries.content_hash <> excluded.content_hash
       returning id, (xmax = 0) as inserted`,
      [s.key, hash, s.week, s.title, s.signal, JSON.stringify(s.case), s.take, s.timeSavedMinutes, s.sourceUrl, s.date, sourceFile],
    );
    const row = rows[0];
    if (!row) return 'unchanged';
    const tagIds = await ensureTags(tx, s.tags);
    await tx.query('delete from summary_tags where summary_id = $1', [row.id]);
    await tx.query(
      `insert into summary_tags (summary_id, tag_id, position)
       select $1, t.tag_id, t.position from unnest($2::int[], $3::int[]) as t(tag_id, position)`,
      [row.id, s.tags.map((t) => tagIds.get(tagSlug(t))), s.tags.map((_, n) => n)],
    );
    return row.inserted ? 'created' : 'updated';
  });
}

/** A summary as the digest uses it, with the week it belongs to. */
export interface StoredSummary extends DigestSummary {
  week: string;
}

const SUMMARY_COLUMNS = `s.id, s.week, s.title, s.signal, s.case_points as "casePoints", s.take,
  s.time_saved_minutes as "timeSavedMinutes", s.source_url as "sourceUrl",
  array(select t.name from summary_tags st join tags t on t.id = st.tag_id
        where st.summary_id = s.id order by st.position) as tags`;

export function summariesForWeek(db: Db, week: string): Promise<StoredSummary[]> {
  return db.query<StoredSummary>(`select ${SUMMARY_COLUMNS} from summaries s where s.week = $1 order by s.id`, [week]);
}

/** The summaries frozen into an issue when it was planned. */
export function summariesForIssue(db: Db, issueId: number): Promise<StoredSummary[]> {
  return db.query<StoredSummary>(
    `select ${SUMMARY_COLUMNS} from summaries s join issue_summaries i on i.summary_id = s.id
     where i.issue_id = $1 order by s.id`,
    [issueId],
  );
}

/** Weeks that have summaries, newest first, with counts. */
export function weeksWithContent(db: Db): Promise<{ week: string; summaries: number }[]> {
  return db.query(`select week, count(*)::int as summaries from summaries group by week order by week desc`);
}
