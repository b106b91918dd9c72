// `tagcast tokens` (create, list, revoke), run in this process through main(), the entry point the
// binary calls: a CLI process costs seconds to start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findApiToken, hashToken, listApiTokens } from '../../src/db/api-tokens.ts';
import { EditorError } from '../../src/editor/errors.ts';
import { tokenName } from '../../src/editor/tokens.ts';
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
    expect(list.stdout).toMatch(/^\d+\tci\tcreated \d{4}-\d\d-\d\dT[^\t]+\tlast used never\tactive\n1 token\n$/);
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
    } finally {
      await t.release();
    }
    expect(await inProcess(['tokens', 'revoke', '999'], env)).toMatchObject({ code: 1, stdout: '', stderr: 'tagcast: token 999 does not exist\n' });
    expect(await inProcess(['tokens', 'revoke', 'nobody'], env)).toMatchObject({ code: 1, stderr: 'tagcast: no active token is named "nobody"\n' });
  });

  it('counts in words that agree: 0 tokens, 1 token, 2 tokens; revoking by name says how many', async () => {
    expect((await inProcess(['tokens', 'create', 'laptop'], env)).code).toBe(0);
    expect((await inProcess(['tokens', 'create', '--name', 'laptop'], env)).code).toBe(0);
    const list = await inProcess(['tokens', 'list'], env);
    expect(list.stdout).toMatch(/\n3 tokens\n$/); // the revoked "ci" is listed too
    expect((await inProcess(['tokens', 'revoke', 'laptop'], env)).stdout).toBe('revoked 2 tokens named laptop\n');
    expect((await inProcess(['tokens', 'create', 'solo'], env)).code).toBe(0);
    expect((await inProcess(['tokens', 'revoke', 'solo'], env)).stdout).toBe('revoked 1 token named solo\n');
  });

  it('checks token names', () => {
    expect(() => tokenName(' ')).toThrow(/needs a name/);
    expect(() => tokenName('a\nb')).toThrow(/control character/);
    expect(() => tokenName('@server')).toThrow(expect.objectContaining({ kind: 'invalid', exitCode: 2 }) as EditorError);
    expect(tokenName(' ci ')).toBe('ci');
  });

});
