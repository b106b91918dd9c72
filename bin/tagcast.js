#!/usr/bin/env node
// The tagcast binary. TypeScript sources run through tsx's loader, so a fresh clone needs no build step.
// Workers want a 64 MB young generation (`node --max-semi-space-size=64`, as the npm scripts run it):
// docs/decisions.md, "A larger young generation". The flag is not in the shebang because `env -S` is
// missing from BusyBox, and so from Alpine images.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The project's own tsconfig (JSX settings included), whatever folder tagcast is started from.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
