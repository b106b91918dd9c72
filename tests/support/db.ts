// A private, migrated database for one test file, on the backend of the current project.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openDb, type Db } from '../../src/db/connection.ts';
import { adminUrl, databaseUrlFor } from './env.ts';

export interface TestDb {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** For child processes: DATABASE_URL or DATA_DIR pointing at this database. */
  env: Record<string, string>;
  /** Closes the handle so a child process may open the (PGlite) database itself. */
  release(): Promise<void>;
  reopen(): Promise<Db>;
  drop(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const kind = process.env.TAGCAST_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
  if (kind === 'postgres') {
    const name = `tagcast_t_${randomBytes(5).toString('hex')}`;
    const admin = await openDb({ databaseUrl: adminUrl(), poolSize: 1 });
    // A fresh installation id per file, so concurrent test files never share queues.
    await admin.exec(`create database ${name} template ${inject('pgTemplate')}`);
    await admin.close();
    const url = databaseUrlFor(name);
    const t: TestDb = {
      kind,
      db: await openDb({ databaseUrl: url }),
      env: { DATABASE_URL: url },
      async release() {
        await t.db.close();
      },
      async reopen() {
        t.db = await openDb({ databaseUrl: url });
        return t.db;
      },
      async drop() {
        await t.db.close().catch(() => undefined);
        const a = await openDb({ databaseUrl: adminUrl(), poolSize: 1 });
        await a.exec(`drop database if exists ${name} with (force)`);
        await a.close();
      },
    };
    await resetInstallation(t.db);
    return t;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-db-'));
  cpSync(path.join(inject('pgliteTemplate'), 'pg'), path.join(dir, 'pg'), { recursive: true });
  const t: TestDb = {
    kind,
    db: await openDb({ dataDir: dir }),
    env: { DATA_DIR: dir },
    async release() {
      await t.db.close();
    },
    async reopen() {
      t.db = await openDb({ dataDir: dir });
      return t.db;
    },
    async drop() {
      await t.db.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await resetInstallation(t.db);
  return t;
}

async function resetInstallation(db: Db): Promise<void> {
  await db.query(`update installation set id = $1`, [randomBytes(5).toString('hex')]);
}
