// What a test file of CLI child processes sets up: a private database the children own (this process
// released it), a scratch folder with the outbox, a Redis key prefix, and the environment naming them.
// Registers its hooks in the calling describe; the fields are set once its beforeAll has run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createTestDb, type TestDb } from './db.ts';
import { REDIS_URL } from './env.ts';
import { deleteKeys, testPrefix } from './redis.ts';

export interface CliSetup {
  t: TestDb;
  dir: string;
  env: Record<string, string>;
  prefix: string;
}

export function cliSetup(name: string, extraEnv: Record<string, string>): CliSetup {
  const s = { prefix: testPrefix() } as CliSetup;
  beforeAll(async () => {
    s.t = await createTestDb();
    await s.t.release(); // the child processes own the database from here
    s.dir = mkdtempSync(path.join(tmpdir(), `tagcast-${name}-`));
    // A data folder of its own on PostgreSQL too: the development-secret note's marker lives there.
    s.env = { DATA_DIR: path.join(s.dir, 'data'), ...s.t.env, REDIS_URL, QUEUE_PREFIX: s.prefix, OUTBOX_DIR: path.join(s.dir, 'outbox'), ...extraEnv };
  });
  afterAll(async () => {
    await s.t?.drop();
    await deleteKeys(s.prefix);
    if (s.dir) rmSync(s.dir, { recursive: true, force: true });
  });
  return s;
}
