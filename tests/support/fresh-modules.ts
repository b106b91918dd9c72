// Run before every test file (vitest's setupFiles). Projects with `isolate: false` run many files in one
// fork, one after another, sharing the modules they import; the state those modules keep for a
// process (caches keyed by issue id, the publication's name, notes said once) belongs to one file's
// database and would leak into the next file's. Each file starts from what a fresh process has.
import { afterAll } from 'vitest';
import { resetProcessState } from './reset.ts';

resetProcessState();
afterAll(() => resetProcessState());
