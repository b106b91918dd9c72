// Summarises a V8 .cpuprofile (node --cpu-prof, or BENCH_CPU_PROF=DIR npm run bench -- send): self time
// by function and by package or project file, and inclusive time of a few project functions.
//   npx tsx bench/_profile.ts FILE.cpuprofile [TOP=25]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/_profile.ts FILE.cpuprofile [TOP]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample: the delta to the next sample (V8's own attribution).
const selfUs = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  selfUs.set(prof.samples[i]!, (selfUs.get(prof.samples[i]!) ?? 0) + dt);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** Where a frame's code lives: node_modules/<package>, the project's file, node:internal, or V8. */
function place(url: string): string {
  if (!url) return '(v8/native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const p = /\/(src|jobs|bench|emails|tests)\/(.*)$/.exec(url);
  return p ? `${p[1]}/${p[2]}` : url.replace(/^file:\/\//, '');
}
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${place(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;

function table(title: string, m: Map<string, number>, limit = top): void {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
  }
}

const byFn = new Map<string, number>();
const byPlace = new Map<string, number>();
// Inclusive time of project code: every project frame on a sample's stack (once per frame per sample).
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  byFn.set(label(n), (byFn.get(label(n)) ?? 0) + us);
  byPlace.set(place(n.callFrame.url), (byPlace.get(place(n.callFrame.url)) ?? 0) + us);
  const seen = new Set<string>();
  for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) {
    const f = byId.get(c)!;
    if (!/\/(src|jobs|emails)\//.test(f.callFrame.url) || f.callFrame.url.includes('node_modules')) continue;
    const l = label(f);
    if (!seen.has(l)) inclusive.set(l, (inclusive.get(l) ?? 0) + us), seen.add(l);
  }
}
const idle = byFn.get('(idle) (v8/native)') ?? 0;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle (${((idle / total) * 100).toFixed(1)} %)`);
table('self time by function', byFn);
table('self time by package / file', byPlace, 15);
table('inclusive time of project functions', inclusive, 20);

// Which project function (the nearest on the stack) the time of each package is spent for.
const callers = new Map<string, number>();
for (const [id, us] of selfUs) {
  const where = place(byId.get(id)!.callFrame.url);
  if (!/^(@|wasm|node:|\(v8)/.test(where) && !/^[a-z]/.test(where)) continue;
  let c: number | undefined = id;
  while (c !== undefined && !/\/(src|jobs|bench|emails)\//.test(byId.get(c)!.callFrame.url.replace(/.*node_modules.*/, ''))) c = parent.get(c);
  const key = `${where.startsWith('wasm') ? '@electric-sql/pglite' : where} ← ${c === undefined ? '(no project frame)' : label(byId.get(c)!)}`;
  callers.set(key, (callers.get(key) ?? 0) + us);
}
table('self time of packages and runtime, by the nearest project function', callers, 20);
