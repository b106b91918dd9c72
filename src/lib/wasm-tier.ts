// V8's WebAssembly compiler tier, chosen by tagcast rather than by a flag the operator must name. PGlite
// is PostgreSQL compiled to WebAssembly (9 MB of it); V8 compiles it with its baseline compiler (Liftoff)
// and then recompiles the hot functions with TurboFan on background threads. Those compilations leave
// ~30 MB in glibc's per-thread malloc arenas that are never given back: an idle `tagcast start` measured
// 216–239 MB with them, 176–182 MB on Liftoff alone, and queries were no slower on Liftoff alone here
// (a tagcast process's queries are short; TurboFan's compile time outweighed its faster code).
// undici's HTTP parser (llhttp) is WebAssembly too and small. docs/decisions.md, "PGlite on Liftoff only".
import v8 from 'node:v8';

/** Whether node's command line or NODE_OPTIONS names a WebAssembly tier flag: then it is the operator's. */
export function wasmTierChosen(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return /(^|\s)--(no[-_])?(liftoff([-_]only)?|wasm[-_]tier[-_]up|wasm[-_]dynamic[-_]tiering)(\s|=|$)/.test(` ${execArgv.join(' ')} ${nodeOptions ?? ''} `);
}

/** WebAssembly on Liftoff only, unless the operator chose a tier; before any module is compiled (bin/tagcast.js). */
export function compileWasmSmall(chosenByOperator: boolean): void {
  if (!chosenByOperator) v8.setFlagsFromString('--liftoff-only');
}
