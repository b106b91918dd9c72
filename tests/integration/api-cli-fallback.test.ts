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
import { eventually } from '../support/eventually.ts';
import { freePort, inProcess } from '../support/in-process.ts';
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
        // A first start creates the PGlite data directory: seconds alone, much longer on a busy machine.
        await eventually(() => existsSync(apiFile) && readFileSync(apiFile, 'utf8').endsWith('\n'), {
          what: `tagcast serve to write ${API_FILE}`,
          stopIf: () => server?.exitCode != null && `serve exited with code ${server.exitCode}: ${serverErr}`,
        });
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
        expect(list.stdout).toBe(`${id}\t2026-W48\tWeek 48 · 23–29 Nov 2026\tmjml\tdraft\t(per-reader subject)\n`);
        const status = await inProcess(['issue', 'status', id], env);
        expect(status.stdout).toContain(`issue ${id} · Week 48 · 23–29 Nov 2026 · engine mjml · draft`);
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

        const typo = await inProcess(['subscribers', 'add', 'Ada@Example.com', '--tags', 'Rust,AI'], env);
        expect(typo).toMatchObject({ code: 2, stdout: '', stderr: 'tagcast: unknown tags "Rust", "AI"; there are no tags yet (to follow a new tag, ask to create it)\n' });
        const added = await inProcess(['subscribers', 'add', 'Ada@Example.com', '--tags', 'Rust,AI', '--create-tags'], env);
        expect(added.stdout).toBe('added ada@example.com (tags: Rust, AI)\n');
        const subs = await inProcess(['subscribers', 'list'], env);
        // A header row, and "-" for what is not set (the old remote command printed "null").
        expect(subs.stdout).toMatch(/^id\temail\tstatus\ttime_zone\tpaused_until\ttags\n\d+\tada@example\.com\tactive\t-\t-\tAI, Rust\n1 subscriber\n$/);
        const ada = /\n(\d+)\tada/.exec(subs.stdout)![1]!;
        const shown = await inProcess(['subscribers', 'show', 'ADA@example.com'], env);
        expect(shown.stdout).toContain(`subscriber ${ada} · ada@example.com`);
        expect(shown.stdout).toContain('deliveries (0):');
        const edited = await inProcess(['subscribers', 'edit', ada, '--tz', 'Europe/Berlin'], env);
        expect(edited.stdout).toBe('updated ada@example.com (tags: AI, Rust; time zone: Europe/Berlin)\n');
        expect((await inProcess(['subscribers', 'edit', 'ada@example.com', '--tags', 'Rusty'], env))).toMatchObject({ code: 2, stderr: 'tagcast: unknown tag "Rusty"; known tags: ai, rust (to follow a new tag, ask to create it)\n' });
        expect((await inProcess(['subscribers', 'list', '--status', 'paused'], env)).stdout).toBe('id\temail\tstatus\ttime_zone\tpaused_until\ttags\n0 subscribers\n');
        expect((await inProcess(['subscribers', 'show', 'nobody@example.com'], env))).toMatchObject({ code: 1, stderr: 'tagcast: no subscriber has the address nobody@example.com\n' });
        expect((await inProcess(['subscribers', 'unsubscribe', ada], env)).stdout).toBe('unsubscribed ada@example.com\n');
        expect((await inProcess(['subscribers', 'list', '--status', 'unsubscribed'], env)).stdout).toContain('\tada@example.com\tunsubscribed\t');
        expect((await inProcess(['subscribers', 'erase', ada, '--yes'], env)).stdout).toBe(`erased subscriber ${ada} (ada@example.com)\n`);
        expect((await inProcess(['subscribers', 'add', 'ada@example.com', '--tags', 'AI'], env))).toMatchObject({
          code: 1,
          stderr: "tagcast: ada@example.com was erased at its owner's request; only they can subscribe again (on the subscribe page)\n",
        });

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

        // Tags through the API: the same lines and exit codes as the local commands (tests/integration/tags.test.ts).
        expect((await inProcess(['subscribers', 'add', 'grace@example.com', '--tags', 'Rust,AI'], env)).code).toBe(0);
        expect((await inProcess(['tags', 'list'], env)).stdout).toBe('AI\tai\t1 follower\t0 summaries\tno content\tshown\nRust\trust\t1 follower\t1 summary\tlast 2026-W48\tshown\n2 tags\n');
        expect(await inProcess(['tags', 'rename', 'ai', 'RUST'], env)).toMatchObject({
          code: 1,
          stderr: 'tagcast: the name "RUST" is taken: tag "Rust" has the slug rust; merge "AI" into it instead\n',
        });
        expect(await inProcess(['tags', 'rename', 'ai', ''], env)).toMatchObject({ code: 2, stderr: 'tagcast: a tag name needs at least one letter or digit\n' });
        expect((await inProcess(['tags', 'describe', 'Rust', 'Safe systems code.'], env)).stdout).toBe('Rust: Safe systems code.\n');
        expect((await inProcess(['tags', 'hide', 'AI'], env)).stdout).toBe('AI is hidden from new readers (1 follower keeps it)\n');
        expect((await inProcess(['tags', 'show', 'ai'], env)).stdout).toMatch(/^AI \(ai\) · hidden from new readers\n[\s\S]*  changed: +\S+Z by api:/);
        expect((await inProcess(['tags', 'merge', 'AI', 'rust'], env)).stdout).toBe(
          'merged: 0 followers and 0 summaries move from "AI" to "Rust" (1 followed both, 0 had both); "AI" is gone\n',
        );
        expect(await inProcess(['tags', 'show', 'ai'], env)).toMatchObject({ code: 1, stderr: 'tagcast: there is no tag "ai" (it became "Rust"); tagcast tags list shows them\n' });
        // Tokens and preview are editor operations: through the API, printed as the local commands print.
        const made = await inProcess(['tokens', 'create', '--name', 'ci'], env);
        expect(made.code, made.stderr).toBe(0);
        expect(made.stdout).toMatch(/^tc_[A-Za-z0-9_-]{43}\n$/);
        expect(made.stderr).toMatch(/^tagcast: token (\d+) \(ci\) created; copy it now, it is not shown again\n$/);
        const tokenId = /token (\d+)/.exec(made.stderr)![1]!;
        const listed = await inProcess(['tokens', 'list'], env);
        expect(listed.stdout).toMatch(new RegExp(`\\n${tokenId}\\tci\\tcreated \\S+\\tlast used never\\tactive\\n2 tokens\\n$`)); // the server's own and ci
        expect(await inProcess(['tokens', 'create', '--name', '@mine'], env)).toMatchObject({ code: 2, stderr: 'tagcast: token names starting with "@" are reserved for tagcast itself\n' });
        expect((await inProcess(['tokens', 'revoke', tokenId], env)).stdout).toBe(`revoked token ${tokenId} (ci)\n`);
        expect(await inProcess(['tokens', 'revoke', 'ci'], env)).toMatchObject({ code: 1, stderr: 'tagcast: no active token is named "ci"\n' });

        const preview = await inProcess(['preview', '--week', '2026-W48', '--subscriber', 'GRACE@example.com', '--text'], env);
        expect(preview.code, preview.stderr).toBe(0);
        expect(preview.stdout).toContain('A title');
        const file = path.join(dir, 'preview.html');
        const written = await inProcess(['preview', '--week', '2026-W48', '--subscriber', 'grace@example.com', '--out', file], env);
        expect(written.stderr).toMatch(/^wrote .*preview\.html \(\d+ bytes\) · subject: .+\n$/);
        expect(readFileSync(file, 'utf8')).toContain('A title');
        const none = await inProcess(['preview', '--week', '2026-W47', '--subscriber', 'grace@example.com'], env);
        expect(none.code).toBe(1);
        expect(none.stderr).toMatch(/^grace@example\.com would get no email for 2026-W47: none of their tags \(rust\) has content\n$/);
        expect(await inProcess(['preview', '--week', '2026-W48', '--subscriber', 'nobody@example.com'], env)).toMatchObject({ code: 1, stderr: 'tagcast: there is no subscriber nobody@example.com\n' });
        // The publication's settings and an issue's note, through the API the same as locally.
        const named = await inProcess(['settings', 'set', '--name', 'The Gardener', '--postal-address', '1 Row\\nLeeds'], env);
        expect(named.stderr).toBe('');
        expect(named.stdout).toContain('  name:           The Gardener\n');
        expect(named.stdout).toContain('  postal address: 1 Row / Leeds\n');
        expect((await inProcess(['settings', 'show'], env)).stdout).toBe(named.stdout);
        expect(await inProcess(['settings', 'set', '--accent', '#ffcc00'], env)).toMatchObject({
          code: 2,
          stderr: 'tagcast: the accent colour #ffcc00 has a contrast of 1.51:1 against white; text needs at least 4.5:1 (WCAG AA): choose a darker colour\n',
        });
        const noteIssue = /created issue (\d+)/.exec((await inProcess(['issue', 'create', '--week', '2026-W49'], env)).stdout)![1]!;
        expect((await inProcess(['issue', 'note', noteIssue, '--text', 'Hello **readers**'], env)).stdout).toBe(`issue ${noteIssue}: note saved (17 characters)\n`);
        expect((await inProcess(['issue', 'note', noteIssue, '--show'], env)).stdout).toBe('Hello **readers**\n');
        expect(await inProcess(['issue', 'note', '999', '--text', 'x'], env)).toMatchObject({ code: 1, stderr: 'tagcast: there is no issue 999\n' });
        expect((await inProcess(['issue', 'cancel', noteIssue], env)).code).toBe(0);

        // A command the API does not run keeps its one line, which now says where editor commands go.
        const tokens = await inProcess(['digest', '--week', '2026-W48'], env);
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
    300_000, // two processes, each opening PGlite, and a few dozen commands: minutes on a busy machine
  );
});
