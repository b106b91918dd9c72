// plan-issue's ledger: the one set-based INSERT … SELECT against a per-reader loop of single-row
// statements (the baseline most code would start from), on the same readers in the same run.
// Database: BENCH_DATABASE_URL (a PostgreSQL server; a scratch database is created and dropped), else
// a temporary PGlite. Readers: BENCH_READERS (default 20000).
import type { Db } from '../src/db/connection.ts';
import { createIssue, planIssue } from '../src/db/issues.ts';
import { median, report } from './_report.ts';
import { scratchDb } from './_scratch.ts';

const TAGS = ['Kubernetes', 'Databases', 'Rust', 'AI', 'Security', 'Frontend', 'Observability', 'Careers', 'Distributed Systems', 'Platform Engineering'];

async function seed(db: Db, readers: number): Promise<void> {
  await db.exec(`insert into tags (name, slug) select t, lower(replace(t, ' ', '-')) from unnest(array['${TAGS.join("','")}']) t on conflict do nothing`);
  await db.exec(`insert into summaries (source_key, content_hash, week, title, signal, case_points, take)
    select 'bench-' || i, 'h', '2026-W48', 'Summary ' || i, 'S', '["c"]', 'T' from generate_series(1, 30) i on conflict do nothing`);
  await db.exec(`insert into summary_tags (summary_id, tag_id, position)
    select s.id, t.id, 0 from summaries s join tags t on t.id = 1 + (s.id % ${TAGS.length}) on conflict do nothing`);
  await db.query(`insert into subscribers (email, status) select 'r' || i || '@bench.example', 'active' from generate_series(1, $1::int) i`, [readers]);
  await db.exec(`insert into subscriptions (subscriber_id, tag_id)
    select s.id, t.id from subscribers s join tags t on (s.id + t.id) % 4 = 0 on conflict do nothing`);
}

/** The baseline: the same ledger written one reader at a time. */
async function planLoop(db: Db, issueId: number): Promise<void> {
  await db.query(`insert into issue_summaries (issue_id, summary_id) select $1, id from summaries where week = '2026-W48'`, [issueId]);
  const subs = await db.query<{ id: number }>(`select id from subscribers where status = 'active' order by id`);
  let n = 0;
  for (const s of subs) {
    const tags = await db.query<{ slug: string }>(
      `select distinct t.slug from subscriptions x join tags t on t.id = x.tag_id join summary_tags st on st.tag_id = t.id
       join issue_summaries i on i.summary_id = st.summary_id and i.issue_id = $1 where x.subscriber_id = $2 order by t.slug`,
      [issueId, s.id],
    );
    const matched = tags.length > 0;
    await db.query(`insert into deliveries (issue_id, subscriber_id, batch, sections, status) values ($1, $2, $3, $4, $5)`, [
      issueId,
      s.id,
      matched ? Math.floor(n++ / 100) : null,
      tags.map((t) => t.slug),
      matched ? 'pending' : 'skipped',
    ]);
  }
}

export async function run(): Promise<void> {
  const readers = Number(process.env.BENCH_READERS ?? 20_000);
  const url = process.env.BENCH_DATABASE_URL;
  const scratch = await scratchDb();
  const db = scratch.db;
  try {
    await seed(db, readers);
    const set: number[] = [];
    const loop: number[] = [];
    for (let round = 0; round < 3; round++) {
      const a = await createIssue(db, { week: '2026-W48', engine: 'react', subject: null });
      await db.query(`update issues set status = 'scheduled' where id = $1`, [a.id]);
      let t = performance.now();
      await planIssue(db, a.id, 100);
      set.push(performance.now() - t);
      const b = await createIssue(db, { week: '2026-W48', engine: 'react', subject: null });
      t = performance.now();
      await db.tx((tx) => planLoop(tx, b.id));
      loop.push(performance.now() - t);
      await db.query(`delete from issues where id in ($1, $2)`, [a.id, b.id]);
    }
    const backend = url ? 'postgres' : 'pglite';
    report(`plan.ledger.${backend}.${readers}`, median(set), 'ms', median(loop), { baselineName: 'per-reader loop', runs: 3 });
  } finally {
    await scratch.close();
  }
}
