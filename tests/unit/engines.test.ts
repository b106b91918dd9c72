// A quiet install: every package the lockfile installs declares support for the Node the README
// promises (package.json's engines) and for the Node running the tests, so `npm ci` prints no
// EBADENGINE warning. Where a dependency's newest version dropped Node 20, package.json's `overrides`
// pin the last version that declares it (docs/decisions.md, "A quiet install on Node 20").
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// npm's own range semantics (semver is in the tree through npm's tooling and sharp).
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
  minVersion(range: string): { version: string } | null;
};

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockedPackage> };

/** Installed packages whose engines exclude `node`, as `path@version wants range`. */
function excluding(node: string): string[] {
  const out: string[] = [];
  for (const [where, p] of Object.entries(lock.packages)) {
    const range = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
    if (where === '' || !range) continue;
    if (!semver.satisfies(node, range, { includePrerelease: true })) out.push(`${where}@${p.version} wants node ${range}`);
  }
  return out;
}

describe('the lockfile and the Node the README promises', () => {
  it('installs no package whose engines exclude the oldest Node tagcast supports', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(excluding(oldest)).toEqual([]);
  });

  it('installs no package whose engines exclude the Node running the tests', () => {
    expect(excluding(process.versions.node)).toEqual([]);
  });
});
