// The development-secret note is said once per data folder: the first command that signs links in a
// folder says it and leaves a marker; every later process with that folder is quiet.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

/** noteDevelopmentSecret as a fresh process has it (its once-per-process flag unset). */
async function freshNote() {
  vi.resetModules();
  return (await import('../../src/cli/context.ts')).noteDevelopmentSecret;
}

function said(note: Awaited<ReturnType<typeof freshNote>>, dataDir: string, secretDefaulted = true): string {
  let out = '';
  note({ secretDefaulted, logLevel: 'info', dataDir }, { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream);
  return out;
}

describe('the development-secret note', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-note-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is said by the first process in a data folder, and by no later one', async () => {
    const data = path.join(dir, 'data');
    expect(said(await freshNote(), data)).toMatch(/^tagcast: note: reader links are signed with the public development secret .* Said once for this data folder\.\n$/);
    expect(existsSync(path.join(data, 'development-secret-noted'))).toBe(true);
    expect(said(await freshNote(), data)).toBe('');
    // Another data folder is told again; a real SECRET is never noted.
    expect(said(await freshNote(), path.join(dir, 'other'))).not.toBe('');
    expect(said(await freshNote(), path.join(dir, 'third'), false)).toBe('');
  });
});
