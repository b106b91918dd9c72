#!/usr/bin/env node
// npm run bench [-- NAME…]: runs bench/NAME.ts (all when none is named). Each prints JSON lines
// {"name", "value", "unit", "baseline", "ratio"}, every figure beside a baseline from the same run.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The project's own tsconfig (JSX settings included), whatever folder tagcast is started from.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const all = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.replace(/\.ts$/, '')).sort();
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = names.filter((n) => !all.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
// A bench that cannot run here (no PostgreSQL, say) says why in one line and the run exits 1; the
// others still run.
for (const name of names.length > 0 ? names : all) {
  const mod = await import(path.join(dir, `${name}.ts`));
  try {
    await mod.run();
  } catch (e) {
    console.error(`bench ${name}: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
