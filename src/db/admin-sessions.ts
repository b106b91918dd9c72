// The editor's sessions on the server: one row per login, deleted at logout. The cookie's signature
// is checked first (a forged cookie costs no query); this row is what makes a copied cookie stop
// working the moment its editor logs out.
import { createHash } from 'node:crypto';
import type { Db } from './connection.ts';

/** The row's key: the cookie's random id, hashed, so the table holds nothing a browser could present. */
const rowId = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * Records a new session. Sessions that have expired, or were signed under another key (a password
 * since changed), are deleted on the way: the table holds live sessions only.
 */
export async function startAdminSession(db: Db, s: { id: string; keyTag: string; expiresAt: Date; now: Date }): Promise<void> {
  await db.run(`delete from admin_sessions where expires_at <= $1 or key_tag <> $2`, [s.now, s.keyTag]);
  await db.run(`insert into admin_sessions (id, key_tag, expires_at) values ($1, $2, $3)`, [rowId(s.id), s.keyTag, s.expiresAt]);
}

/** Whether that session was started under this key, has not ended and has not expired. */
export async function adminSessionLive(db: Db, s: { id: string; keyTag: string; now: Date }): Promise<boolean> {
  const rows = await db.query(`select 1 from admin_sessions where id = $1 and key_tag = $2 and expires_at > $3`, [rowId(s.id), s.keyTag, s.now]);
  return rows.length > 0;
}

/** Ends one session (logout); ending it twice does nothing more. */
export async function endAdminSession(db: Db, id: string): Promise<void> {
  await db.run(`delete from admin_sessions where id = $1`, [rowId(id)]);
}
