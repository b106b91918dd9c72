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
  os?: string[];
  cpu?: string[];
}

/** npm's rule for a package's `os` and `cpu` lists: none, a list naming this one, or only negations not naming it. */
const fits = (list: string[] | undefined, here: string) =>
  !list || list.length === 0 || list.includes(here) || (list.every((v) => v.startsWith('!')) && !list.includes(`!${here}`));

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockedPackage> };

/**
 * Packages the lockfile installs whose engines exclude `node`, as `path@version wants range`; with
 * `platform`, only those npm installs on it (an optional package for another os or cpu is skipped
 * there, unwarned: sharp's win32 build wants ^20.9.0 and is never installed on Linux).
 */
function excluding(node: string, platform?: { os: string; cpu: string }): string[] {
  const out: string[] = [];
  for (const [where, p] of Object.entries(lock.packages)) {
    const range = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
    if (where === '' || !range) continue;
    if (platform && !(fits(p.os, platform.os) && fits(p.cpu, platform.cpu))) continue;
    if (!semver.satisfies(node, range, { includePrerelease: true })) out.push(`${where}@${p.version} wants node ${range}`);
  }
  return out;
}

describe('the lockfile and the Node the README promises', () => {
  it('installs no package whose engines exclude the oldest Node tagcast supports', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(excluding(oldest)).toEqual([]);
  });

  it('installs no package whose engines exclude the Node running the tests, on this platform', () => {
    expect(excluding(process.versions.node, { os: process.platform, cpu: process.arch })).toEqual([]);
  });
});
