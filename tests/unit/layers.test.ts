// The layer rule of docs/architecture.md: code imports sideways or down, never up. Read from the
// import lines of every source file, so a new upward import fails here with the file and the line.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Longest prefix wins; the number is the layer (1 = ground … 7 = faces), as docs/architecture.md lists them. */
const LAYERS: [string, number][] = [
  ['src/web/', 7],
  ['src/cli/', 7],
  ['src/editor/', 6],
  ['jobs/', 5],
  ['src/workers.ts', 5],
  ['src/content/', 4],
  ['src/subscriptions/', 4],
  ['src/issues.ts', 4],
  ['src/schedule.ts', 4],
  ['src/render/', 3],
  ['src/publication.ts', 3],
  ['emails/', 3],
  ['src/send/', 3],
  ['src/db/', 2],
  ['src/queue.ts', 2],
  ['src/enqueue.ts', 2],
  ['jobs/catalog.ts', 2],
  ['src/metrics.ts', 2],
  ['src/lib/', 1],
  ['src/time.ts', 1],
  ['src/progress.ts', 1],
  ['src/digest/', 1],
  ['src/config.ts', 1],
];

function layerOf(file: string): number | undefined {
  let best: [string, number] | undefined;
  for (const l of LAYERS) if (file.startsWith(l[0]) && (!best || l[0].length > best[0].length)) best = l;
  return best?.[1];
}

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Every relative import of a file (static, re-export or dynamic) with its line number. */
function imports(file: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  readFileSync(path.join(ROOT, file), 'utf8').split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/g)) {
      out.push({ target: path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1]!)), line: i + 1 });
    }
  });
  return out;
}

describe('layers', () => {
  it('places every source file in a layer', () => {
    const files = ['src', 'jobs', 'emails'].flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it('has no import that runs up a layer', () => {
    const upward: string[] = [];
    for (const file of ['src', 'jobs', 'emails'].flatMap(sources)) {
      for (const { target, line } of imports(file)) {
        const from = layerOf(file)!;
        const to = layerOf(target);
        if (to !== undefined && to > from) upward.push(`${file}:${line} (layer ${from}) imports ${target} (layer ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('reads imports the way the rule needs (a check that can fail)', () => {
    expect(layerOf('jobs/catalog.ts')).toBe(2);
    expect(layerOf('jobs/send-batch.ts')).toBe(5);
    expect(imports('src/db/summaries.ts').map((i) => i.target)).toContain('src/lib/tags.ts');
    expect(imports('src/editor/preview.ts').map((i) => i.target)).toContain('src/render/index.ts'); // a dynamic import()
  });
});
