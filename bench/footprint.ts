// Memory of tagcast's processes, as an operator runs them (`bin/tagcast.js`, dist/ when built, no V8
// flag: the program sizes its own young generation), each beside its limit from issue 19 and what the
// same process did before (V8's default young generation, or the npm scripts' old flag) in the same run.
//   footprint.worker-rate2        a `tagcast worker` on PostgreSQL sending FOOTPRINT_READERS readers at
//                                 the provider's default rate (RESEND_RATE_LIMIT=2), started plainly
//                                 (`node bin/tagcast.js worker`, as the systemd unit does): median peak RSS
//                                 of 3 (≤ 120 MB), beside the same worker with V8's default young generation
//   footprint.worker-rate2-npm    the same started as the README's `npm run tagcast -- worker`, beside the old
//                                 script's `--max-semi-space-size=64`; and once as `npx tagcast worker` where npx finds it
//   footprint.start-pglite-idle   `tagcast start` (workers, web server, embedded PGlite) idle after a
//                                 restart: median RSS of 3 (≤ 200 MB), beside the same with PGlite's WebAssembly
//                                 tiered up to TurboFan (before tagcast chose the tier); `npm start` and the first start
//   footprint.worker-growth       a worker at full speed (RESEND_RATE_LIMIT=10000): peak RSS at 200,000
//                                 readers vs 20,000 (≤ 1.1×)
//   footprint.cli                 `tagcast --help`: peak RSS from dist/ vs through tsx (the TypeScript loader)
// Workers need PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres):
// this process and the worker share the database, which PGlite does not allow.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importPaths } from '../src/content/import.ts';
import { installationId } from '../src/db/installation.ts';
import { getIssue } from '../src/db/issues.ts';
import { sendIssueNow } from '../src/issues.ts';
import { createQueues } from '../src/queue.ts';
import { deleteKeys } from '../tests/support/redis.ts';
import { distIsFresh } from '../bin/freshness.js';
import { machine, peakRssMb, rssMb, seedReaders, spawnEmulator, workerEnv } from './_fixtures.ts';
import { median, report } from './_report.ts';
import { requirePostgres, scratchDb } from './_scratch.ts';
import { workerRss } from './send.ts';
import { weekIssue } from '../tests/support/issues.ts';

const WEEK = '2026-W48';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = path.resolve('.');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How an operator starts tagcast: plain node (the systemd units), the npm scripts, npx; `flags` are
 * node flags given by hand (the old npm scripts' and V8's defaults, for the figures' baselines). */
export type Launch = { way: 'node'; flags?: string[] } | { way: 'npm run tagcast --' | 'npx tagcast' | 'npm start' };

function launchName(l: Launch): string {
  return l.way === 'node' ? ['node', ...(l.flags ?? []), 'bin/tagcast.js'].join(' ') : l.way;
}

interface Tagcast {
  /** What was spawned: node itself, or npm/npx. */
  child: ChildProcess;
  /** The node process that runs bin/tagcast.js (npm and npx start it as a grandchild). */
  pid(): number;
}

function tagcastProcess(args: string[], env: Record<string, string>, launch: Launch = { way: 'node' }): Tagcast {
  const [cmd, argv] =
    launch.way === 'node'
      ? [process.execPath, [...(launch.flags ?? []), path.join(ROOT, 'bin', 'tagcast.js'), ...args]]
      : launch.way === 'npm run tagcast --'
        ? ['npm', ['run', '--silent', 'tagcast', '--', ...args]]
        : launch.way === 'npx tagcast'
          ? ['npx', ['--no-install', 'tagcast', ...args]]
          : ['npm', ['start', '--silent']]; // npm start: `tagcast start`
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    const line = String(d);
    if (!/development secret/.test(line)) process.stderr.write(line);
  });
  let pid = launch.way === 'node' ? child.pid! : 0;
  return {
    child,
    pid() {
      if (pid === 0) pid = tagcastDescendant(child.pid!);
      return pid;
    },
  };
}

/** The node process under `root` whose script is bin/tagcast.js (or npm's .bin/tagcast link to it). */
function tagcastDescendant(root: number): number {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0] ?? '') === 'node' && argv.some((a) => /(bin\/tagcast\.js|\.bin\/tagcast)$/.test(a))) return pid;
    } catch {
      // gone meanwhile
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return 0;
}

/** The node process's pid once npm or npx has started it. */
async function tagcastPid(t: Tagcast): Promise<number> {
  for (let n = 0; n < 600; n++) {
    const pid = t.pid();
    if (pid !== 0) return pid;
    if (t.child.exitCode !== null) throw new Error(`tagcast exited (${t.child.exitCode}) before it started`);
    await sleep(100);
  }
  throw new Error('npm did not start tagcast within a minute');
}

/** SIGTERM to tagcast itself (npm passes signals on, but not every npm does), then npm's exit. */
async function stop(t: Tagcast): Promise<void> {
  if (t.child.exitCode !== null) return;
  const exited = new Promise((r) => t.child.once('exit', r));
  const pid = t.pid();
  process.kill(pid === 0 ? t.child.pid! : pid, 'SIGTERM');
  await exited;
}

/** A bare Node process's peak RSS: the floor every figure is beside. */
async function nodeFloor(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'], { stdio: 'ignore' });
  await sleep(1000);
  const mb = peakRssMb(child.pid!);
  await new Promise((r) => child.once('exit', r));
  return mb;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface WorkerRun {
  peak: number;
  idle: number;
  requests: number;
  seconds: number;
}

/** One `tagcast worker` process, started the `launch` way, on a scratch database sends one issue at 2 requests/s. */
export async function workerRun(readers: number, launch: Launch): Promise<WorkerRun> {
  const s = await scratchDb();
  const emu = await spawnEmulator({ apiKey: 're_bench' });
  const prefix = `{tagcast-bench-${randomBytes(3).toString('hex')}}`;
  const queues = createQueues({ redisUrl: REDIS_URL, installation: await installationId(s.db), prefix });
  const worker = tagcastProcess(['worker'], { ...s.env, ...workerEnv(emu.url, prefix, 2, REDIS_URL) }, launch);
  try {
    await importPaths(s.db, [path.resolve('content', WEEK)]);
    await seedReaders(s.db, readers);
    const pid = await tagcastPid(worker);
    await sleep(3000);
    const idle = rssMb(pid);
    const issue = await weekIssue(s.db, { week: WEEK, engine: 'react', subject: null });
    const t = performance.now();
    await sendIssueNow(s.db, queues, issue.id);
    let peak = 0;
    for (;;) {
      peak = Math.max(peak, peakRssMb(pid));
      const i = (await getIssue(s.db, issue.id))!;
      if (i.status === 'sent') break;
      if (i.status === 'paused') throw new Error(`the issue paused: ${i.statusReason}`);
      if (worker.child.exitCode !== null) throw new Error(`the worker exited (${worker.child.exitCode})`);
      await sleep(100);
    }
    const seconds = (performance.now() - t) / 1000;
    const st = await emu.stats();
    if (st.accepted !== readers || st.duplicates !== 0) throw new Error(`readers not each accepted once: ${st.accepted} of ${readers}, ${st.duplicates} duplicates`);
    return { peak, idle, requests: st.requests, seconds };
  } finally {
    await stop(worker);
    await queues.close();
    await deleteKeys(prefix, { redisUrl: REDIS_URL });
    await emu.close();
    await s.close();
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** `runs` workers started each way, one after the other, alternating; every run's peak per way. */
async function workerPeaks(readers: number, runs: number, launches: Launch[]): Promise<WorkerRun[][]> {
  const out: WorkerRun[][] = launches.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, l] of launches.entries()) out[k]!.push(await workerRun(readers, l));
  }
  return out;
}

/** V8's default young generation: what a plain start got before tagcast sized it (the growth factor
 * named on the command line counts as the operator's choice, so tagcast leaves it). */
const V8_DEFAULT: Launch = { way: 'node', flags: ['--semi-space-growth-factor=2'] };
/** The old `npm run tagcast` script. */
const OLD_NPM: Launch = { way: 'node', flags: ['--max-semi-space-size=64'] };

async function workerAtRate2(readers: number, runs: number): Promise<void> {
  await requirePostgres('footprint.worker-rate2');
  const launches: Launch[] = [{ way: 'node' }, V8_DEFAULT, { way: 'npm run tagcast --' }, OLD_NPM];
  const [plain, before, npm, oldNpm] = await workerPeaks(readers, runs, launches);
  const peaks = (r: WorkerRun[]) => r.map((x) => round1(x.peak));
  const common = { target: 120, readers, requests: plain![0]!.requests, runtime: distIsFresh(ROOT) ? 'dist' : 'tsx', machine };
  report('footprint.worker-rate2', median(plain!.map((x) => x.peak)), 'MB', median(before!.map((x) => x.peak)), {
    ...common,
    started: launchName({ way: 'node' }),
    baselineName: `the same worker with V8's default young generation (${launchName(V8_DEFAULT)})`,
    peaks: peaks(plain!),
    baselinePeaks: peaks(before!),
    idleMb: plain!.map((x) => Math.round(x.idle)),
    seconds: plain!.map((x) => Math.round(x.seconds)),
  });
  report('footprint.worker-rate2-npm', median(npm!.map((x) => x.peak)), 'MB', median(oldNpm!.map((x) => x.peak)), {
    ...common,
    started: 'npm run tagcast -- worker',
    baselineName: `the old script's flag (${launchName(OLD_NPM)})`,
    peaks: peaks(npm!),
    baselinePeaks: peaks(oldNpm!),
  });
  // `npx tagcast` runs the project's own bin only where npm can find it (installed, or `npm link`ed):
  // in a plain clone npm looks for a package of that name instead, and the figure says so.
  try {
    const [npx] = await workerPeaks(readers, 1, [{ way: 'npx tagcast' }]);
    report('footprint.worker-rate2-npx', npx![0]!.peak, 'MB', 120, { ...common, started: 'npx tagcast worker', baselineName: 'the limit (issue 19)' });
  } catch (e) {
    process.stderr.write(`footprint.worker-rate2-npx: not measured: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/** `tagcast start` on a PGlite folder until /healthz answers, then 5 s idle; its RSS now and at peak. */
async function startIdle(dir: string, launch: Launch): Promise<{ rss: number; peak: number }> {
  const port = await freePort();
  const prefix = `{tagcast-bench-${randomBytes(3).toString('hex')}}`;
  const t = tagcastProcess(['start'], { DATA_DIR: dir, PORT: String(port), REDIS_URL, QUEUE_PREFIX: prefix }, launch);
  try {
    for (let n = 0; ; n++) {
      if (t.child.exitCode !== null) throw new Error(`tagcast start exited (${t.child.exitCode})`);
      if (n > 1200) throw new Error('tagcast start did not answer /healthz within 2 minutes');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(100);
    }
    await sleep(5000);
    const pid = await tagcastPid(t);
    return { rss: rssMb(pid), peak: peakRssMb(pid) };
  } finally {
    await stop(t);
    await deleteKeys(prefix, { redisUrl: REDIS_URL });
  }
}

/** How `tagcast start` ran before it chose V8's WebAssembly tier: PGlite's hot functions tiered up to TurboFan. */
const TURBOFAN_WASM: Launch = { way: 'node', flags: ['--no-liftoff-only'] };

async function startOnPglite(floor: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-footprint-'));
  try {
    const first = await startIdle(dir, { way: 'node' });
    const again = [];
    const before = [];
    // Alternating, so both see the same load on the machine.
    for (let i = 0; i < 3; i++) {
      again.push(await startIdle(dir, { way: 'node' }));
      before.push(await startIdle(dir, TURBOFAN_WASM));
    }
    const npmStart = await startIdle(dir, { way: 'npm start' });
    report('footprint.start-pglite-idle', median(again.map((a) => a.rss)), 'MB', median(before.map((a) => a.rss)), {
      baselineName: `the same with PGlite tiered up to TurboFan, as before tagcast chose the WebAssembly tier (${launchName(TURBOFAN_WASM)} start)`,
      target: 200,
      started: launchName({ way: 'node' }) + ' start',
      restarts: again.map((a) => Math.round(a.rss)),
      baselineRestarts: before.map((a) => Math.round(a.rss)),
      peakMb: Math.round(Math.max(...again.map((a) => a.peak))),
      npmStartMb: Math.round(npmStart.rss),
      firstStartMb: Math.round(first.rss),
      firstStartPeakMb: Math.round(first.peak),
      bareNodeMb: Math.round(floor),
      runtime: distIsFresh(ROOT) ? 'dist' : 'tsx',
      machine,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A worker at full speed, started plainly: its peak at 200,000 readers beside its peak at 20,000. */
async function growthAtFullSpeed(): Promise<void> {
  await requirePostgres('footprint.worker-growth');
  const s = await scratchDb();
  const emu = await spawnEmulator({ apiKey: 're_bench' });
  try {
    await importPaths(s.db, [path.resolve('content', WEEK)]);
    const small = await workerRss(s, emu, 20_000, 2);
    const large = await workerRss(s, emu, 200_000, 3);
    report('footprint.worker-growth', large, 'MB', small, { baselineName: 'peak RSS at 20,000 readers', target: 1.1, readers: 200_000, started: launchName({ way: 'node' }), machine });
  } finally {
    await emu.close();
    await s.close();
  }
}

/** `tagcast --help`, three times each way: what loading TypeScript through tsx costs a process. */
function cli(): void {
  const peak = (env: Record<string, string>) => {
    const out = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(ROOT, 'bin', 'tagcast.js'), '--help'], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
      encoding: 'utf8',
    });
    return Number(out.stderr.trim().split('\n').at(-1)) / 1024;
  };
  const dist: number[] = [];
  const tsx: number[] = [];
  for (let i = 0; i < 3; i++) {
    dist.push(peak({}));
    tsx.push(peak({ TAGCAST_RUNTIME: 'tsx' }));
  }
  report('footprint.cli', median(dist), 'MB', median(tsx), { baselineName: 'the same command through tsx', runs: 3, machine });
}

export async function run(): Promise<void> {
  if (!distIsFresh(ROOT)) {
    process.stderr.write('footprint: building dist/ first (npm run build), so the figures are what production runs\n');
    const b = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'build.js')], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  // FOOTPRINT_PARTS=cli,start,worker,growth runs only those parts (default: all); FOOTPRINT_RUNS workers each way.
  const parts = new Set((process.env.FOOTPRINT_PARTS ?? 'cli,start,worker,growth').split(','));
  const floor = await nodeFloor();
  if (parts.has('cli')) cli();
  if (parts.has('start')) await startOnPglite(floor);
  if (parts.has('worker')) await workerAtRate2(Number(process.env.FOOTPRINT_READERS ?? 4000), Number(process.env.FOOTPRINT_RUNS ?? 3));
  if (parts.has('growth')) await growthAtFullSpeed();
}
