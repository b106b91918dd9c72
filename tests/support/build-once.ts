// Build once and share: the CLI's child processes (tests/support/process.ts) run bin/tagcast.js, which
// runs dist/ while it is newer than every source and otherwise compiles the sources through tsx at every
// start (~0.5 s and ~35 MB a process, seconds on a busy machine: the suite took 13 minutes that way
// against 8.7 with dist/). So before the first project whose tests start the binary, a stale or missing
// dist/ is rebuilt, once per `vitest run` (`npm run build`, ~20 s); after `npm ci` it is already fresh
// and nothing is built. A source edited during the run makes dist/ stale again, and the processes
// started after it run the sources, as they should.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { distIsFresh } from '../../bin/freshness.js';

/** The projects whose tests start the tagcast binary. */
const STARTS_THE_BINARY = /^integration-/;
const KEY = Symbol.for('tagcast.test-build');

export default function setup(project: TestProject): void {
  if (!STARTS_THE_BINARY.test(project.name)) return;
  const g = globalThis as Record<symbol, unknown>;
  if (g[KEY]) return; // Vitest calls a root global setup once per project: the first one builds
  g[KEY] = true;
  const root = path.resolve(import.meta.dirname, '../..');
  if (distIsFresh(root)) return;
  process.stdout.write('tagcast tests: dist/ is older than the sources; building it once for the CLI processes (npm run build)\n');
  execFileSync(process.execPath, [path.join(root, 'bin', 'build.js')], { cwd: root, stdio: 'inherit' });
}
