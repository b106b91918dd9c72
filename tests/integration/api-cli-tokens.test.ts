// `tagcast tokens` (create, list, revoke), run in this process through main(), the entry point the
// binary calls: a CLI process costs seconds to start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMapped } from '../../src/cli/remote.ts';
import { parseTokenName, revokeTokens } from '../../src/cli/tokens.ts';
import { findApiToken, hashToken, listApiTokens } from '../../src/db/api-tokens.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { inProcess } from '../support/in-process.ts';

describe.sequential(`tagcast tokens on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDb();
    await t.release(); // main() opens the database itself, as the binary does
    env = { ...t.env, LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('creates a token (printed once, stored hashed), lists and revokes it', async () => {
    const created = await inProcess(['tokens', 'create', '--name', 'ci'], env);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^tc_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/^tagcast: token \d+ \(ci\) created; copy it now, it is not shown again\n$/);

    const list = await inProcess(['tokens', 'list'], env);
    expect(list.stdout).toMatch(/^\d+\tci\tcreated \d{4}-\d\d-\d\dT[^\t]+\tlast used never\tactive\n1 tokens\n$/);
    expect(list.stdout).not.toContain(token);
    const id = list.stdout.split('\t')[0]!;

    expect((await inProcess(['tokens', 'create', '--name', '@local'], env)).code).toBe(2);
    const revoked = await inProcess(['tokens', 'revoke', id], env);
    expect(revoked.stdout).toBe(`revoked token ${id} (ci)\n`);
    const db = await t.reopen();
    try {
      const [row] = await db.query<{ hash: string }>('select hash from api_tokens where id = $1', [Number(id)]);
      expect(row!.hash).toBe(hashToken(token));
      expect(await findApiToken(db, token)).toBeUndefined(); // revoked
      expect((await listApiTokens(db))[0]!.revokedAt).toBeInstanceOf(Date);
      await expect(revokeTokens(db, '999')).rejects.toThrow('token 999 does not exist');
      await expect(revokeTokens(db, 'nobody')).rejects.toThrow('no active token is named "nobody"');
    } finally {
      await t.release();
    }
  });

  it('checks names and maps only editor commands', () => {
    expect(() => parseTokenName(' ')).toThrow(/needs a name/);
    expect(() => parseTokenName('a\nb')).toThrow(/control character/);
    expect(parseTokenName(' ci ')).toBe('ci');
    const argv = (...a: string[]) => ['node', 'tagcast', ...a];
    // Commands on the editor's operations reach the server through withEditor, not this fallback.
    expect(isMapped(argv('issue', 'list'))).toBe(false);
    expect(isMapped(argv('import', 'content'))).toBe(true);
    expect(isMapped(argv('subscribers', 'add', 'a@example.com'))).toBe(true);
    expect(isMapped(argv('tokens', 'list'))).toBe(false);
    expect(isMapped(argv('preview', '--week', 'x'))).toBe(false);
    expect(isMapped(argv('worker'))).toBe(false);
  });

});
