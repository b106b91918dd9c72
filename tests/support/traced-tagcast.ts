// `node [flags] bin/tagcast.js ARGS…` with a V8 trace on stdout: each whole stdout line to onLine.
import { spawn } from 'node:child_process';
import path from 'node:path';

export function tracedTagcast(flags: string[], args: string[], env: Record<string, string>, onLine: (line: string) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, path.resolve('bin/tagcast.js'), ...args], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let rest = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const lines = (rest + String(d)).split('\n');
      rest = lines.pop()!;
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
