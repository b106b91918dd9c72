// Builds one migrated database per run and backend; every test file then clones it cheaply:
// PGlite by copying the data folder (reopening ≈ 1 s instead of creating ≈ 6 s), Postgres with
// CREATE DATABASE … TEMPLATE. Everything made here is removed at the end of the run. The servers are
// the ones tests/support/services.ts chose (the system's, or private ones it started for the run).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDb } from '../../src/db/connection.ts';
import { migrate } from '../../src/db/migrate.ts';
import { adminUrl, databaseUrlFor } from './env.ts';
import { servicesFor } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  // Runs after services.ts's own global setup already; called again so this file never depends on
  // that order (the call is shared, nothing is started twice).
  await servicesFor(project);
  // integration-postgres and browser-postgres: the projects whose tests run on PostgreSQL.
  if (project.config.env?.TAGCAST_TEST_DB === 'postgres') {
    const admin = await openDb({ databaseUrl: adminUrl() });
    const name = `tagcast_tpl_${randomBytes(4).toString('hex')}`;
    await admin.exec(`create database ${name}`);
    const tpl = await openDb({ databaseUrl: databaseUrlFor(name), poolSize: 1 });
    await migrate(tpl);
    await tpl.close();
    project.provide('pgTemplate', name);
    project.provide('pgliteTemplate', '');
    return async () => {
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-tpl-'));
  // Also when the run ends without its teardown (Ctrl-C: Vitest exits at once).
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  const db = await openDb({ dataDir: dir });
  await migrate(db);
  await db.close();
  project.provide('pgliteTemplate', dir);
  project.provide('pgTemplate', '');
  return () => {
    process.off('exit', remove);
    remove();
  };
}
