// `tagcast serve` as a person starts it: on a terminal one line with the pages to open and JSON logs
// only for warnings; on a pipe (a service manager, a container log) the JSON log lines as before. On the
// development secret it listens on loopback only. PGlite only: the two servers would otherwise share
// nothing worth a second database.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/redis.ts';
import { cliSetup } from '../support/cli-setup.ts';
import { eventually } from '../support/eventually.ts';

interface Server {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

/** Starts `tagcast serve`, on a pseudo-terminal (script(1)) or on pipes, in a process group of its own. */
function serve(env: Record<string, string>, tty: boolean): Server {
  const bin = `${process.execPath} ${path.resolve('bin/tagcast.js')} serve`;
  const child = tty ? spawn('script', ['-qec', bin, '/dev/null'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(process.execPath, [path.resolve('bin/tagcast.js'), 'serve'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Server = { child, stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (s.stdout += d));
  child.stderr!.on('data', (d) => (s.stderr += d));
  return s;
}

async function until(what: string, s: Server, ok: () => boolean): Promise<void> {
  await eventually(ok, { what, every: 50, stopIf: () => s.child.exitCode !== null && `serve exited: ${s.stdout}${s.stderr}` });
}

async function stop(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.on('exit', r));
  process.kill(-s.child.pid!, 'SIGTERM');
  await exited;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

describe.runIf(process.env.TAGCAST_TEST_DB !== 'postgres').sequential('tagcast serve at a terminal and on a pipe', () => {
  const setup = cliSetup('serve-tty', {});
  const base = () => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', ...setup.env });

  it('prints one line with the pages to open on a terminal, and listens on loopback only on the development secret', async () => {
    const port = await freePort();
    const s = serve({ ...base(), PORT: String(port) }, true);
    try {
      await until('the listening line', s, () => s.stdout.includes('Ctrl-C stops.'));
      const screen = s.stdout.replaceAll('\r\n', '\n');
      expect(screen).toBe(
        [
          'tagcast: note: reader links are signed with the public development secret (fine for the outbox on localhost; set SECRET before sending real mail). Said once for this data folder.',
          `tagcast is running (web server): open http://localhost:3000/subscribe to subscribe and http://localhost:3000/admin (set ADMIN_PASSWORD in .env first: 12 characters or more) to edit; listening on 127.0.0.1:${port} only, as links use the development secret (HOST changes it); Ctrl-C stops.`,
          '',
        ].join('\n'),
      );
      expect(await accepts('127.0.0.1', port)).toBe(true);
      // Another address of this machine, when it has one, is refused.
      const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
      if (outside) expect(await accepts(outside.address, port)).toBe(false);
    } finally {
      await stop(s);
    }
  });

  it('keeps JSON log lines on a pipe and prints no listening line there; listens where HOST says', async () => {
    const port = await freePort();
    const s = serve({ ...base(), PORT: String(port), HOST: '0.0.0.0', ADMIN_PASSWORD: 'serve-tty-password-123' }, false);
    try {
      await until('the listening log', s, () => /Server listening/.test(s.stderr));
      expect(s.stdout).toBe('');
      const lines = s.stderr.trim().split('\n');
      for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
      expect(lines.map((l) => JSON.parse(l) as { msg: string }).some((l) => l.msg.startsWith('Server listening at'))).toBe(true);
      expect(await accepts('127.0.0.1', port)).toBe(true);
    } finally {
      await stop(s);
    }
  });
});
