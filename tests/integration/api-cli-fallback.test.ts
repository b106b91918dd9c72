// Editor commands that go through a running server's API while it owns the embedded database.
// CLI processes are slow to start, so this file spawns two (the server and one editor command);
// every other command runs in this process through main(), the same entry point the binary calls.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_FILE } from '../../src/cli/clients/http.ts';
import { LOCAL_TOKEN_NAME } from '../../src/cli/tokens.ts';
import { listApiTokens } from '../../src/db/api-tokens.ts';
import { cliSetup } from '../support/cli-setup.ts';
import type { TestDb } from '../support/db.ts';
import { freePort, inProcess, until } from '../support/in-process.ts';
import { spawnTagcast, tagcast } from '../support/process.ts';
import { signalLines } from '../support/summary-files.ts';

describe.sequential(`the CLI through the API on ${process.env.TAGCAST_TEST_DB}`, () => {
  const setup = cliSetup('api-cli', { LOG_LEVEL: 'warn', SECRET: 'api-cli-test-secret-0123456789abcdef' });
  let t: TestDb;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    ({ t, dir, env } = setup);
  });

  it.skipIf(process.env.TAGCAST_TEST_DB !== 'pglite')(
    'runs editor commands through the API of `tagcast serve` while it owns the embedded database',
    async () => {
      const port = await freePort();
      const serverEnv = { ...env, PORT: String(port) };
      const apiFile = path.join(t.env.DATA_DIR!, API_FILE);
      let server: ChildProcess | undefined = spawnTagcast(['serve'], serverEnv);
      let serverErr = '';
      server.stderr!.on('data', (d) => (serverErr += d));
      const exited = new Promise<number | null>((resolve) => server!.on('exit', (code) => resolve(code)));
      try {
        await until('api.json', () => existsSync(apiFile) && readFileSync(apiFile, 'utf8').endsWith('\n'), 90_000);
        expect(statSync(apiFile).mode & 0o777).toBe(0o600);
        const published = JSON.parse(readFileSync(apiFile, 'utf8')) as { url: string; token: string };
        expect(published.url).toBe(`http://127.0.0.1:${port}`);

        // Another process: the database is owned, so the command goes through the API.
        const created = await tagcast(['issue', 'create', '--week', '2026-W48', '--engine', 'mjml'], env);
        expect(created.stderr).toBe('');
        expect(created.code).toBe(0);
        expect(created.stdout).toMatch(/^created issue (\d+) for 2026-W48 \(mjml, draft\)\n$/);
        const id = /issue (\d+)/.exec(created.stdout)![1]!;

        // The same entry point in this process (which cannot open the database either).
        const list = await inProcess(['issue', 'list'], env);
        expect(list.stdout).toBe(`${id}\t2026-W48\tmjml\tdraft\t(per-reader subject)\n`);
        const status = await inProcess(['issue', 'status', id], env);
        expect(status.stdout).toContain(`issue ${id} · week 2026-W48 · engine mjml · draft`);
        // Nothing written yet: no outbox folder named (issue 20).
        expect(status.stdout).not.toContain('outbox:');
        const cancel = await inProcess(['issue', 'cancel', id], env);
        expect(cancel.stdout).toBe(`issue ${id} cancelled\n`);
        const again = await inProcess(['issue', 'cancel', id], env);
        expect(again).toMatchObject({ code: 1, stderr: `tagcast: issue ${id} is cancelled; it can no longer be cancelled\n` });
        expect((await inProcess(['issue', 'status', '999'], env))).toMatchObject({ code: 1, stderr: 'tagcast: issue 999 does not exist\n' });

        // One issue per week through the API too: the same line as the local command; --again with it.
        const week = await inProcess(['issue', 'create', '--week', '2026-W48'], env);
        const held = /created issue (\d+)/.exec(week.stdout)![1]!;
        expect(await inProcess(['issue', 'create', '--week', '2026-W48'], env)).toMatchObject({
          code: 1,
          stderr: `tagcast: week 2026-W48 already has issue ${held} (draft); send that one (tagcast issue send ${held}), or cancel it first (tagcast issue cancel ${held})\n`,
        });
        expect((await inProcess(['issue', 'create', '--week', '2026-W48', '--again'], env)).code).toBe(2);
        const early = await inProcess(['issue', 'create', '--week', '2026-W48', '--again', '--reason', 'too early'], env);
        expect(early.code).toBe(1);
        expect(early.stderr).toContain('not sent yet: sending again is only for a week already sent');
        expect((await inProcess(['issue', 'cancel', held], env)).code).toBe(0);

        const added = await inProcess(['subscribers', 'add', 'Ada@Example.com', '--tags', 'Rust,AI'], env);
        expect(added.stdout).toBe('added ada@example.com (tags: Rust, AI)\n');
        const subs = await inProcess(['subscribers', 'list'], env);
        expect(subs.stdout).toMatch(/^\d+\tada@example\.com\tactive\t[^\t]*\tAI, Rust\n1 subscribers\n$/);

        const content = path.join(dir, 'content', '2026-W48');
        mkdirSync(content, { recursive: true });
        writeFileSync(path.join(content, 'good.txt'), `${signalLines().join('\n')}\n`);
        writeFileSync(path.join(content, 'bad.txt'), 'Good\nThe Signal\nS\n');
        const imported = await inProcess(['import', path.join(dir, 'content')], env);
        expect(imported.code).toBe(1);
        expect(imported.stdout).toBe('imported 1 of 2 files: 1 new, 0 updated, 0 unchanged; 1 failed\n');
        expect(imported.stderr).toMatch(/2026-W48\/bad\.txt:1: expected the first line to be "Tag: NAME" \(the primary tag\)\n$/);

        // A test send beside the running server goes through its API, with its provider (issue 17).
        const draft = /created issue (\d+)/.exec((await inProcess(['issue', 'create', '--week', '2026-W48'], env)).stdout)![1]!;
        const tested = await inProcess(['issue', 'test', draft, '--to', 'editor@example.test'], env);
        expect(tested.stderr).toBe('');
        expect(tested.stdout).toMatch(new RegExp(`^sent a test of issue ${draft} to editor@example\\.test( · id \\S+)?( \\(outbox: .*/test-${draft}\\))?\n$`));
        expect(await inProcess(['issue', 'test', draft, '--to', 'editor@example.test', '--as', 'nobody@example.test'], env)).toMatchObject({
          code: 1,
          stderr: 'tagcast: there is no subscriber nobody@example.test\n',
        });
        expect((await inProcess(['issue', 'cancel', draft], env)).code).toBe(0);

        const set = await inProcess(['schedule', 'set', '--weekday', 'monday', '--time', '09:00', '--tz', 'Europe/Berlin'], env);
        expect(set.stderr).toBe('');
        expect(set.stdout).toMatch(/^weekly: every Monday at 09:00 Europe\/Berlin, with the week's summaries\n  engine: +TEMPLATE_ENGINE\n  next run: \S+Z\n$/);
        expect((await inProcess(['schedule', 'show'], env)).stdout).toBe(set.stdout);
        expect(await inProcess(['schedule', 'set', '--weekday', 'mon', '--time', '25:00'], env)).toMatchObject({ code: 2, stderr: 'tagcast: time must be HH:MM, 00:00 to 23:59\n' });
        expect((await inProcess(['schedule', 'clear'], env)).stdout).toBe('weekly schedule cleared\n');

        // A command the API does not run keeps its one line, which now says where editor commands go.
        const tokens = await inProcess(['tokens', 'list'], env);
        expect(tokens.code).toBe(1);
        expect(tokens.stderr).toMatch(/^tagcast: the embedded database in .* is in use by another tagcast process \(pid \d+\)\..* \(tagcast start owns it; editor commands go through its API\)\n$/);
      } finally {
        server.kill('SIGTERM');
      }
      expect(await exited, serverErr).toBe(0);
      server = undefined;
      // A clean shutdown takes the file away and revokes the server's own token.
      expect(existsSync(apiFile)).toBe(false);
      const db = await t.reopen();
      try {
        const local = (await listApiTokens(db)).filter((x) => x.name === LOCAL_TOKEN_NAME);
        expect(local).toHaveLength(1);
        expect(local[0]!.revokedAt).toBeInstanceOf(Date);
      } finally {
        await t.release();
      }
    },
    // A server's start and every command's own start take long on a busy machine.
    300_000,
  );
});
