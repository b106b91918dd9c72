// The tagcast binary as a user runs it: exit codes, one line per problem, no stack traces. One command
// of each family runs the binary itself (import, subscribers add, issue send --wait twice, and a
// database that never answers); the others run in this process through main(), the entry point the
// binary calls, as a child process costs seconds to start on a busy machine.
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { reportError } from '../../src/cli/main.ts';
import { cliSetup } from '../support/cli-setup.ts';
import type { TestDb } from '../support/db.ts';
import { adminUrl, REDIS_URL } from '../support/env.ts';
import { inProcess } from '../support/in-process.ts';
import { spawnTagcast, tagcast } from '../support/process.ts';

/**
 * Checks of configuration, arguments and connections, which stop before any database work: the same on
 * either database, so they run once (in the PGlite project), and the PostgreSQL project spends its
 * time on what differs.
 */
const onceIt = it.runIf(process.env.TAGCAST_TEST_DB !== 'postgres');

describe.sequential(`tagcast CLI on ${process.env.TAGCAST_TEST_DB}`, () => {
  // A public PUBLIC_URL needs a SECRET of its own (the development one is refused there).
  const setup = cliSetup('cli', { PUBLIC_URL: 'https://news.example.test', SECRET: 'cli-test-secret-0123456789abcdef0123', METRICS_TOKEN: 'cli-test-metrics-token-0123456789' });
  let t: TestDb;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    ({ t, dir, env } = setup);
  });

  onceIt('stops on bad configuration with one line per problem and exit code 2', async () => {
    const r = await inProcess(['issue', 'list'], { ...env, PORT: 'eighty', TEMPLATE_ENGINE: 'jinja', RESEND_RATE_LIMIT: '-1', SECRET: 'short' });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.split(':')[1]!.trim()).sort()).toEqual(['PORT', 'RESEND_RATE_LIMIT', 'SECRET', 'TEMPLATE_ENGINE']);
    expect(r.stderr).not.toContain('short'); // secrets are never echoed
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('imports files, reports the bad one as FILE:LINE and exits 1', async () => {
    const content = path.join(dir, 'content', '2026-W48');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(content, { recursive: true });
    writeFileSync(path.join(content, 'good.txt'), 'Tag: AI\nGood\nThe Signal\nS\nThe Case\n- c\nThe 1 Minute Signal Take\nT\nTime saved: 5 min\nTags\nTag: AI\n');
    writeFileSync(path.join(content, 'bad.txt'), 'Good\nThe Signal\nS\n');
    const r = await tagcast(['import', path.join(dir, 'content')], env, dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('content/2026-W48/bad.txt:1: expected the first line to be "Tag: NAME" (the primary tag)');
    expect(r.stdout).toMatch(/imported 1 of 2 files: 1 new/);
  });

  it('adds, lists and exports subscribers; rejects a bad address with exit 2', async () => {
    expect((await tagcast(['subscribers', 'add', 'Zoë@Example.com', '--tags', 'AI,Rust', '--tz', 'Europe/Paris'], env)).code).toBe(2);
    const ok = await inProcess(['subscribers', 'add', 'Zoe@Example.com', '--tags', 'AI,Rust', '--tz', 'Europe/Paris', '--name', 'Zoë', '--create-tags'], env);
    expect(ok.stdout.trim()).toBe('added zoe@example.com (tags: AI, Rust)');
    // A typo is not a new public tag: refused, naming the known ones (this process opened the database itself).
    const typo = await inProcess(['subscribers', 'add', 'max@example.com', '--tags', 'Rsut'], env);
    expect(typo).toMatchObject({ code: 2, stdout: '', stderr: 'tagcast: unknown tag "Rsut"; known tags: ai, rust (to follow a new tag, ask to create it)\n' });
    const list = await inProcess(['subscribers', 'list', '--status', 'active'], env);
    expect(list.stdout).toMatch(/^id\temail\tstatus\ttime_zone\tpaused_until\ttags\n/);
    expect(list.stdout).toContain('zoe@example.com\tactive\tEurope/Paris\t-\tAI, Rust');
    expect(list.stdout).not.toContain('max@example.com');
    const out = path.join(dir, 'subs.csv');
    expect((await inProcess(['subscribers', 'export', out], env)).code).toBe(0);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'email,tags\nnope,AI\nok@example.com,AI\n');
    const imp = await inProcess(['subscribers', 'import', bad], env);
    expect(imp.code).toBe(1);
    expect(imp.stderr.trim()).toBe(`${bad}:2: "nope" is not an email address`);
  });

  it('creates an issue, sends it with --wait, and writes one .eml and .html per reader', async () => {
    const created = await inProcess(['issue', 'create', '--week', '2026-W48', '--engine', 'mjml'], env);
    expect(created.code).toBe(0);
    const id = /created issue (\d+)/.exec(created.stdout)![1]!;
    const sent = await tagcast(['issue', 'send', id, '--wait'], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain(`issue ${id} · Week 48 · 23–29 Nov 2026 · engine mjml · sent`);
    expect(sent.stdout).toMatch(/readers sent: +2/);
    expect(readdirSync(path.join(dir, 'outbox', id)).sort()).toEqual(['ok@example.com.eml', 'ok@example.com.html', 'zoe@example.com.eml', 'zoe@example.com.html']);
    const again = await inProcess(['issue', 'send', id], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`tagcast: issue ${id} is sent; it can no longer be sent`);
  });

  onceIt('rejects bad arguments with exit 2 and a reason', async () => {
    const r = await inProcess(['issue', 'create', '--week', '2026-W99'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('tagcast: --week must be an ISO week like 2026-W48, got "2026-W99"');
    const s = await inProcess(['issue', 'schedule', '1', '--at', 'tomorrow'], env);
    expect(s.code).toBe(2);
  });

  onceIt('says clearly when Redis is not there', async () => {
    const r = await inProcess(['issue', 'resume', '1'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tagcast: Redis is not answering at redis:\/\/127\.0\.0\.1:1 .*redis-server/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  /** Everything but SECRET: the run the brief's first-run promise is about. */
  const withoutSecret = (extra: Record<string, string>) => {
    const { SECRET: _unused, ...rest } = env;
    return { ...rest, ...extra };
  };
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at |\bat .*\.(ts|js):\d+/);

  onceIt('refuses a real provider without SECRET: one line, exit 2', async () => {
    const r = await inProcess(['issue', 'list'], { ...withoutSecret({ PUBLIC_URL: 'http://localhost:3000', EMAIL_PROVIDER: 'resend', RESEND_API_KEY: 're_cli_test' }), SECRET: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^config: SECRET: is required when EMAIL_PROVIDER=resend: .*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  onceIt('refuses a public PUBLIC_URL without SECRET: one line, exit 2', async () => {
    const r = await inProcess(['subscribers', 'list'], { ...withoutSecret({ PUBLIC_URL: 'https://news.example.com' }), SECRET: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^config: SECRET: is required when PUBLIC_URL \(https:\/\/news\.example\.com\) is not a loopback address: .*\n$/);
  });

  it('sends through the outbox on localhost without SECRET, saying it used the development secret', async () => {
    const local = withoutSecret({ PUBLIC_URL: 'http://localhost:3000' });
    // Week 48 was sent above: this run sends it again, on purpose.
    const created = await inProcess(['issue', 'create', '--week', '2026-W48', '--again', '--reason', 'sent again without SECRET'], local);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toBe(''); // a command that signs nothing says nothing about the secret
    const id = /created issue (\d+)/.exec(created.stdout)![1]!;
    const sent = await tagcast(['issue', 'send', id, '--wait'], local);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/readers sent: +2/);
    expect(sent.stderr.match(/development secret/g)).toHaveLength(1);
    expect(sent.stderr).toContain('tagcast: note: reader links are signed with the public development secret');
    // Said once for the data folder: a later command that signs links does not repeat it.
    const later = await inProcess(['preview', '--week', '2026-W48', '--subscriber', 'nobody@example.com'], local);
    expect(later.stderr).not.toContain('development secret');
  });

  onceIt('refuses a malformed DATABASE_URL in one line, exit 2, without the credentials', async () => {
    const r = await inProcess(['issue', 'list'], { ...env, DATABASE_URL: 'postgres://u:hunter2@host:notaport/db' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^config: DATABASE_URL: is not a valid URL; expected postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE.*\n$/);
    expect(r.stderr).not.toContain('hunter2');
  });

  it.runIf(process.env.TAGCAST_TEST_DB === 'postgres')('names a missing role in one line, exit 1, no stack trace', async () => {
    const u = new URL(adminUrl());
    u.username = 'nosuchrole';
    u.password = '';
    const r = await inProcess(['issue', 'list'], { ...env, DATABASE_URL: u.toString() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tagcast: cannot connect to PostgreSQL at postgres://***@${u.host}${u.pathname}: role "nosuchrole" does not exist. Check DATABASE_URL.\n`);
    noStack(r.stderr);
  });

  onceIt('says when nothing listens on the database port: one line, exit 1', async () => {
    const r = await inProcess(['issue', 'list'], { ...env, DATABASE_URL: 'postgres://tagcast:hunter2@127.0.0.1:1/tagcast' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tagcast: cannot connect to PostgreSQL at postgres://***@127.0.0.1:1/tagcast: connection refused (is PostgreSQL running, and listening on that host and port?). Check DATABASE_URL.\n');
  });

  onceIt('gives up on a server that never answers, after connect_timeout', async () => {
    // A black hole: accepts the connection, never speaks. Without a timeout the command would hang.
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const child = spawnTagcast(['issue', 'list'], { ...env, DATABASE_URL: `postgres://tagcast@127.0.0.1:${port}/tagcast?connect_timeout=1` });
    // Should the timeout ever break, this test times out; the hung child must not outlive it.
    onTestFinished(async () => {
      child.kill('SIGKILL');
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(`tagcast: cannot connect to PostgreSQL at postgres://***@127.0.0.1:${port}/tagcast: no answer within 1 s. Check DATABASE_URL.\n`);
  });
});

describe('reportError, the last resort', () => {
  const report = (e: unknown, logLevel?: string) => {
    const before = process.env.LOG_LEVEL;
    if (logLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = logLevel;
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      return { code: reportError(e), stderr: lines.join('') };
    } finally {
      spy.mockRestore();
      if (before === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = before;
    }
  };

  it('prints an unforeseen error as one line, exit 1', () => {
    const r = report(new TypeError('Cannot read properties of undefined (reading "id")\nsecond line'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tagcast: unexpected error: Cannot read properties of undefined (reading "id") second line (LOG_LEVEL=debug shows where)\n');
  });

  it('prints the stack trace with LOG_LEVEL=debug', () => {
    const r = report(new Error('boom'), 'debug');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tagcast: Error: boom\n\s+at /);
  });
});
