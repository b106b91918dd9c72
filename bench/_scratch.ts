// A scratch database for a benchmark: a fresh one on BENCH_DATABASE_URL's server (dropped after),
// else a temporary PGlite folder (removed after). Migrated either way.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';

export interface Scratch {
  db: Db;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** `pglite`: a temporary PGlite whatever BENCH_DATABASE_URL says (a figure of the embedded default). */
export async function scratchDb(opts: { pglite?: boolean } = {}): Promise<Scratch> {
  const url = process.env.BENCH_DATABASE_URL;
  if (url && !opts.pglite) {
    const admin = await openDb({ databaseUrl: url, poolSize: 1 });
    const name = `tagcast_bench_${randomBytes(4).toString('hex')}`;
    await admin.exec(`create database ${name}`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const db = await openDb({ databaseUrl: u.toString() });
    await migrate(db);
    return {
      db,
      env: { DATABASE_URL: u.toString() },
      async close() {
        await db.close();
        await admin.exec(`drop database ${name} with (force)`);
        await admin.close();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-bench-'));
  const db = await openDb({ dataDir: dir });
  await migrate(db);
  return { db, env: { DATA_DIR: dir }, close: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** Where a bench that needs PostgreSQL finds it when BENCH_DATABASE_URL is not set. */
export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * For a bench that needs PostgreSQL (processes sharing its database): BENCH_DATABASE_URL, else the
 * local default, checked to answer and then set as BENCH_DATABASE_URL so scratchDb() creates its
 * database there. Returns the server's version; throws one line saying what to do when nothing answers.
 */
export async function requirePostgres(bench: string): Promise<string> {
  const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
  try {
    const db = await openDb({ databaseUrl: url, poolSize: 1 });
    try {
      const [row] = await db.query<{ v: string }>(`select current_setting('server_version') as v`);
      process.env.BENCH_DATABASE_URL = url;
      return row!.v;
    } finally {
      await db.close();
    }
  } catch (e) {
    // openDb's message names the (masked) URL and the cause; its advice is about DATABASE_URL, not ours.
    const why = (e as Error).message.split('\n')[0]!.replace(/\.? Check DATABASE_URL\.$/, '');
    throw new Error(`${bench} needs PostgreSQL: ${why}; start it, or set BENCH_DATABASE_URL=postgres://USER@HOST:5432/DB (a user who may CREATE DATABASE)`);
  }
}
