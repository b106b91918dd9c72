// API tokens: a random secret shown once, stored only as its SHA-256 hash. A request's token is found
// by the hash of what it presents (one indexed lookup), so no secret is ever compared character by
// character, and a stolen database holds nothing that opens the API.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './connection.ts';

export const TOKEN_PREFIX = 'tc_';

export interface ApiToken {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = `id, name, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What newToken makes: `tc_` and 43 base64url characters. Anything else is refused before a query. */
export const TOKEN_SHAPE = /^tc_[A-Za-z0-9_-]{43}$/;

export function isTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** A new token: `tc_` and 32 random bytes in base64url. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Creates a token; the secret is returned here and never again. */
export async function createApiToken(db: Db, name: string): Promise<{ token: string; row: ApiToken }> {
  const token = newToken();
  const [row] = await db.query<ApiToken>(`insert into api_tokens (name, hash) values ($1, $2) returning ${COLUMNS}`, [name, hashToken(token)]);
  return { token, row: row! };
}

export function listApiTokens(db: Db): Promise<ApiToken[]> {
  return db.query<ApiToken>(`select ${COLUMNS} from api_tokens order by id`);
}

/** Revokes one token; undefined when there is no such token. Revoking twice keeps the first time. */
export async function revokeApiToken(db: Db, id: number): Promise<ApiToken | undefined> {
  const [row] = await db.query<ApiToken>(
    `update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [id],
  );
  return row;
}

/** Revokes every live token of that name (the server's own local token, replaced at each start). */
export function revokeApiTokensNamed(db: Db, name: string): Promise<number> {
  return db.run(`update api_tokens set revoked_at = now() where name = $1 and revoked_at is null`, [name]);
}

/** How often last_used_at is written: often enough to tell a live token from a dead one, not per request. */
const TOUCH_EVERY_SECONDS = 60;

/** The live (not revoked) token with that secret, or undefined; notes its use. */
export async function findApiToken(db: Db, token: string): Promise<ApiToken | undefined> {
  if (!isTokenShaped(token)) return undefined;
  const [row] = await db.query<ApiToken>(`select ${COLUMNS} from api_tokens where hash = $1 and revoked_at is null`, [hashToken(token)]);
  if (row && (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_EVERY_SECONDS * 1000)) {
    await db.run(
      `update api_tokens set last_used_at = now()
       where id = $1 and (last_used_at is null or last_used_at < now() - $2 * interval '1 second')`,
      [row.id, TOUCH_EVERY_SECONDS],
    );
  }
  return row;
}
