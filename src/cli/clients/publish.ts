// The server side of the CLI's way to a running server: publish the API to local commands.
//
// PGlite allows one process per data directory, so while `tagcast start` (or `serve`) runs, every
// other command would stop with DbLockedError. The owning server therefore writes DATA_DIR/api.json
// (mode 0600): its loopback URL and a token it created for itself, replaced at each start and removed
// on a clean shutdown. Commands find it with findLocalApi (./http.ts).
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { createApiToken, revokeApiTokensNamed } from '../../db/api-tokens.ts';
import type { Db } from '../../db/connection.ts';
import { LOCAL_TOKEN_NAME } from '../tokens.ts';
import { API_FILE } from './http.ts';

export interface LocalApi {
  url: string;
  token: string;
  pid: number;
}

/**
 * On PGlite, creates the server's own token (revoking the one of its previous start) and writes
 * DATA_DIR/api.json for local commands; returns what undoes both at shutdown. On PostgreSQL every
 * command opens the database itself, so nothing is published.
 */
export async function publishLocalApi(db: Db, config: Pick<Config, 'dataDir'>, address: AddressInfo | string | null): Promise<() => Promise<void>> {
  if (db.kind !== 'pglite' || !address || typeof address === 'string') return async () => undefined;
  await revokeApiTokensNamed(db, LOCAL_TOKEN_NAME);
  const { token } = await createApiToken(db, LOCAL_TOKEN_NAME);
  const file = path.join(config.dataDir, API_FILE);
  const body: LocalApi = { url: `http://127.0.0.1:${address.port}`, token, pid: process.pid };
  // Written whole under a fresh name with mode 0600 from the start, then renamed: never readable by
  // others, never seen half-written.
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(tmp, file);
  return async () => {
    await rm(file, { force: true });
    await revokeApiTokensNamed(db, LOCAL_TOKEN_NAME).catch(() => undefined);
  };
}

