// Sending throughput and scale, each figure beside a baseline measured in the same run, all against the
// project's Resend emulator on this machine (loopback: the wire is as fast as it gets here).
//   send.pipeline-vs-wire   tagcast's whole pipeline (plan, render, batch, send, ledger) on BENCH_READERS
//                           readers vs raw POSTs of the same message bytes (the pipeline's own request
//                           bodies, captured by the emulator), 100 per request; BENCH_ROUNDS rounds (3),
//                           each on its own emulator, the median round reported     (target ≥ 0.8, issue 19)
//   send.pipeline-vs-naive  the same pipeline figure vs a full React render + one emails.send per reader
//                                                                                             (target ≥ 5)
//   send.provider-bound     emulator limited to 5 requests/s: emails/s the provider saw from the first request
//                           to the last, vs the 500/s allowed (≥ 0.98), with the share of requests answered
//                           429 (≤ 1 %); the end-to-end rate (≥ 0.95 of 500/s) and the time to the first
//                           request beside it
//   BENCH_CPU_PROF=DIR      writes DIR/send-pipeline-N.cpuprofile for each round (docs/performance.md)
//   send.worker-rss / send.plan-200k   with BENCH_DATABASE_URL only (worker processes need PostgreSQL):
//                           a worker process's peak RSS at 200,000 vs 20,000 readers (≤ 1.1), and plan-issue
//                           for 200,000 readers (≤ 20 s)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { pino } from 'pino';
import { createElement } from 'react';
import { render } from 'react-email';
import { Resend } from 'resend';
import { importPaths } from '../src/content/import.ts';
import type { Db } from '../src/db/connection.ts';
import { installationId } from '../src/db/installation.ts';
import { writeSettings } from '../src/db/settings.ts';
import { getIssue, planIssue } from '../src/db/issues.ts';
import { summariesForWeek } from '../src/db/summaries.ts';
import { assembleDigest, indexIssue } from '../src/digest/assemble.ts';
import { sendIssueNow } from '../src/issues.ts';
import { createQueues } from '../src/queue.ts';
import { startWorkers } from '../src/workers.ts';
import { createResend } from '../src/send/resend.ts';
import { readerLinks } from '../src/lib/reader-links.ts';
import WeeklyDigest from '../emails/weekly-digest.tsx';
import { spawnTagcast } from '../tests/support/process.ts';
import { deleteKeys } from '../tests/support/redis.ts';
import { BENCH_CONFIG, peakRssMb, seedReaders, spawnEmulator, workerEnv, type Emulator } from './_fixtures.ts';
import { median, report } from './_report.ts';
import { scratchDb, type Scratch } from './_scratch.ts';
import { weekIssue } from '../tests/support/issues.ts';

const WEEK = '2026-W48';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 8;
const config = BENCH_CONFIG;

/** Runs one issue through in-process workers; returns emails/s from send to sent. */
async function pipeline(db: Db, emu: Emulator, rateLimit: number): Promise<{ emailsPerSecond: number; submitted: number; seconds: number; startedAt: number }> {
  const prefix = `{tagcast-bench-${randomBytes(3).toString('hex')}}`;
  const queues = createQueues({ redisUrl: REDIS_URL, installation: await installationId(db), prefix });
  const workers = startWorkers(
    {
      db,
      config: { ...config, resend: { ...config.resend, rateLimit } },
      provider: createResend({ apiKey: 're_bench', baseUrl: emu.url }),
      queues,
      log: pino({ level: 'silent' }),
      now: () => new Date(),
      batchSize: 100,
      leaseMs: 60_000,
    },
    { sendConcurrency: CONCURRENCY },
  );
  try {
    const issue = await weekIssue(db, { week: WEEK, engine: 'react', subject: null });
    const t = performance.now();
    const startedAt = Date.now();
    await sendIssueNow(db, queues, issue.id);
    for (;;) {
      const i = (await getIssue(db, issue.id))!;
      if (i.status === 'sent') {
        const seconds = (performance.now() - t) / 1000;
        return { emailsPerSecond: i.submitted / seconds, submitted: i.submitted, seconds, startedAt };
      }
      if (i.status === 'paused' || i.status === 'failed') throw new Error(`issue ${i.status}: ${i.statusReason}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await workers.close();
    await queues.close();
    await deleteKeys(prefix);
  }
}

/**
 * With BENCH_CPU_PROF=DIR, `fn` runs under V8's CPU profiler and DIR/send-NAME.cpuprofile is written
 * (this process only: the emulator runs in its own). bench/_profile.ts summarises it.
 */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path.join(dir, `send-${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/** The request bodies the pipeline sent, as the emulator captured them (the first `count`). */
async function capturedBodies(emu: Emulator, count: number): Promise<{ body: Uint8Array<ArrayBuffer>; emails: number }[]> {
  const out = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${emu.url}/__bodies/${i}`);
    if (!res.ok) break;
    const body = new Uint8Array(await res.arrayBuffer());
    out.push({ body, emails: (JSON.parse(new TextDecoder().decode(body)) as unknown[]).length });
  }
  if (out.length === 0) throw new Error('the emulator captured no request body');
  return out;
}

/** The wire floor: the pipeline's own request bodies POSTed again as raw bytes, CONCURRENCY at a time. */
async function wireFloor(emu: Emulator, bodies: { body: Uint8Array<ArrayBuffer>; emails: number }[], emails: number): Promise<number> {
  let next = 0;
  let sent = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < emails) {
        const n = next++;
        const { body, emails: count } = bodies[n % bodies.length]!;
        sent += count;
        const res = await fetch(`${emu.url}/emails/batch`, {
          method: 'POST',
          headers: { authorization: 'Bearer re_bench', 'content-type': 'application/json', 'idempotency-key': `wire-${n}`, 'x-batch-validation': 'permissive' },
          body,
        });
        await res.arrayBuffer();
      }
    }),
  );
  return sent / ((performance.now() - t) / 1000);
}

/** What most tutorials do: render the whole email and call emails.send, one reader at a time, for the
 * same readers (and so the same digests) the pipeline sends to. */
async function naive(db: Db, emu: Emulator, readers: number): Promise<number> {
  const content = indexIssue(WEEK, await summariesForWeek(db, WEEK));
  const rows = await db.query<{ id: number; email: string; tags: string[] }>(
    `select s.id, s.email, array_agg(t.slug order by t.slug) tags from subscribers s
     join subscriptions x on x.subscriber_id = s.id join tags t on t.id = x.tag_id
     where s.status = 'active' group by s.id order by s.id limit $1`,
    [readers],
  );
  const resend = new Resend('re_bench', { baseUrl: emu.url });
  const t = performance.now();
  for (const r of rows) {
    const digest = assembleDigest(content, r.tags)!;
    const links = readerLinks({ secret: config.secret, publicUrl: config.publicUrl, mailDomain: 'example.com', subscriberId: r.id, issueId: 1 });
    const html = await render(createElement(WeeklyDigest, { digest, links }));
    const { error } = await resend.emails.send({ from: config.mailFrom, to: r.email, subject: digest.subject, html });
    if (error) throw new Error(error.message);
  }
  return rows.length / ((performance.now() - t) / 1000);
}

/** A worker process sends a whole issue; returns its peak RSS in MB. */
export async function workerRss(s: Scratch, emu: Emulator, readers: number, offset: number): Promise<number> {
  await seedReaders(s.db, readers, offset);
  const prefix = `{tagcast-bench-${randomBytes(3).toString('hex')}}`;
  const queues = createQueues({ redisUrl: REDIS_URL, installation: await installationId(s.db), prefix });
  const child = spawnTagcast(['worker'], {
    ...s.env,
    ...workerEnv(emu.url, prefix, 10000, REDIS_URL),
    LOG_LEVEL: 'error',
  });
  child.stderr!.on('data', (d) => process.stderr.write(d));
  try {
    const issue = await weekIssue(s.db, { week: WEEK, engine: 'react', subject: null });
    await sendIssueNow(s.db, queues, issue.id);
    let peak = 0;
    for (;;) {
      peak = Math.max(peak, peakRssMb(child.pid!));
      const i = (await getIssue(s.db, issue.id))!;
      if (i.status === 'sent') return peak;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await queues.close();
    await deleteKeys(prefix);
  }
}

export async function run(): Promise<void> {
  const readers = Number(process.env.BENCH_READERS ?? 20_000);
  // BENCH_PARTS=wire,naive,bound,scale runs only those parts (default: all; naive needs wire).
  const parts = new Set((process.env.BENCH_PARTS ?? 'wire,naive,bound,scale').split(','));
  const s = await scratchDb();
  try {
    await importPaths(s.db, [path.resolve('content', WEEK)]);
    // A real provider (the emulator speaks Resend) sends only with a postal address (src/publication.ts).
    await writeSettings(s.db, { postalAddress: '1 Bench Street, Benchville' }, 'bench');
    await seedReaders(s.db, readers);
    if (parts.has('wire')) await wireFigures(s, readers, parts);
    if (parts.has('bound')) await providerBound(s);
    if (parts.has('scale')) await scale(s);
  } finally {
    await s.close();
  }
}

/** One round: the pipeline on a fresh emulator, then the wire posting the pipeline's own bodies to it. */
async function wireRound(s: Scratch, readers: number, round: number): Promise<{ pipeline: number; wire: number; seconds: number; bytesPerEmail: number; pipelineCpuUs: number; wireCpuUs: number; emu: Emulator }> {
  // The emulator keeps the first 20 bodies the pipeline sends, so the wire floor posts exactly those bytes.
  const emu = await spawnEmulator({ apiKey: 're_bench', captureBodies: 20 });
  try {
    let cpu = process.cpuUsage();
    const p = await profiled(`pipeline-${round}`, () => pipeline(s.db, emu, 10_000));
    const pipeCpu = process.cpuUsage(cpu);
    const st = await emu.stats();
    if (st.duplicates !== 0 || st.accepted !== p.submitted) {
      throw new Error(`pipeline readers were not each accepted exactly once (${st.accepted} of ${p.submitted}, ${st.duplicates} duplicates)`);
    }
    const bodies = await capturedBodies(emu, 20);
    cpu = process.cpuUsage();
    const wire = await wireFloor(emu, bodies, readers);
    const wireCpu = process.cpuUsage(cpu);
    const us = (u: NodeJS.CpuUsage) => u.user + u.system;
    return {
      pipeline: p.emailsPerSecond,
      wire,
      seconds: p.seconds,
      bytesPerEmail: Math.round(bodies.reduce((n, b) => n + b.body.length, 0) / bodies.reduce((n, b) => n + b.emails, 0)),
      // CPU of this process per email: where the time goes when the figure is CPU-bound.
      pipelineCpuUs: us(pipeCpu) / p.submitted,
      wireCpuUs: us(wireCpu) / readers,
      emu,
    };
  } catch (e) {
    await emu.close();
    throw e;
  }
}

/**
 * The pipeline against the wire, ROUNDS times (BENCH_ROUNDS, default 3), each round's two figures side
 * by side on its own emulator: the figure is the median round by ratio, the machine being shared.
 */
async function wireFigures(s: Scratch, readers: number, parts: Set<string>): Promise<void> {
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const results: Awaited<ReturnType<typeof wireRound>>[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = await wireRound(s, readers, i);
    results.push(r);
    // Each round as it ends (stderr: the report lines stay alone on stdout), to line up with --trace-gc.
    process.stderr.write(`send.pipeline-vs-wire round ${i}: ${Math.round(r.pipeline)} against ${Math.round(r.wire)} emails/s (${(r.pipeline / r.wire).toFixed(3)}), ${r.seconds.toFixed(1)} s, ${Math.round(performance.now())} ms since start\n`);
    if (i < rounds - 1 || !parts.has('naive')) await r.emu.close();
  }
  const byRatio = [...results].sort((a, b) => a.pipeline / a.wire - b.pipeline / b.wire);
  const mid = byRatio[(byRatio.length - 1) >> 1]!;
  const ratioOf = (r: (typeof results)[number]) => Math.round((r.pipeline / r.wire) * 1000) / 1000;
  report('send.pipeline-vs-wire', mid.pipeline, 'emails/s', mid.wire, {
    readers,
    rounds: results.map((r) => ({ pipeline: Math.round(r.pipeline), wire: Math.round(r.wire), ratio: ratioOf(r) })),
    medianRatio: Math.round(median(results.map((r) => r.pipeline / r.wire)) * 1000) / 1000,
    targetRatio: 0.8,
    seconds: Math.round(mid.seconds * 100) / 100,
    baselineName: "raw POSTs of the pipeline's own request bodies (median round of " + rounds + ')',
    bytesPerEmail: mid.bytesPerEmail,
    concurrency: CONCURRENCY,
    pipelineCpuUsPerEmail: Math.round(mid.pipelineCpuUs),
    wireCpuUsPerEmail: Math.round(mid.wireCpuUs),
  });
  if (parts.has('naive')) {
    const last = results.at(-1)!;
    try {
      const naiveRate = await naive(s.db, last.emu, 1000);
      report('send.pipeline-vs-naive', mid.pipeline, 'emails/s', naiveRate, { baselineName: 'full React render + emails.send per reader (1,000 readers)' });
    } finally {
      await last.emu.close();
    }
  }
}

/**
 * The provider allows 5 requests/s. The figure is the rate the provider saw while sending, from the
 * first request's arrival to the last one's; the time before the first request (planning the issue,
 * the first renders) is reported beside it, with the end-to-end rate.
 */
async function providerBound(s: Scratch): Promise<void> {
  const bound = await spawnEmulator({ apiKey: 're_bench', rateLimit: 5 });
  try {
    await seedReaders(s.db, 15_000, 1); // 150 requests: a steady state, not start-up
    const b = await pipeline(s.db, bound, 5);
    const st = await bound.stats();
    const first = st.arrivals[0]!;
    const span = (st.arrivals.at(-1)! - first) / 1000;
    // Emails carried by every request after the first, over the time from the first to the last.
    const sustained = (st.accepted - 100) / span;
    report('send.provider-bound', sustained, 'emails/s', 500, {
      readers: b.submitted,
      requests: st.requests,
      rateLimited: st.rateLimited,
      rateLimitedShare: Math.round((st.rateLimited / st.requests) * 10_000) / 10_000,
      duplicates: st.duplicates,
      secondsToFirstRequest: Math.round(first - b.startedAt) / 1000,
      endToEnd: Math.round(b.emailsPerSecond * 10) / 10,
      endToEndRatio: Math.round((b.emailsPerSecond / 500) * 1000) / 1000,
      targetRatio: 0.98,
      endToEndTarget: 0.95,
      baselineName: '5 requests/s × 100 emails allowed by the provider',
    });
  } finally {
    await bound.close();
  }
}

async function scale(s: Scratch): Promise<void> {
  if (!process.env.BENCH_DATABASE_URL) {
    process.stderr.write('send.worker-rss and send.plan-200k need BENCH_DATABASE_URL (several processes share the database)\n');
    return;
  }
  const emu = await spawnEmulator({ apiKey: 're_bench' });
  try {
    const small = await workerRss(s, emu, 20_000, 2);
    const large = await workerRss(s, emu, 200_000, 3);
    report('send.worker-rss', large, 'MB', small, { baselineName: 'peak RSS at 20,000 readers', readers: 200_000 });
  } finally {
    await emu.close();
  }
  await seedReaders(s.db, 200_000, 4);
  const issue = await weekIssue(s.db, { week: WEEK, engine: 'react', subject: null });
  await s.db.query(`update issues set status = 'scheduled' where id = $1`, [issue.id]);
  const t = performance.now();
  await planIssue(s.db, issue.id, 100);
  report('send.plan-200k', (performance.now() - t) / 1000, 's', 20, { baselineName: 'target', readers: 200_000 });
}
