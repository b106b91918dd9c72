#!/usr/bin/env node
// The tagcast binary. It runs the JavaScript that `npm run build` put in dist/ while that build is newer
// than every source file; otherwise the TypeScript sources through tsx's loader, so a fresh clone needs
// no build step. (Compiling at start costs a process ~35 MB and ~0.5 s: production runs `npm run build`.)
// Workers want a 64 MB young generation (`node --max-semi-space-size=64`, as the npm scripts run it):
// docs/decisions.md, "A larger young generation". The flag is not in the shebang because `env -S` is
// missing from BusyBox, and so from Alpine images.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { distIsFresh } from './freshness.js';

// Workers start favouring memory over speed, before any module loads; one whose provider rate is high
// turns it off before it sends (SMALL_HEAP_RATE in src/cli/context.ts).
if (['worker', 'start'].includes(process.argv[2] ?? '')) v8.setFlagsFromString('--optimize-for-size');

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
