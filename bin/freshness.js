// Whether dist/ (npm run build) is newer than every source it was built from. A build older than any
// source is never run: a stale dist/ would run code that is no longer in the tree.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The folders compiled into dist/, with everything in them (templates, migrations, assets). */
export const SOURCES = ['src', 'jobs', 'emails'];

export function distIsFresh(root) {
  let built;
  try {
    built = statSync(path.join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return false;
  }
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    if (statSync(path.join(root, f)).mtimeMs > built) return false;
  }
  for (const top of SOURCES) {
    if (statSync(path.join(root, top)).mtimeMs > built) return false;
    for (const e of readdirSync(path.join(root, top), { recursive: true, withFileTypes: true })) {
      if (statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs > built) return false;
    }
  }
  return true;
}
