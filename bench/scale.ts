// A million readers (issue 11): each figure beside a baseline measured in the same run, every line
// naming the machine. The machine is shared and small (see `machine`): rerun before comparing.
//   scale.plan-1m       the plan-issue job (ledger INSERT … SELECT, batch times, enqueueing the 10,000
//                       send-batch jobs) for 1,000,000 readers on PostgreSQL (target ≤ 60 s), vs ten
//                       times the median of three runs at 100,000 readers (ratio ≈ 1: linear); with
//                       this process's RSS and heap before and at their peak during the plan (flat)
//   scale.enqueue-10k   10,000 send-batch jobs through enqueueTo(queues).batches (addBulk in chunks) vs
//                       10,000 single queue.add calls; medians of three; every job checked in Redis
//   scale.pglite-50k    the embedded default (PGlite): a 50,000-reader issue sent end to end by
//                       in-process workers to the Resend emulator, each reader accepted exactly once,
//                       emails/s vs the median of three runs at 5,000 readers
// PostgreSQL: BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres if it answers; a
// scratch database is created there and dropped. No PostgreSQL: scale.plan-1m says so and the run
// exits non-zero. Redis: REDIS_URL (default redis://127.0.0.1:6379); keys under a random prefix,
// deleted after.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pino } from 'pino';
import { importPaths } from '../src/content/import.ts';
import type { Db } from '../src/db/connection.ts';
import { installationId } from '../src/db/installation.ts';
import { getIssue } from '../src/db/issues.ts';
import { enqueueTo, jobOptions } from '../src/enqueue.ts';
import { sendIssueNow } from '../src/issues.ts';
import { createQueues, type Queues } from '../src/queue.ts';
import { createResend } from '../src/send/resend.ts';
import { startWorkers } from '../src/workers.ts';
import type { JobContext } from '../jobs/index.ts';
import { process as planIssueJob } from '../jobs/plan-issue.ts';
import { deleteKeys } from '../tests/support/redis.ts';
import { BENCH_CONFIG, machine, seedReaders, spawnEmulator } from './_fixtures.ts';
import { median, report } from './_report.ts';
import { requirePostgres, scratchDb } from './_scratch.ts';
import { weekIssue } from '../tests/support/issues.ts';

const WEEK = '2026-W48';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const config = BENCH_CONFIG;
const silent = pino({ level: 'silent' });
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

/** This process's memory before `fn` and at its peak while `fn` ran (sampled every 20 ms). */
async function watchMemory<T>(fn: () => Promise<T>): Promise<{ result: T; rssBeforeMB: number; rssPeakMB: number; heapBeforeMB: number; heapPeakMB: number }> {
  const before = process.memoryUsage();
  let rss = before.rss;
  let heap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 20);
  try {
    const result = await fn();
    sample();
    return { result, rssBeforeMB: mb(before.rss), rssPeakMB: mb(rss), heapBeforeMB: mb(before.heapUsed), heapPeakMB: mb(heap) };
  } finally {
    clearInterval(timer);
  }
}

function benchQueues(installation: string): { queues: Queues; prefix: string } {
  const prefix = `{tagcast-bench-${randomBytes(3).toString('hex')}}`;
  return { queues: createQueues({ redisUrl: REDIS_URL, installation, prefix }), prefix };
}

/**
 * One run of the plan-issue job, as a worker runs it, on a new issue due now. The job's own enqueue
 * goes to a scratch prefix (deleted after); its time is measured apart, so the plan's share shows.
 */
async function planOnce(db: Db): Promise<{ seconds: number; enqueueSeconds: number; recipients: number; batches: number; jobs: number; mem: Awaited<ReturnType<typeof watchMemory>> }> {
  const issue = await weekIssue(db, { week: WEEK, engine: 'react', subject: null });
  await db.query(`update issues set status = 'scheduled', send_at = now() where id = $1`, [issue.id]);
  const { queues, prefix } = benchQueues(`bench${randomBytes(3).toString('hex')}`);
  const enqueue = enqueueTo(queues);
  let enqueueMs = 0;
  // Only what plan-issue uses; the sender's pacer, rate and provider stay out.
  const deps = {
    db,
    config,
    log: silent,
    now: () => new Date(),
    batchSize: 100,
    leaseMs: 60_000,
    enqueue: {
      ...enqueue,
      async batches(issueId: number, batches: { batch: number; delayMs: number }[]) {
        const t = performance.now();
        await enqueue.batches(issueId, batches);
        enqueueMs += performance.now() - t;
      },
    },
  } as unknown as JobContext;
  try {
    const t = performance.now();
    const mem = await watchMemory(() => planIssueJob({ issueId: issue.id }, deps));
    const seconds = (performance.now() - t) / 1000;
    const outcome = mem.result;
    if (outcome.outcome !== 'planned') throw new Error(`plan-issue did not plan: ${JSON.stringify(outcome)}`);
    const counts = await queues.send.getJobCounts('waiting', 'delayed', 'prioritized');
    const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
    return { seconds, enqueueSeconds: enqueueMs / 1000, recipients: outcome.recipients, batches: outcome.batches, jobs, mem };
  } finally {
    await queues.close();
    await deleteKeys(prefix);
  }
}

async function planFigures(db: Db): Promise<void> {
  await importPaths(db, [path.resolve('content', WEEK)]);
  // Three runs at 100,000 readers (each issue deleted after, so every run starts from the same tables),
  // then one at 1,000,000: three would take minutes more. Tables analyzed after seeding, as autovacuum would.
  await seedReaders(db, 100_000, 1);
  await db.exec('vacuum analyze');
  const small: number[] = [];
  let smallMem = { rssPeakMB: 0, heapPeakMB: 0 };
  for (let i = 0; i < 3; i++) {
    const r = await planOnce(db);
    if (r.recipients !== 100_000 || r.jobs !== 1000) throw new Error(`plan at 100,000 readers: ${r.recipients} recipients, ${r.jobs} jobs`);
    small.push(r.seconds);
    smallMem = { rssPeakMB: Math.max(smallMem.rssPeakMB, r.mem.rssPeakMB), heapPeakMB: Math.max(smallMem.heapPeakMB, r.mem.heapPeakMB) };
    await db.query(`delete from issues where status = 'sending'`);
  }
  await db.exec('vacuum analyze');
  await seedReaders(db, 1_000_000, 2);
  await db.exec('vacuum analyze');
  const big = await planOnce(db);
  if (big.recipients !== 1_000_000 || big.batches !== 10_000 || big.jobs !== 10_000) {
    throw new Error(`plan at 1,000,000 readers: ${big.recipients} recipients, ${big.batches} batches, ${big.jobs} jobs in Redis`);
  }
  const linear = median(small) * 10;
  report('scale.plan-1m', big.seconds, 's', linear, {
    baselineName: '10 × median plan-issue at 100,000 readers (ratio ≈ 1: linear)',
    target: 60,
    withinTarget: big.seconds <= 60,
    readers: big.recipients,
    batches: big.batches,
    jobsInRedis: big.jobs,
    enqueueSeconds: round(big.enqueueSeconds),
    runs: { '1000000': 1, '100000': 3 },
    secondsAt100k: small.map((s) => round(s)),
    rssBeforeMB: big.mem.rssBeforeMB,
    rssPeakMB: big.mem.rssPeakMB,
    heapBeforeMB: big.mem.heapBeforeMB,
    heapPeakMB: big.mem.heapPeakMB,
    // Flat: the peak at ten times the readers, beside the peak at 100,000 (the 10,000 jobs and their
    // batch list are what grows; --max-semi-space-size=64 lets the young heap take ~64 MB before a scavenge).
    rssPeakMBAt100k: smallMem.rssPeakMB,
    heapPeakMBAt100k: smallMem.heapPeakMB,
    database: 'postgres',
    machine,
  });
}

/** 10,000 send-batch jobs, chunked or one add at a time; checked in Redis, keys deleted after. */
async function enqueueOnce(chunked: boolean): Promise<{ seconds: number; mem: Awaited<ReturnType<typeof watchMemory>> }> {
  const { queues, prefix } = benchQueues(`bench${randomBytes(3).toString('hex')}`);
  const issueId = 1;
  const batches = Array.from({ length: 10_000 }, (_, batch) => ({ batch, delayMs: 0 }));
  try {
    await queues.send.waitUntilReady();
    const t = performance.now();
    const mem = await watchMemory(async () => {
      if (chunked) return enqueueTo(queues).batches(issueId, batches);
      for (const { batch } of batches) {
        const data = { issueId, batch };
        await queues.send.add('send-batch', data, jobOptions('send-batch', `send-batch-${issueId}-${batch}`));
      }
    });
    const seconds = (performance.now() - t) / 1000;
    const counts = await queues.send.getJobCounts('waiting', 'delayed', 'prioritized');
    const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
    if (jobs !== 10_000) throw new Error(`${jobs} of 10,000 send-batch jobs are in Redis`);
    return { seconds, mem };
  } finally {
    await queues.close();
    await deleteKeys(prefix);
  }
}

async function enqueueFigures(): Promise<void> {
  const chunked: Awaited<ReturnType<typeof enqueueOnce>>[] = [];
  const single: number[] = [];
  for (let i = 0; i < 3; i++) {
    chunked.push(await enqueueOnce(true));
    single.push((await enqueueOnce(false)).seconds);
  }
  const value = median(chunked.map((r) => r.seconds));
  report('scale.enqueue-10k', value, 's', median(single), {
    baselineName: '10,000 single queue.add calls',
    jobs: 10_000,
    jobsPerSecond: Math.round(10_000 / value),
    runs: 3,
    seconds: chunked.map((r) => round(r.seconds, 3)),
    rssBeforeMB: Math.max(...chunked.map((r) => r.mem.rssBeforeMB)),
    rssPeakMB: Math.max(...chunked.map((r) => r.mem.rssPeakMB)),
    heapPeakMB: Math.max(...chunked.map((r) => r.mem.heapPeakMB)),
    machine,
  });
}

/** One issue through in-process workers on `db` to a fresh emulator; every reader accepted exactly once. */
async function pipelineOnce(
  db: Db,
  readers: number,
): Promise<{ seconds: number; emailsPerSecond: number; secondsToFirstRequest: number; rssPeakMB: number; rssBeforeMB: number }> {
  const emu = await spawnEmulator({ apiKey: 're_bench' });
  const { queues, prefix } = benchQueues(await installationId(db));
  const workers = startWorkers(
    { db, config, provider: createResend({ apiKey: 're_bench', baseUrl: emu.url }), queues, log: silent, now: () => new Date(), batchSize: 100, leaseMs: 60_000 },
    { sendConcurrency: 8 },
  );
  try {
    const issue = await weekIssue(db, { week: WEEK, engine: 'react', subject: null });
    const t = performance.now();
    const startedAt = Date.now();
    const mem = await watchMemory(async () => {
      await sendIssueNow(db, queues, issue.id);
      for (;;) {
        const i = (await getIssue(db, issue.id))!;
        if (i.status === 'sent') return i;
        if (i.status === 'paused' || i.status === 'failed') throw new Error(`issue ${i.status}: ${i.statusReason}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    const seconds = (performance.now() - t) / 1000;
    const st = await emu.stats();
    if (mem.result.submitted !== readers || st.accepted !== readers || st.duplicates !== 0) {
      throw new Error(`${readers} readers: ${mem.result.submitted} submitted, ${st.accepted} accepted by the provider, ${st.duplicates} duplicates`);
    }
    // Planning and the first renders come before the first request.
    const secondsToFirstRequest = (st.arrivals[0]! - startedAt) / 1000;
    return { seconds, emailsPerSecond: readers / seconds, secondsToFirstRequest, rssPeakMB: mem.rssPeakMB, rssBeforeMB: mem.rssBeforeMB };
  } finally {
    await workers.close();
    await queues.close();
    await deleteKeys(prefix);
    await emu.close();
  }
}

async function pgliteFigures(): Promise<void> {
  const scratch = await scratchDb({ pglite: true });
  const db = scratch.db;
  try {
    await importPaths(db, [path.resolve('content', WEEK)]);
    await seedReaders(db, 5000, 1);
    const small = [];
    for (let i = 0; i < 3; i++) small.push(await pipelineOnce(db, 5000));
    await seedReaders(db, 50_000, 2);
    const big = await pipelineOnce(db, 50_000);
    const baseline = median(small.map((r) => r.emailsPerSecond));
    report('scale.pglite-50k', big.emailsPerSecond, 'emails/s', baseline, {
      baselineName: 'median emails/s of the same pipeline at 5,000 readers (3 runs)',
      readers: 50_000,
      seconds: round(big.seconds, 1),
      secondsToFirstRequest: round(big.secondsToFirstRequest),
      acceptedOnce: true,
      runs: { '50000': 1, '5000': 3 },
      emailsPerSecondAt5k: small.map((r) => Math.round(r.emailsPerSecond)),
      rssBeforeMB: big.rssBeforeMB,
      rssPeakMB: big.rssPeakMB,
      rssPeakMBAt5k: Math.max(...small.map((r) => r.rssPeakMB)),
      database: 'pglite (in this process)',
      machine,
    });
  } finally {
    await scratch.close();
  }
}

export async function run(): Promise<void> {
  const parts = new Set((process.env.BENCH_PARTS ?? 'plan,enqueue,pglite').split(','));
  if (parts.has('plan')) {
    await requirePostgres('scale.plan-1m');
    const pg = await scratchDb();
    try {
      await planFigures(pg.db);
    } finally {
      await pg.close();
    }
  }
  if (parts.has('enqueue')) await enqueueFigures();
  if (parts.has('pglite')) await pgliteFigures();
}
