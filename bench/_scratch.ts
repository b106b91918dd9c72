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

export async function scratchDb(): Promise<Scratch> {
  const url = process.env.BENCH_DATABASE_URL;
  if (url) {
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
