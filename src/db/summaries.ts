import type { DigestSummary } from '../digest/assemble.ts';
import { tagSlug } from '../lib/tags.ts';
import type { Db } from './connection.ts';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Creates missing tags and returns every named tag's id, keyed by slug. A slug a tag had before a
 * rename or merge (tag_aliases) names the tag it became, so an old file does not bring it back.
 */
export async function ensureTags(db: Db, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  const slugs = names.map(tagSlug);
  await db.query(
    `insert into tags (name, slug) select n, s from unnest($1::text[], $2::text[]) as u(n, s)
     where not exists (select 1 from tag_aliases a where a.slug = u.s)
     on conflict (slug) do nothing`,
    [names, slugs],
  );
  const rows = await db.query<{ id: number; slug: string }>(
    `select id, slug from tags where slug = any($1::text[])
     union all select tag_id, slug from tag_aliases where slug = any($1::text[])`,
    [slugs],
  );
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

/** A summary's tags, in order, replacing the ones it had. */
async function setTags(tx: Db, id: number, tags: string[]): Promise<void> {
  const tagIds = await ensureTags(tx, tags);
  await tx.query('delete from summary_tags where summary_id = $1', [id]);
  // Two names of one tag (one of them a renamed or merged tag's old slug): its first place counts.
  await tx.query(
    `insert into summary_tags (summary_id, tag_id, position)
     select $1, t.tag_id, t.position from unnest($2::int[], $3::int[]) as t(tag_id, position)
     on conflict (summary_id, tag_id) do nothing`,
    [id, tags.map((t) => tagIds.get(tagSlug(t))), tags.map((_, n) => n)],
  );
}

/** Two stored summaries match one file: one by its key, the other by its week and title. */
export class IdentityClashError extends Error {
  constructor(
    readonly byKey: number,
    readonly byTitle: number,
  ) {
    super(`it is summary ${byKey} by its file name or id and summary ${byTitle} by its week and title`);
    this.name = 'IdentityClashError';
  }
}

/**
 * Stores one imported summary (docs/summaries.md, "One summary, one row"): the stored summary with
 * the same key (front-matter id, or week/file name) or, failing that, with the same title in the same
 * week, is updated; none: a new one. Content the same as last imported (same hash): nothing is written,
 * so an edit made in the browser stays until the file itself changes. The unique indexes on source_key
 * and on (week, title) refuse a second row if two imports race.
 */
export async function upsertSummary(db: Db, s: SummaryRecord, hash: string, sourceFile: string, actor: string): Promise<UpsertOutcome> {
  return db.tx(async (tx) => {
    const found = await tx.query<{ id: number; byKey: boolean; hash: string }>(
      `select id, source_key = $1 as "byKey", content_hash as hash from summaries
       where source_key = $1 or (week = $2 and summary_title_key(title) = summary_title_key($3))
       order by source_key = $1 desc`,
      [s.key, s.week, s.title],
    );
    if (found.length > 1) throw new IdentityClashError(found[0]!.id, found[1]!.id);
    const values = [s.week, s.title, s.signal, JSON.stringify(s.case), s.take, s.timeSavedMinutes, s.sourceUrl, s.date, sourceFile, hash, actor];
    let id: number;
    const old = found[0];
    if (!old) {
      const [row] = await tx.query<{ id: number }>(
        `insert into summaries (week, title, signal, case_points, take, time_saved_minutes, source_url, published_on, source_file,
                                content_hash, imported_by, updated_by, source_key)
         values ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::date, $9, $10, $11, $11, $12) returning id`,
        [...values, s.key],
      );
      id = row!.id;
    } else {
      if (old.hash === hash) return 'unchanged';
      // A file found by its title keeps the key it was first imported under: a copy of it under another
      // name (a browser's "x (1).md") is the same summary, not a reason to rename it.
      await tx.query(
        `update summaries set week = $1, title = $2, signal = $3, case_points = $4::jsonb, take = $5, time_saved_minutes = $6,
           source_url = $7, published_on = $8::date, source_file = $9, content_hash = $10, updated_by = $11, updated_at = now()
         where id = $12`,
        [...values, old.id],
      );
      id = old.id;
    }
    await setTags(tx, id, s.tags);
    return old ? 'updated' : 'created';
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

/** The week's summaries that go into digests: hidden ones are left out. */
export function summariesForWeek(db: Db, week: string): Promise<StoredSummary[]> {
  return db.query<StoredSummary>(`select ${SUMMARY_COLUMNS} from summaries s where s.week = $1 and s.hidden_at is null order by s.id`, [week]);
}

/**
 * The summaries frozen into an issue when it was planned: what its digests carry, hidden or not since.
 * `visible`: without the ones hidden since (the archive shows a hidden summary nowhere).
 */
export function summariesForIssue(db: Db, issueId: number, opts: { visible?: boolean } = {}): Promise<StoredSummary[]> {
  return db.query<StoredSummary>(
    `select ${SUMMARY_COLUMNS} from summaries s join issue_summaries i on i.summary_id = s.id
     where i.issue_id = $1 ${opts.visible ? 'and s.hidden_at is null' : ''} order by s.id`,
    [issueId],
  );
}

/** Weeks that have summaries, newest first, with counts (of those not hidden). */
export function weeksWithContent(db: Db): Promise<{ week: string; summaries: number }[]> {
  return db.query(`select week, count(*)::int as summaries from summaries where hidden_at is null group by week order by week desc`);
}

/** A summary as the editor sees it: every field, where it came from, who changed it and when. */
export interface SummaryDetail extends StoredSummary {
  date: string | null;
  sourceKey: string;
  sourceFile: string | null;
  importedAt: Date;
  importedBy: string | null;
  updatedAt: Date;
  updatedBy: string | null;
  hiddenAt: Date | null;
  hiddenBy: string | null;
  /** Issues it was frozen into, newest first. */
  issues: { id: number; status: string }[];
}

const DETAIL_COLUMNS = `${SUMMARY_COLUMNS}, to_char(s.published_on, 'YYYY-MM-DD') as date, s.source_key as "sourceKey",
  s.source_file as "sourceFile", s.imported_at as "importedAt", s.imported_by as "importedBy", s.updated_at as "updatedAt",
  s.updated_by as "updatedBy", s.hidden_at as "hiddenAt", s.hidden_by as "hiddenBy",
  coalesce((select json_agg(json_build_object('id', i.id, 'status', i.status) order by i.id desc)
            from issue_summaries x join issues i on i.id = x.issue_id where x.summary_id = s.id), '[]') as issues`;

export async function getSummary(db: Db, id: number): Promise<SummaryDetail | undefined> {
  const [row] = await db.query<SummaryDetail>(`select ${DETAIL_COLUMNS} from summaries s where s.id = $1`, [id]);
  return row;
}

/** Every summary of a week, hidden ones too, for the editor. */
export function weekSummaries(db: Db, week: string): Promise<SummaryDetail[]> {
  return db.query<SummaryDetail>(`select ${DETAIL_COLUMNS} from summaries s where s.week = $1 order by s.id`, [week]);
}

/** Weeks with any summaries (hidden ones counted apart), newest first: the editor's list. */
export function editorWeeks(db: Db): Promise<{ week: string; summaries: number; hidden: number }[]> {
  return db.query(
    `select week, count(*) filter (where hidden_at is null)::int as summaries, count(*) filter (where hidden_at is not null)::int as hidden
     from summaries group by week order by week desc`,
  );
}

/** The summary with this title in this week, other than `except`. */
export async function summaryWithTitle(db: Db, week: string, title: string, except: number): Promise<number | undefined> {
  const [row] = await db.query<{ id: number }>(
    `select id from summaries where week = $1 and summary_title_key(title) = summary_title_key($2) and id <> $3`,
    [week, title, except],
  );
  return row?.id;
}

/** An editor's change to every field; the content hash stays the file's, so re-importing it unchanged keeps the edit. */
export async function editSummary(db: Db, id: number, s: Omit<SummaryRecord, 'key'>, actor: string): Promise<boolean> {
  return db.tx(async (tx) => {
    const rows = await tx.query<{ id: number }>(
      `update summaries set week = $2, title = $3, signal = $4, case_points = $5::jsonb, take = $6, time_saved_minutes = $7,
         source_url = $8, published_on = $9::date, updated_by = $10, updated_at = now()
       where id = $1 returning id`,
      [id, s.week, s.title, s.signal, JSON.stringify(s.case), s.take, s.timeSavedMinutes, s.sourceUrl, s.date, actor],
    );
    if (rows.length === 0) return false;
    await setTags(tx, id, s.tags);
    return true;
  });
}

/**
 * Hides (or shows again) a summary; false when there is no such summary. Hiding twice keeps the first
 * time. Either way it is a change of the summary (updated_at): the archive's Last-Modified follows it,
 * so a feed reader asking If-Modified-Since sees the summary gone.
 */
export async function setSummaryHidden(db: Db, id: number, hidden: boolean, actor: string): Promise<boolean> {
  const rows = await db.query(
    hidden
      ? `update summaries set hidden_at = coalesce(hidden_at, now()), hidden_by = coalesce(hidden_by, $2),
           updated_by = case when hidden_at is null then $2 else updated_by end,
           updated_at = case when hidden_at is null then now() else updated_at end
         where id = $1 returning id`
      : `update summaries set hidden_at = null, hidden_by = null, updated_by = $2, updated_at = now() where id = $1 returning id`,
    [id, actor],
  );
  return rows.length > 0;
}

/**
 * Deletes a summary that no issue has frozen; otherwise returns the issues holding it (the newest
 * first) and deletes nothing. The foreign key from issue_summaries refuses it too.
 */
export async function deleteSummary(db: Db, id: number): Promise<{ deleted: boolean; heldBy: { id: number; status: string }[] }> {
  return db.tx(async (tx) => {
    const rows = await tx.query(
      `delete from summaries s where s.id = $1 and not exists (select 1 from issue_summaries x where x.summary_id = s.id) returning id`,
      [id],
    );
    if (rows.length > 0) return { deleted: true, heldBy: [] };
    const heldBy = await tx.query<{ id: number; status: string }>(
      `select i.id, i.status from issue_summaries x join issues i on i.id = x.issue_id where x.summary_id = $1 order by i.id desc`,
      [id],
    );
    return { deleted: false, heldBy };
  });
}
