#!/usr/bin/env node
// The tagcast binary. It runs the JavaScript that `npm run build` put in dist/ while that build is newer
// than every source file; otherwise the TypeScript sources through tsx's loader, so a fresh clone needs
// no build step. (Compiling at start costs a process ~35 MB and ~0.5 s: production runs `npm run build`.)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { distIsFresh } from './freshness.js';

// Commands that run workers start small, before their modules load: V8 favours memory over speed and
// its young generation stays at 1 MB instead of doubling towards 16 MB (src/lib/young-generation.ts).
// A worker whose provider rate is high turns both back before it sends (SMALL_HEAP_RATE in
// src/cli/context.ts). An operator who names a young-generation flag keeps it.
const runsWorkers = ['worker', 'start', 'digest'].includes(process.argv[2] ?? '');
if (runsWorkers) v8.setFlagsFromString('--optimize-for-size');

// Every command compiles WebAssembly on V8's baseline tier only (src/lib/wasm-tier.ts): PGlite, which any
// command may open, then costs ~50 MB less. An operator who names a WebAssembly tier flag keeps it.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const fromDist = process.env.TAGCAST_RUNTIME !== 'tsx' && distIsFresh(root);
if (!fromDist) {
  const { register } = await import('tsx/esm/api');
  // The project's own tsconfig (JSX settings included), whatever folder tagcast is started from.
  register({ tsconfig: path.join(root, 'tsconfig.json') });
  // After register(): its loader thread reset V8's flags.
  if (runsWorkers) v8.setFlagsFromString('--optimize-for-size');
}
const load = (module) => import(fromDist ? `../dist/src/${module}.js` : `../src/${module}.ts`);
const [youngGeneration, wasmTier] = await Promise.all([load('lib/young-generation'), load('lib/wasm-tier')]);
const { execArgv, env } = process;
if (runsWorkers) youngGeneration.startYoungGenerationSmall(youngGeneration.youngGenerationChosen(execArgv, env.NODE_OPTIONS));
wasmTier.compileWasmSmall(wasmTier.wasmTierChosen(execArgv, env.NODE_OPTIONS));
const { main } = await load('cli/main');
await main(process.argv);
