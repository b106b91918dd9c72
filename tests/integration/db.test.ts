import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbLockedError, openDb, prepared } from '../../src/db/connection.ts';
import { createIssue, getIssue, pauseUnlessPausedSince, planIssue, transitionIssue } from '../../src/db/issues.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

describe.sequential(`database on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('applies migrations once; running them again (also concurrently) changes nothing', async () => {
    const tables = async () => (await t.db.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`))[0]!.n;
    const before = await tables();
    expect(await Promise.all([migrate(t.db), migrate(t.db)])).toEqual([[], []]);
    expect(await tables()).toBe(before);
    expect(before).toBeGreaterThanOrEqual(12);
  });

  it('runs a statement marked prepared as its text reads, parsed once per connection on PostgreSQL', async () => {
    const sql = prepared(`select $1::int + 1 as n, 'db.test prepared' as tag`);
    for (const n of [1, 2, 3]) expect(await t.db.query(sql, [n])).toEqual([{ n: n + 1, tag: 'db.test prepared' }]);
    if (t.kind !== 'postgres') return;
    // One connection, so the statements it prepared are the ones this session lists.
    const one = await openDb({ databaseUrl: t.env.DATABASE_URL!, poolSize: 1 });
    try {
      await one.query(sql, [5]);
      await one.query(sql, [6]);
      const listed = await one.query<{ statement: string }>(`select statement from pg_prepared_statements`);
      expect(listed.map((r) => r.statement)).toEqual([sql]);
    } finally {
      await one.close();
    }
  });

  it("gives the planner the ledger's statistics when an issue is planned (PGlite never runs autovacuum)", async () => {
    await t.db.query(
      `insert into subscribers (email, status, source) select 'stats' || n || '@db.example', 'active', 'test' from generate_series(1, 300) n`,
    );
    const issue = await createIssue(t.db, { week: '2026-W40', engine: 'react', subject: null });
    await transitionIssue(t.db, issue.id, ['draft'], 'scheduled');
    expect((await planIssue(t.db, issue.id, 100))?.plannedAt).toBeInstanceOf(Date);
    const [{ rows }] = (await t.db.query<{ rows: number }>(`select count(*)::int as rows from deliveries`)) as [{ rows: number }];
    expect(rows).toBeGreaterThanOrEqual(300);
    // What ANALYZE records: the table's row count as the planner sees it (-1 or 0 before any).
    const [{ reltuples }] = (await t.db.query<{ reltuples: number }>(`select reltuples::int as reltuples from pg_class where relname = 'deliveries'`)) as [{ reltuples: number }];
    expect(reltuples).toBe(rows);
  });

  it('rolls back a failed transaction as a whole', async () => {
    await expect(
      t.db.tx(async (tx) => {
        await tx.query(`insert into tags (name, slug) values ('Temp', 'temp')`);
        await tx.query(`insert into tags (name, slug) values ('Temp again', 'temp')`); // unique violation
      }),
    ).rejects.toThrow();
    expect(await t.db.query(`select 1 from tags where slug = 'temp'`)).toEqual([]);
  });

  it('does not let a batch that started before a pause pause the resumed issue again', async () => {
    const issue = await createIssue(t.db, { week: '2026-W48', engine: 'react', subject: null });
    await t.db.query(`update issues set status = 'sending' where id = $1`, [issue.id]);
    const batchStarted = new Date(Date.now() - 1000);
    await transitionIssue(t.db, issue.id, ['sending'], 'paused', { reason: 'quota' }); // another batch paused it
    await transitionIssue(t.db, issue.id, ['paused'], 'sending'); // an editor resumed it
    expect(await pauseUnlessPausedSince(t.db, issue.id, batchStarted, 'stale quota error')).toBe(false);
    expect((await getIssue(t.db, issue.id))!.status).toBe('sending');
    expect(await pauseUnlessPausedSince(t.db, issue.id, new Date(Date.now() + 1000), 'fresh quota error')).toBe(true);
    expect((await getIssue(t.db, issue.id))!).toMatchObject({ status: 'paused', statusReason: 'fresh quota error' });
  });

  it.runIf(process.env.TAGCAST_TEST_DB !== 'postgres')('gives a second process a clear message instead of sharing the embedded store', async () => {
    await t.release();
    const dataDir = t.env.DATA_DIR!;
    // A child process opens the database and holds it until killed.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { openDb } = await import(${JSON.stringify(path.resolve('src/db/connection.ts'))});
      await openDb({ dataDir: ${JSON.stringify(dataDir)} });
      console.log('open');
      setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('open') && resolve()));
    const err = await openDb({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbLockedError);
    expect((err as Error).message).toContain(`in use by another tagcast process (pid ${child.pid})`);
    // A lock left by a killed process is stale: the next opener takes it over.
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const db = await t.reopen();
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
  });
});
