// tagcast sizes V8's young generation itself: `tagcast digest` started plainly, as every documented way
// starts it (no V8 flag), holds its young generation at 1 MB while it imports, renders and sends at the
// default rate, where V8's default lets it double towards 16 MB; a young-generation flag the operator
// names is left as they chose it. Read from V8's own trace (--trace-gc-verbose, which is not a
// young-generation flag): "New space, … committed: N KB" is both semi-spaces. PGlite only: `digest`
// adds demo readers there, so it has mail to send.
import { describe, expect, it } from 'vitest';
import { cliSetup, type CliSetup } from '../support/cli-setup.ts';
import { tracedTagcast } from '../support/traced-tagcast.ts';
import { youngGenerationChosen } from '../../src/lib/young-generation.ts';

/** `node [flags] bin/tagcast.js digest` with V8's GC trace on stdout; the largest new space per isolate, in KB. */
async function digestNewSpace(setup: CliSetup, flags: string[]): Promise<{ code: number | null; committedKb: number[]; stderr: string }> {
  const perIsolate = new Map<string, number>();
  const r = await tracedTagcast(['--trace-gc-verbose', ...flags], ['digest', '--week', '2026-W48'], setup.env, (l) => {
    const m = /^\[\d+:(0x[0-9a-f]+)\] New space,\s+used:.*committed:\s+(\d+) KB/.exec(l);
    if (m) perIsolate.set(m[1]!, Math.max(perIsolate.get(m[1]!) ?? 0, Number(m[2])));
  });
  return { ...r, committedKb: [...perIsolate.values()] };
}

describe('whose young generation', () => {
  it('is the operator\'s when node\'s command line or NODE_OPTIONS names a young-generation flag', () => {
    expect(youngGenerationChosen([], undefined)).toBe(false);
    expect(youngGenerationChosen(['--trace-gc', '--optimize-for-size'], '--max-old-space-size=512')).toBe(false);
    expect(youngGenerationChosen(['--max-semi-space-size=64'], undefined)).toBe(true);
    expect(youngGenerationChosen([], '--enable-source-maps --max_semi_space_size=1')).toBe(true);
    expect(youngGenerationChosen(['--semi-space-growth-factor=2'], '')).toBe(true);
    expect(youngGenerationChosen(['--min-semi-space-size=8'], '')).toBe(true);
  });
});

describe.runIf(process.env.TAGCAST_TEST_DB !== 'postgres')('tagcast digest started without a V8 flag', () => {
  const plain = cliSetup('young-plain', { LOG_LEVEL: 'warn' });
  const operator = cliSetup('young-operator', { LOG_LEVEL: 'warn' });

  it('holds its young generation at 1 MB semi-spaces while it sends', async () => {
    const r = await digestNewSpace(plain, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.committedKb.length).toBeGreaterThan(0);
    // tsx's loader thread (sources newer than dist/) resets V8's flags once, before the worker sets them
    // again: one doubling, to 2 MB semi-spaces, at most.
    expect(Math.max(...r.committedKb)).toBeLessThanOrEqual(4096);
  });

  it("leaves an operator's own young-generation flag alone: V8's growth then goes past 1 MB", async () => {
    const r = await digestNewSpace(operator, ['--semi-space-growth-factor=2']);
    expect(r.code, r.stderr).toBe(0);
    expect(Math.max(...r.committedKb)).toBeGreaterThan(4096);
  });
});
