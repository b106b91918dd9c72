// The tagcast binary as a user runs it: exit codes, one line per problem, no stack traces.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { tagcast } from '../support/process.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';

describe.sequential(`tagcast CLI on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let dir: string;
  let env: Record<string, string>;
  const prefix = testPrefix();
  beforeAll(async () => {
    t = await createTestDb();
    await t.release(); // the child processes own the database from here
    dir = mkdtempSync(path.join(tmpdir(), 'tagcast-cli-'));
    env = { ...t.env, REDIS_URL, QUEUE_PREFIX: prefix, OUTBOX_DIR: path.join(dir, 'outbox'), PUBLIC_URL: 'https://news.example.test' };
  });
  afterAll(async () => {
    await t?.drop();
    await deleteKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops on bad configuration with one line per problem and exit code 2', async () => {
    const r = await tagcast(['issue', 'list'], { ...env, PORT: 'eighty', TEMPLATE_ENGINE: 'jinja', RESEND_RATE_LIMIT: '-1', SECRET: 'short' });
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
    const ok = await tagcast(['subscribers', 'add', 'Zoe@Example.com', '--tags', 'AI,Rust', '--tz', 'Europe/Paris', '--name', 'Zoë'], env);
    expect(ok.stdout.trim()).toBe('added zoe@example.com (tags: AI, Rust)');
    const list = await tagcast(['subscribers', 'list'], env);
    expect(list.stdout).toContain('zoe@example.com\tactive\tEurope/Paris\tAI, Rust');
    const out = path.join(dir, 'subs.csv');
    expect((await tagcast(['subscribers', 'export', out], env)).code).toBe(0);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'email,tags\nnope,AI\nok@example.com,AI\n');
    const imp = await tagcast(['subscribers', 'import', bad], env);
    expect(imp.code).toBe(1);
    expect(imp.stderr.trim()).toBe(`${bad}:2: "nope" is not an email address`);
  });

  it('creates an issue, sends it with --wait, and writes one .eml and .html per reader', async () => {
    const created = await tagcast(['issue', 'create', '--week', '2026-W48', '--engine', 'mjml'], env);
    expect(created.code).toBe(0);
    const id = /created issue (\d+)/.exec(created.stdout)![1]!;
    const sent = await tagcast(['issue', 'send', id, '--wait'], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain(`issue ${id} · week 2026-W48 · engine mjml · sent`);
    expect(sent.stdout).toMatch(/readers sent: +2/);
    expect(readdirSync(path.join(dir, 'outbox', id)).sort()).toEqual(['ok@example.com.eml', 'ok@example.com.html', 'zoe@example.com.eml', 'zoe@example.com.html']);
    const again = await tagcast(['issue', 'send', id], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`tagcast: issue ${id} is already sent; it can no longer be rescheduled`);
  });

  it('rejects bad arguments with exit 2 and a reason', async () => {
    const r = await tagcast(['issue', 'create', '--week', '2026-W99'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('tagcast: --week must be an ISO week like 2026-W48, got "2026-W99"');
    const s = await tagcast(['issue', 'schedule', '1', '--at', 'tomorrow'], env);
    expect(s.code).toBe(2);
  });

  it('says clearly when Redis is not there', async () => {
    const r = await tagcast(['issue', 'resume', '1'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tagcast: Redis is not answering at redis:\/\/127\.0\.0\.1:1 .*redis-server/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
