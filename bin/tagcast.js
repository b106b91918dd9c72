#!/usr/bin/env -S node --max-semi-space-size=64
// The tagcast binary. TypeScript sources run through tsx's loader, so a fresh clone needs no build step.
// A 64 MB young generation: a send batch allocates ~20 MB of short-lived strings, and with V8's default
// 16 MB they survive into the old generation (docs/decisions.md, "A larger young generation").
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
