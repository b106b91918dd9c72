#!/usr/bin/env node
// The tagcast binary. It runs the JavaScript that `npm run build` put in dist/ while that build is newer
// than every source file; otherwise the TypeScript sources through tsx's loader, so a fresh clone needs
// no build step. (Compiling at start costs a process ~35 MB and ~0.5 s: production runs `npm run build`.)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { distIsFresh } from './freshness.js';
import { youngGenerationChosen } from './young-generation.js';

// Commands that run workers start small, before any module loads: V8 favours memory over speed, and
// its young generation stays at its first 1 MB semi-space instead of doubling towards 16 MB (a growth
// factor of 1; `--max-semi-space-size` counts only on the command line, the growth factor at any
// time). A worker whose provider rate is high turns both back before it sends (SMALL_HEAP_RATE in
// src/cli/context.ts). An operator who names a young-generation flag keeps it: docs/decisions.md,
// "The program sizes the young generation".
if (['worker', 'start', 'digest'].includes(process.argv[2] ?? '')) {
  v8.setFlagsFromString('--optimize-for-size');
  if (!youngGenerationChosen(process.execArgv, process.env.NODE_OPTIONS)) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
let main;
if (process.env.TAGCAST_RUNTIME !== 'tsx' && distIsFresh(root)) {
  ({ main } = await import('../dist/src/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  // The project's own tsconfig (JSX settings included), whatever folder tagcast is started from.
  register({ tsconfig: path.join(root, 'tsconfig.json') });
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv);
