import type { Db } from './connection.ts';

/** Throws when the database does not answer (the readiness probe). */
export async function ping(db: Db): Promise<void> {
  await db.query('select 1');
}
