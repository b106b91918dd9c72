// tagcast compiles WebAssembly on V8's baseline tier (Liftoff) only: PGlite's hot functions are not
// recompiled by TurboFan on background threads, whose compilations leave tens of MB in malloc's arenas
// (src/lib/wasm-tier.ts). Read from V8's own trace (--trace-wasm-compilation-times, which names no tier):
// a line per compiled function, "Compiled function <module>#<index> using Liftoff|TurboFan". PGlite's
// module is the one with the most functions (tsx's loader has small WebAssembly modules of its own,
// compiled before tagcast sets the tier). PGlite only: on PostgreSQL no command compiles it.
import { describe, expect, it } from 'vitest';
import { cliSetup, type CliSetup } from '../support/cli-setup.ts';
import { tracedTagcast } from '../support/traced-tagcast.ts';
import { wasmTierChosen } from '../../src/lib/wasm-tier.ts';

/** `node [flags] bin/tagcast.js summaries list` traced: how PGlite's module's functions were compiled. */
async function pgliteCompiles(setup: CliSetup, flags: string[]): Promise<{ code: number | null; liftoff: number; turbofan: number; stderr: string }> {
  const perModule = new Map<string, { liftoff: number; turbofan: number }>();
  const r = await tracedTagcast(['--trace-wasm-compilation-times', ...flags], ['summaries', 'list'], setup.env, (l) => {
    const m = /^Compiled function (0x[0-9a-f]+)#\d+ using (Liftoff|TurboFan)/.exec(l);
    if (!m) return;
    const n = perModule.get(m[1]!) ?? { liftoff: 0, turbofan: 0 };
    if (m[2] === 'Liftoff') n.liftoff++;
    else n.turbofan++;
    perModule.set(m[1]!, n);
  });
  const pglite = [...perModule.values()].sort((a, b) => b.liftoff + b.turbofan - (a.liftoff + a.turbofan))[0] ?? { liftoff: 0, turbofan: 0 };
  return { ...r, ...pglite };
}

describe('whose WebAssembly tier', () => {
  it("is the operator's when node's command line or NODE_OPTIONS names a tier flag", () => {
    expect(wasmTierChosen([], undefined)).toBe(false);
    expect(wasmTierChosen(['--trace-wasm-compilation-times', '--optimize-for-size'], '--max-old-space-size=512 --liftoffx')).toBe(false);
    expect(wasmTierChosen(['--liftoff-only'], undefined)).toBe(true);
    expect(wasmTierChosen(['--no-liftoff-only'], undefined)).toBe(true);
    expect(wasmTierChosen([], '--enable-source-maps --no-liftoff')).toBe(true);
    expect(wasmTierChosen([], '--wasm_tier_up')).toBe(true);
    expect(wasmTierChosen(['--no-wasm-dynamic-tiering'], '')).toBe(true);
  });
});

describe.runIf(process.env.TAGCAST_TEST_DB !== 'postgres')('a command on PGlite started without a V8 flag', () => {
  const s = cliSetup('wasm-tier', { LOG_LEVEL: 'warn' });

  it('compiles PGlite on Liftoff only', async () => {
    const r = await pgliteCompiles(s, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.liftoff).toBeGreaterThan(100);
    expect(r.turbofan).toBe(0);
  });

  it("leaves an operator's own tier flag alone: V8 then tiers PGlite's hot functions up to TurboFan", async () => {
    const r = await pgliteCompiles(s, ['--no-liftoff-only']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.turbofan).toBeGreaterThan(0);
  });
});
