import type { Db } from './connection.ts';

export async function installationId(db: Db): Promise<string> {
  const [row] = await db.query<{ id: string }>('select id from installation');
  if (!row) throw new Error('the database has no installation row: run the migrations');
  return row.id;
}
