// The tagcast binary in a child process, as a user or an operator runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnTagcast(args: string[], env: Record<string, string>, cwd = process.cwd()): ChildProcess {
  return spawn(process.execPath, [path.resolve('bin/tagcast.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function tagcast(args: string[], env: Record<string, string>, cwd = process.cwd()): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawnTagcast(args, env, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
