// `npm run digest` itself, as the Quick start runs it, twice on a fresh embedded database: the first
// run imports content/, adds the demo readers and sends the week's issue through the outbox; the
// second reuses that issue and sends nothing again. The embedded database only (demo readers are
// added only there), so it runs in the PGlite project.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueName } from '../../src/digest/week.ts';
import { cliSetup } from '../support/cli-setup.ts';
import type { Run } from '../support/process.ts';

/** `npm run digest` with its output on pipes; `tty`: on a pseudo-terminal (script(1)), stdout and stderr both. */
function npmRunDigest(env: Record<string, string>, tty = false): Promise<Run> {
  return new Promise((resolve) => {
    const command: [string, string[]] = tty ? ['script', ['-qec', 'npm run --silent digest', '/dev/null']] : ['npm', ['run', '--silent', 'digest']];
    const child = spawn(command[0], command[1], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const emls = () => readdirSync(path.join(outbox, '1')).filter((f) => f.endsWith('.eml')).sort();

  it('sends the week of content to the 8 demo readers once; a second run reuses the issue and sends nothing twice', async () => {
    const first = await npmRunDigest(env);
    // On a pipe: whole lines, no bar; the note once, what was sent, who was skipped and why, what is next.
    expect(first.stderr).toBe(
      [
        'tagcast: note: reader links are signed with the public development secret (fine for the outbox on localhost; set SECRET before sending real mail). Said once for this data folder.',
        'sending issue 1 to 7 readers…',
        '  sent: 7 of 7 written to the outbox',
        '',
      ].join('\n'),
    );
    expect(first.code).toBe(0);
    expect(placeholders(first.stdout, first.stdout).replaceAll(outbox, '<outbox>').replaceAll(path.resolve('content'), '<content>')).toBe(FIRST_RUN);
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
    expect(second.stderr).toBe(''); // the note was said for this data folder; nothing sent

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

/** The issue's name (of the week `created issue 1 for 2026-Wnn` names in `whole`) as NAME, and every week as WEEK. */
function placeholders(out: string, whole: string): string {
  const week = /created issue 1 for (2026-W\d\d)/.exec(whole)![1]!;
  return out.replaceAll(issueName(week), 'NAME').replace(/2026-W\d\d/g, 'WEEK');
}

/** The first run's standard output on a fresh embedded database, with the week and the folders named. */
const FIRST_RUN = `content: 29 files in <content>: 29 new, 0 updated, 0 unchanged, 0 failed
subscribers: none yet, so added 8 demo readers at example.com (tagcast subscribers list)
week: WEEK has no summaries; using the latest week with content, WEEK
issue: created issue 1 for WEEK (react)

issue 1 · NAME · engine react · sent
  readers sent:  7
  skipped:       1 (edsger@example.com: none of their tags has content in the issue's week)
  failed:        0
  reported:      none: the outbox writes files, so no delivery, open or click events come back (Resend reports them)
  readers per tag: AI 3 · Security 3 · Careers 2 · Databases 2 · Distributed Systems 2 · Kubernetes 2 · Observability 2 · Platform Engineering 2 · Rust 2 · Frontend 1
  outbox:        <outbox>/1

next:
  read the emails:   open <outbox>/1/ and any .html file in a browser (.eml: the whole message)
  open the site:     npm start, then http://localhost:3000/subscribe (readers) and http://localhost:3000/admin (editors)
                     /admin needs ADMIN_PASSWORD (12 characters or more) in .env first
  next week:         npm run digest again, or let npm start send it: tagcast schedule set --help
`;

describe.runIf(process.env.TAGCAST_TEST_DB !== 'postgres').sequential('npm run digest on a terminal', () => {
  const setup = cliSetup('digest-tty', { LOG_LEVEL: 'warn' });

  it('draws a bar that redraws in place, and prints the same report and next steps', async () => {
    const run = await npmRunDigest(setup.env, true);
    expect(run.code, run.stdout).toBe(0);
    // A terminal turns each "\n" into "\r\n"; the bar redraws its line with escape codes.
    const screen = run.stdout.replaceAll('\r\n', '\n');
    expect(screen).toMatch(/\x1b\[1Gsending issue 1 {2}\[=+\] 7 of 7 readers/);
    expect(screen).not.toContain('sending issue 1 to 7 readers…'); // the pipe's lines are not drawn as well
    const after = screen.slice(screen.lastIndexOf('\x1b8') + 2).replace(/^\n/, '');
    expect(placeholders(after, screen).replaceAll(setup.env.OUTBOX_DIR!, '<outbox>')).toBe(`\n${FIRST_RUN.slice(FIRST_RUN.indexOf('issue 1 ·'))}`);
  });
});
