// `npm run digest` itself, as the Quick start runs it, twice on a fresh embedded database: the first
// run imports content/, adds the demo readers and sends the week's issue through the outbox; the
// second reuses that issue and sends nothing again. The embedded database only (demo readers are
// added only there), so it runs in the PGlite project.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliSetup } from '../support/cli-setup.ts';
import type { Run } from '../support/process.ts';

function npmRunDigest(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'digest'], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.runIf(process.env.TAGCAST_TEST_DB !== 'postgres').sequential('npm run digest', () => {
  const setup = cliSetup('digest', { LOG_LEVEL: 'warn' });
  let env: Record<string, string>;
  let outbox: string;
  beforeAll(() => {
    env = setup.env;
    outbox = setup.env.OUTBOX_DIR!;
  });
  /** stderr beyond the development-secret note and the progress lines. */
  const otherStderr = (r: Run) => r.stderr.split('\n').filter((l) => l && !l.startsWith('tagcast: note: ') && !/^sending: \d+\/\d+ readers$/.test(l));
  const emls = () => readdirSync(path.join(outbox, '1')).filter((f) => f.endsWith('.eml')).sort();

  it('sends the week of content to the 8 demo readers once; a second run reuses the issue and sends nothing twice', async () => {
    const first = await npmRunDigest(env);
    expect(otherStderr(first)).toEqual([]);
    expect(first.stderr).toContain('sending: 7/7 readers\n');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`content: 29 files in ${path.resolve('content')}: 29 new, 0 updated, 0 unchanged, 0 failed\n`);
    expect(first.stdout).toContain('subscribers: none yet, so added 8 demo readers at example.com (tagcast subscribers list)\n');
    expect(first.stdout).toMatch(/^issue: created issue 1 for 2026-W\d\d \(react\)$/m);
    expect(first.stdout).toMatch(/^ {2}readers sent: {2}7$/m);
    expect(first.stdout).toMatch(/^ {2}skipped: {7}1 /m);
    expect(first.stdout).toMatch(/^ {2}failed: {8}0$/m);
    const sent = emls();
    expect(sent).toHaveLength(7);
    expect(sent.every((f) => f.endsWith('@example.com.eml'))).toBe(true);
    const written = sent.map((f) => statSync(path.join(outbox, '1', f)).mtimeMs);

    const second = await npmRunDigest(env);
    expect(otherStderr(second)).toEqual([]);
    expect(second.stderr).not.toContain('sending:');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('29 unchanged, 0 failed\n');
    expect(second.stdout).not.toContain('demo readers');
    expect(second.stdout).toMatch(/^issue: using issue 1 for 2026-W\d\d \(sent\)$/m);
    expect(second.stdout).toContain('issue 1 was already sent; nothing sent again\n');
    expect(second.stdout).toMatch(/^ {2}readers sent: {2}7$/m);
    expect(emls()).toEqual(sent);
    expect(sent.map((f) => statSync(path.join(outbox, '1', f)).mtimeMs)).toEqual(written);
  });
});
