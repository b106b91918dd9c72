// Memory of tagcast's processes, as an operator runs them (`bin/tagcast.js`, dist/ when built), each
// beside a bare `node` process measured in the same run (the floor no Node program goes under).
//   footprint.worker-rate2      a `tagcast worker` on PostgreSQL sending FOOTPRINT_READERS readers at
//                               the provider's default rate (RESEND_RATE_LIMIT=2): median peak RSS of 3 (≤ 150 MB)
//   footprint.start-pglite-idle `tagcast start` (workers, web server, embedded PGlite) idle after a
//                               a restart: median RSS of 3 (≤ 300 MB); the first start, which creates the database, beside it
//   footprint.cli               `tagcast --help`: peak RSS from dist/ vs through tsx (the TypeScript loader)
// The worker needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres):
// this process and the worker share the database, which PGlite does not allow.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { weekIssue } from '../tests/support/issues.ts';

const WEEK = '2026-W48';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = path.resolve('.');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Node flags as `npm start` and the README's systemd units run tagcast at the default rate
 * (FOOTPRINT_NODE_FLAGS to try others). */
const NODE_FLAGS = process.env.FOOTPRINT_NODE_FLAGS?.split(' ').filter(Boolean) ?? ['--max-semi-space-size=1'];

function tagcastProcess(args: string[], env: Record<string, string>, flags = NODE_FLAGS): ChildProcess {
  const child = spawn(process.execPath, [...flags, path.join(ROOT, 'bin', 'tagcast.js'), ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    const line = String(d);
    if (!/development secret/.test(line)) process.stderr.write(line);
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
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

/** One `tagcast worker` process on a scratch database sends one issue at 2 requests/s. */
async function workerRun(readers: number): Promise<WorkerRun> {
  const s = await scratchDb();
  const emu = await spawnEmulator({ apiKey: 're_bench' });
  const prefix = `{tagcast-bench-${randomBytes(3).toString('hex')}}`;
  const queues = createQueues({ redisUrl: REDIS_URL, installation: await installationId(s.db), prefix });
  const child = tagcastProcess(['worker'], {
    ...s.env,
    ...workerEnv(emu.url, prefix, 2, REDIS_URL),
  });
  try {
    await importPaths(s.db, [path.resolve('content', WEEK)]);
    await seedReaders(s.db, readers);
    await sleep(3000);
    const idle = rssMb(child.pid!);
    const issue = await weekIssue(s.db, { week: WEEK, engine: 'react', subject: null });
    const t = performance.now();
    await sendIssueNow(s.db, queues, issue.id);
    let peak = 0;
    for (;;) {
      peak = Math.max(peak, peakRssMb(child.pid!));
      const i = (await getIssue(s.db, issue.id))!;
      if (i.status === 'sent') break;
      if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode})`);
      await sleep(100);
    }
    const seconds = (performance.now() - t) / 1000;
    const st = await emu.stats();
    if (st.accepted !== readers || st.duplicates !== 0) throw new Error(`readers not each accepted once: ${st.accepted} of ${readers}, ${st.duplicates} duplicates`);
    return { peak, idle, requests: st.requests, seconds };
  } finally {
    await stop(child);
    await queues.close();
    await deleteKeys(prefix, { redisUrl: REDIS_URL });
    await emu.close();
    await s.close();
  }
}

/** Three workers, one after the other: the median peak, with every run's. */
async function workerAtRate2(floor: number, readers: number): Promise<void> {
  await requirePostgres('footprint.worker-rate2');
  const runs: WorkerRun[] = [];
  for (let i = 0; i < 3; i++) runs.push(await workerRun(readers));
  const r = (n: number) => Math.round(n * 10) / 10;
  report('footprint.worker-rate2', median(runs.map((x) => x.peak)), 'MB', floor, {
    baselineName: 'a bare node process',
    target: 150,
    peaks: runs.map((x) => r(x.peak)),
    idleMb: runs.map((x) => Math.round(x.idle)),
    readers,
    requests: runs[0]!.requests,
    seconds: runs.map((x) => Math.round(x.seconds)),
    runtime: distIsFresh(ROOT) ? 'dist' : 'tsx',
    nodeFlags: NODE_FLAGS.join(' '),
    machine,
  });
}

/** `tagcast start` on a fresh PGlite folder until /healthz answers, then 5 s idle; its RSS now and at peak. */
async function startIdle(dir: string): Promise<{ rss: number; peak: number }> {
  const port = await freePort();
  const prefix = `{tagcast-bench-${randomBytes(3).toString('hex')}}`;
  const child = tagcastProcess(['start'], { DATA_DIR: dir, PORT: String(port), REDIS_URL, QUEUE_PREFIX: prefix });
  try {
    for (let n = 0; ; n++) {
      if (child.exitCode !== null) throw new Error(`tagcast start exited (${child.exitCode})`);
      if (n > 1200) throw new Error('tagcast start did not answer /healthz within 2 minutes');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(100);
    }
    await sleep(5000);
    return { rss: rssMb(child.pid!), peak: peakRssMb(child.pid!) };
  } finally {
    await stop(child);
    await deleteKeys(prefix, { redisUrl: REDIS_URL });
  }
}

async function startOnPglite(floor: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-footprint-'));
  try {
    const first = await startIdle(dir);
    const again = [await startIdle(dir), await startIdle(dir), await startIdle(dir)];
    report('footprint.start-pglite-idle', median(again.map((a) => a.rss)), 'MB', floor, {
      baselineName: 'a bare node process',
      target: 300,
      restarts: again.map((a) => Math.round(a.rss)),
      peakMb: Math.round(Math.max(...again.map((a) => a.peak))),
      firstStartMb: Math.round(first.rss),
      firstStartPeakMb: Math.round(first.peak),
      runtime: distIsFresh(ROOT) ? 'dist' : 'tsx',
      machine,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
  // FOOTPRINT_PARTS=cli,start,worker runs only those parts (default: all).
  const parts = new Set((process.env.FOOTPRINT_PARTS ?? 'cli,start,worker').split(','));
  const floor = await nodeFloor();
  if (parts.has('cli')) cli();
  if (parts.has('start')) await startOnPglite(floor);
  if (parts.has('worker')) await workerAtRate2(floor, Number(process.env.FOOTPRINT_READERS ?? 4000));
}
