// Reader pages under load: `tagcast serve` on PostgreSQL in a child process (as deployed: NODE_ENV=production,
// default rate limits, Redis for their counts), driven from this process with autocannon. Every figure is
// beside GET /healthz on the same server in the same run (no database, no rate limit: the floor of a
// Fastify route here), measured in rounds interleaved with the pages; medians of ROUNDS rounds.
//   web.archive.*      GET /archive
//   web.tag.*          GET /tags/:slug (the tag with the most summaries)
//   web.feed.*         GET /feed.xml, as a feed reader asks for it (Accept: application/atom+xml)
//   web.tag-feed.*     GET /tags/:slug/feed.xml, likewise
//   web.web-version.*  GET /web/:issue?t=… (a reader's own digest, rendered per request), 2,000 readers' links
//   web.one-click.*    POST /unsubscribe?t=… with List-Unsubscribe=One-Click (RFC 8058), readers' links in turn
//   each as .rps (requests/s, ratio to /healthz), .p99 (ms, beside /healthz's p99) and .rss (the server's
//   peak RSS while that page was loaded, beside its RSS idle after start; VmHWM and the RSS after beside it)
// Checks (the bench throws when one fails):
//   web.one-click-1000   1,000 one-click POSTs for 1,000 readers at once: every answer 200, exactly those
//                        readers unsubscribed, each counted once on the issue; the same 1,000 again change nothing
//   web.subscribe-flood  FLOOD subscribe posts from one client: refused with 429 past the per-form limit,
//                        and the subscribers and notices grow by the accepted ones only (≤ the limit)
// Every request says what browsers and feed readers say, Accept-Encoding: gzip, deflate, br: the public pages go
// gzipped (compressed once per generation, src/web/page-cache.ts), the others as they are.
// The page rate limits stay at their defaults. Load comes from many readers, so each request carries its own
// X-Forwarded-For address and the server trusts loopback (TRUST_PROXY=loopback): every request still pays
// for its Redis count. Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres;
// a scratch database is created there and dropped); Redis: REDIS_URL (default redis://127.0.0.1:6379).
//   BENCH_ROUNDS=N          rounds (default 3)
//   BENCH_PAGES=a,b         only these pages (keys as above: archive, tag, feed, tag-feed, web-version, one-click)
//                           beside /healthz, and none of the checks: for trying a change quickly
//   BENCH_CPU_PROF=DIR      the server runs under V8's CPU profiler (node --cpu-prof) and writes
//                           DIR/web-serve.cpuprofile when it stops; bench/_profile.ts summarises it
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { freePort } from '../src/cli/redis.ts';
import { importPaths } from '../src/content/import.ts';
import type { Db } from '../src/db/connection.ts';
import { finalizeIssue, planIssue } from '../src/db/issues.ts';
import { readerLinks } from '../src/lib/reader-links.ts';
import { DEFAULT_RATE_LIMITS } from '../src/web/plugins/rate-limit.ts';
import { spawnTagcast } from '../tests/support/process.ts';
import { median, report } from './_report.ts';
import { requirePostgres, scratchDb } from './_scratch.ts';
import { weekIssue } from '../tests/support/issues.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-web-secret-0123456789abcdef-0123456789';
const MAIL_FROM = 'Tagcast <digest@bench.example>';
const READERS = 20_000;
const WEB_READERS = 2_000;
const CHECK_READERS = 1_000;
const CONNECTIONS = 50;
const SECONDS = 5;
const WARMUP_SECONDS = 1;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAGES = process.env.BENCH_PAGES?.split(',').map((p) => p.trim()).filter(Boolean);
const FLOOD = 2_000;
const ONE_CLICK_BODY = 'List-Unsubscribe=One-Click';
const FORM = 'application/x-www-form-urlencoded';
const BASELINE_NAME = 'GET /healthz on the same server (no database, not rate-limited)';
const RATE_LIMITS = `default (${DEFAULT_RATE_LIMITS.global.max}/min per client); each request from its own X-Forwarded-For address (TRUST_PROXY=loopback)`;

type Stats = { rssKb: number; hwmKb: number };

function procStatus(pid: number): Stats {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** The process's user + system CPU time, ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // After "(comm) ": state is field 3, utime 14 and stime 15 (1-based, as proc(5) numbers them).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const ms = (n: number) => Math.round(n * 10) / 10;

/** Mailbox providers and readers come from many addresses: one per request, 2^20 before any repeats. */
let nextClient = 0;
function clientAddress(): string {
  const i = nextClient++ % (1 << 20);
  return `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
}

/** What Chromium and Firefox send, and feed readers at least gzip of it. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** A request that walks through `paths` in turn, each time from another client address. */
function rotating(method: 'GET' | 'POST', paths: string[], body?: string, accept = 'text/html'): autocannon.Request {
  let i = 0;
  return {
    method,
    setupRequest: (req) => ({
      ...req,
      path: paths[i++ % paths.length]!,
      headers: { ...req.headers, accept, 'accept-encoding': ACCEPT_ENCODING, 'x-forwarded-for': clientAddress(), ...(body ? { 'content-type': FORM } : {}) },
      ...(body ? { body } : {}),
    }),
  };
}

async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, enableOfflineQueue: false, retryStrategy: () => null });
  let cause: Error | undefined;
  redis.on('error', (e: Error) => (cause = e));
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (e) {
    const shown = REDIS_URL.replace(/\/\/([^@/]*)@/, '//***@');
    process.stderr.write(`web: needs Redis (the rate-limit counts live there) and none answered at ${shown} (${(cause ?? (e as Error)).message}): start one, or set REDIS_URL\n`);
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The run's keys (queues, notices' jobs, rate-limit counts) on the Redis the server used. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

interface Seeded {
  /** The issue the throughput links name, and the one the 1,000-reader check's links name. */
  issueId: number;
  checkIssueId: number;
  web: number[];
  check: number[];
  oneClick: number[];
  /** The tag with the most summaries: its page and feed are measured. */
  tag: string;
}

/**
 * The sample content (both weeks), READERS readers following some of its tags, and one sent issue per week:
 * planned by plan-issue's own statement, then every pending delivery marked submitted and the issue finalised,
 * as the send pipeline leaves them (sending itself is bench/send.ts's subject).
 */
async function seed(db: Db): Promise<Seeded> {
  const imported = await importPaths(db, [path.resolve('content')]);
  if (imported.errors.length > 0) throw new Error(`content did not import: ${imported.errors.map((e) => e.message).join('; ')}`);
  await db.query(`insert into subscribers (email, status) select 'r' || i || '@web.bench.example', 'active' from generate_series(1, $1::int) i`, [READERS]);
  await db.query(
    `insert into subscriptions (subscriber_id, tag_id)
     select s.id, t.id from subscribers s cross join tags t where (s.id * 7 + t.id * 13) % 10 < 2
     union
     select s.id, (select tag_id from summary_tags group by tag_id order by count(*) desc, tag_id limit 1) from subscribers s
     on conflict do nothing`,
  );
  const ids: number[] = [];
  for (const week of ['2026-W47', '2026-W48']) {
    const issue = await weekIssue(db, { week, engine: 'react', subject: null });
    await db.query(`update issues set status = 'scheduled' where id = $1`, [issue.id]);
    await planIssue(db, issue.id, 100);
    await db.query(
      `update deliveries set status = 'submitted', submitted_at = now(), provider_id = 'bench-' || issue_id || '-' || subscriber_id
       where issue_id = $1 and status = 'pending'`,
      [issue.id],
    );
    if ((await finalizeIssue(db, issue.id))?.status !== 'sent') throw new Error(`issue ${issue.id} (${week}) was not finalised`);
    ids.push(issue.id);
  }
  const [checkIssueId, issueId] = ids as [number, number];
  const readers = (await db.query<{ id: number }>(`select subscriber_id as id from deliveries where issue_id = $1 and status = 'submitted' order by 1`, [issueId])).map((r) => r.id);
  if (readers.length < WEB_READERS + CHECK_READERS + 1000) throw new Error(`only ${readers.length} readers got the issue`);
  const [tag] = await db.query<{ slug: string }>(`select t.slug from tags t join summary_tags st on st.tag_id = t.id group by t.id order by count(*) desc, t.id limit 1`);
  // Three disjoint sets: one-click throughput unsubscribes its readers, the check needs active ones.
  return {
    tag: tag!.slug,
    issueId,
    checkIssueId,
    web: readers.slice(0, WEB_READERS),
    check: readers.slice(WEB_READERS, WEB_READERS + CHECK_READERS),
    oneClick: readers.slice(WEB_READERS + CHECK_READERS),
  };
}

interface Server {
  base: string;
  pid: number;
  idle: Stats;
  stop(): Promise<void>;
}

/** `tagcast serve` as deployed; with BENCH_CPU_PROF, under V8's profiler (a flag NODE_OPTIONS refuses). */
function serve(env: Record<string, string>): ChildProcess {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return spawnTagcast(['serve'], env);
  const flags = ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`, '--cpu-prof-name=web-serve.cpuprofile'];
  return spawn(process.execPath, [...flags, path.resolve('bin/tagcast.js'), 'serve'], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function startServer(env: Record<string, string>, prefix: string, dir: string): Promise<Server> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = serve({
    ...env,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    // The CSRF check compares the Origin with it; the reader links name it.
    PUBLIC_URL: base,
    SECRET,
    MAIL_FROM,
    NODE_ENV: 'production',
    // Warnings only: one info line per request to a pipe would measure pino, not the pages.
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'loopback',
    DATA_DIR: dir,
    OUTBOX_DIR: path.join(dir, 'outbox'),
  });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`tagcast serve exited (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
    try {
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`tagcast serve did not answer /healthz within a minute: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Idle: started, answered its first request, nothing loaded yet.
  await new Promise((r) => setTimeout(r, 1000));
  return { base, pid: child.pid!, idle: procStatus(child.pid!), stop };
}

interface Target {
  key: string;
  route: string;
  request: autocannon.Request;
}

interface Run {
  rps: number;
  requests: number;
  /** CPU time of the server and of this process (the client) per request, ms. */
  serverCpuMs: number;
  clientCpuMs: number;
  p99: number;
  bytes: number;
  peakRssKb: number;
}

/** One autocannon run; every answer must be a 2xx (a 429 or 500 would be measured as speed otherwise). */
async function load(server: Server, t: Target, seconds: number): Promise<Run> {
  let peakRssKb = 0;
  const sample = setInterval(() => (peakRssKb = Math.max(peakRssKb, procStatus(server.pid).rssKb)), 100);
  const serverCpu = cpuMs(server.pid);
  const clientCpu = process.cpuUsage();
  try {
    const r = await autocannon({ url: server.base, connections: CONNECTIONS, duration: seconds, timeout: 30, requests: [t.request] });
    if (r.errors > 0 || r.non2xx > 0) {
      throw new Error(`${t.route}: ${r.non2xx} answers were not 2xx (4xx: ${r['4xx']}, 5xx: ${r['5xx']}), ${r.errors} errors, ${r.timeouts} timeouts`);
    }
    peakRssKb = Math.max(peakRssKb, procStatus(server.pid).rssKb);
    const n = Math.max(1, r.requests.total);
    const client = process.cpuUsage(clientCpu);
    return {
      rps: r.requests.total / r.duration,
      requests: r.requests.total,
      serverCpuMs: (cpuMs(server.pid) - serverCpu) / n,
      clientCpuMs: (client.user + client.system) / 1000 / n,
      p99: r.latency.p99,
      bytes: Math.round(r.throughput.total / n),
      peakRssKb,
    };
  } finally {
    clearInterval(sample);
  }
}

async function throughput(server: Server, links: { web: string[]; oneClick: string[] }, db: Db, s: Seeded): Promise<void> {
  const baseline: Target = { key: 'healthz', route: 'GET /healthz', request: rotating('GET', ['/healthz']) };
  const targets: Target[] = [
    { key: 'archive', route: 'GET /archive', request: rotating('GET', ['/archive']) },
    { key: 'tag', route: 'GET /tags/:slug', request: rotating('GET', [`/tags/${encodeURIComponent(s.tag)}`]) },
    { key: 'feed', route: 'GET /feed.xml', request: rotating('GET', ['/feed.xml'], undefined, 'application/atom+xml') },
    { key: 'tag-feed', route: 'GET /tags/:slug/feed.xml', request: rotating('GET', [`/tags/${encodeURIComponent(s.tag)}/feed.xml`], undefined, 'application/atom+xml') },
    { key: 'web-version', route: 'GET /web/:issue', request: rotating('GET', links.web) },
    { key: 'one-click', route: 'POST /unsubscribe (one-click)', request: rotating('POST', links.oneClick, ONE_CLICK_BODY) },
  ];
  const chosen = PAGES ? targets.filter((t) => PAGES.includes(t.key)) : targets;
  const all = [baseline, ...chosen];
  // Warm-up: JIT, connection pools, the issue's fragment cache.
  for (const t of all) await load(server, t, WARMUP_SECONDS);
  const oneClickBefore = await unsubscribedCount(db, s.oneClick);
  const runs = new Map<string, Run[]>(all.map((t) => [t.key, []]));
  let oneClickRequests = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Each round in another order, so no page always follows the same one.
    for (let k = 0; k < all.length; k++) {
      const t = all[(k + round) % all.length]!;
      const r = await load(server, t, SECONDS);
      runs.get(t.key)!.push(r);
      if (t.key === 'one-click') oneClickRequests += r.requests;
    }
  }
  const oneClickChanged = (await unsubscribedCount(db, s.oneClick)) - oneClickBefore;
  const base = runs.get(baseline.key)!;
  const baseRps = median(base.map((r) => r.rps));
  const baseP99 = median(base.map((r) => r.p99));
  const final = procStatus(server.pid);
  const common = { baselineName: BASELINE_NAME, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, rateLimits: RATE_LIMITS, database: 'postgres' };
  for (const t of chosen) {
    const rs = runs.get(t.key)!;
    // Readers who were still subscribed when their POST came (the rest repeat an unsubscribe): requests
    // cut off when a run ends are answered and counted by the server, not by autocannon.
    const extra = t.key === 'one-click' ? { readers: s.oneClick.length, requestsAnswered: oneClickRequests, readersUnsubscribed: oneClickChanged } : t.key === 'web-version' ? { readers: s.web.length } : {};
    report(`web.${t.key}.rps`, median(rs.map((r) => r.rps)), 'req/s', baseRps, {
      route: t.route,
      runs: rs.map((r) => Math.round(r.rps)),
      baselineRuns: base.map((r) => Math.round(r.rps)),
      roundRatios: rs.map((r, i) => Math.round((r.rps / base[i]!.rps) * 1000) / 1000),
      bytesPerResponse: median(rs.map((r) => r.bytes)),
      // Where the time goes: the server's CPU per request (one core is 1000 ms a second), and the client's.
      serverCpuMsPerRequest: Math.round(median(rs.map((r) => r.serverCpuMs)) * 1000) / 1000,
      baselineServerCpuMsPerRequest: Math.round(median(base.map((r) => r.serverCpuMs)) * 1000) / 1000,
      clientCpuMsPerRequest: Math.round(median(rs.map((r) => r.clientCpuMs)) * 1000) / 1000,
      ...extra,
      ...common,
    });
    report(`web.${t.key}.p99`, median(rs.map((r) => r.p99)), 'ms', baseP99, {
      route: t.route,
      runs: rs.map((r) => r.p99),
      baselineRuns: base.map((r) => r.p99),
      ...common,
    });
    report(`web.${t.key}.rss`, mb(Math.max(...rs.map((r) => r.peakRssKb))), 'MB', mb(server.idle.rssKb), {
      route: t.route,
      baselineName: 'the server idle after start (VmRSS)',
      // Round by round: a figure that only grows would be a leak, one that levels off is the heap's size.
      peakPerRoundMB: rs.map((r) => mb(r.peakRssKb)),
      peakWhileHealthzMB: mb(Math.max(...base.map((r) => r.peakRssKb))),
      vmHwmMB: mb(final.hwmKb),
      rssAfterMB: mb(final.rssKb),
    });
  }
}

async function unsubscribedCount(db: Db, ids: number[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from subscribers where id = any($1::int[]) and status = 'unsubscribed'`, [ids]);
  return row!.n;
}

/** `paths` POSTed all at once, each on its own connection; the statuses and latencies, errors counted apart. */
async function burst(base: string, paths: string[]): Promise<{ statuses: Map<number, number>; errors: string[]; p99: number; seconds: number }> {
  const agent = new Agent({ connections: paths.length, pipelining: 1, connect: { timeout: 30_000 }, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const t = performance.now();
  try {
    const answers = await Promise.allSettled(
      paths.map(async (p) => {
        const t0 = performance.now();
        const res = await request(`${base}${p}`, { method: 'POST', dispatcher: agent, headers: { 'content-type': FORM }, body: ONE_CLICK_BODY });
        await res.body.dump();
        return { status: res.statusCode, ms: performance.now() - t0 };
      }),
    );
    const statuses = new Map<number, number>();
    const errors: string[] = [];
    const latencies: number[] = [];
    for (const a of answers) {
      if (a.status === 'rejected') errors.push(String((a.reason as Error).message));
      else {
        statuses.set(a.value.status, (statuses.get(a.value.status) ?? 0) + 1);
        latencies.push(a.value.ms);
      }
    }
    latencies.sort((a, b) => a - b);
    return { statuses, errors, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0, seconds: (performance.now() - t) / 1000 };
  } finally {
    await agent.close();
  }
}

const describe = (m: Map<number, number>) => [...m].map(([k, v]) => `${v}×${k}`).join(', ');

/** 1,000 one-click POSTs for 1,000 readers at once, then the same 1,000 again. */
async function oneClickBurst(server: Server, db: Db, s: Seeded, paths: string[]): Promise<void> {
  const snapshot = async () => {
    const rows = await db.query<{ id: number; status: string; at: Date | null }>(
      `select id, status, unsubscribed_at as at from subscribers where id = any($1::int[]) order by id`,
      [s.check],
    );
    const [totals] = await db.query<{ counted: number; everyone: number }>(
      `select (select count(*)::int from issue_unsubscribes where issue_id = $1) as counted, (select count(*)::int from subscribers where status = 'unsubscribed') as everyone`,
      [s.checkIssueId],
    );
    return {
      unsubscribed: rows.filter((r) => r.status === 'unsubscribed').length,
      stamps: JSON.stringify(rows.map((r) => [r.id, r.at?.toISOString()])),
      counted: totals!.counted,
      everyone: totals!.everyone,
    };
  };
  const before = await snapshot();
  if (before.unsubscribed !== 0 || before.counted !== 0) throw new Error('the 1,000 readers of the one-click check were not all subscribed before it');
  const first = await burst(server.base, paths);
  const ok = first.statuses.get(200) ?? 0;
  if (ok !== paths.length) throw new Error(`one-click: ${ok} of ${paths.length} concurrent POSTs answered 200 (${describe(first.statuses)}; ${first.errors.length} errors: ${first.errors.slice(0, 3).join('; ')})`);
  const after = await snapshot();
  if (after.unsubscribed !== paths.length || after.counted !== paths.length || after.everyone - before.everyone !== paths.length) {
    throw new Error(
      `one-click: after ${paths.length} POSTs, ${after.unsubscribed} of those readers are unsubscribed (${after.everyone - before.everyone} readers in all) and the issue counts ${after.counted} unsubscribes`,
    );
  }
  const again = await burst(server.base, paths);
  const okAgain = again.statuses.get(200) ?? 0;
  if (okAgain !== paths.length) throw new Error(`one-click repeated: ${okAgain} of ${paths.length} answered 200 (${describe(again.statuses)}; ${again.errors.length} errors)`);
  const repeated = await snapshot();
  if (repeated.counted !== after.counted || repeated.stamps !== after.stamps || repeated.everyone !== after.everyone) {
    throw new Error(`one-click repeated: the issue now counts ${repeated.counted} unsubscribes (was ${after.counted}), or a reader's unsubscribe time changed`);
  }
  report('web.one-click-1000', ok, 'answered 200', paths.length, {
    baselineName: 'POSTs sent at once, each for another reader',
    readersUnsubscribed: after.unsubscribed,
    countedOnIssue: after.counted,
    seconds: Math.round(first.seconds * 100) / 100,
    p99ms: ms(first.p99),
    repeatedAnswered200: okAgain,
    countedAfterRepeat: repeated.counted,
    repeatSeconds: Math.round(again.seconds * 100) / 100,
    database: 'postgres',
  });
}

/** FLOOD subscribe posts from one client, CONNECTIONS at a time, with the form's CSRF field and cookie. */
async function subscribeFlood(server: Server, db: Db): Promise<void> {
  const client = '198.51.100.7';
  const limit = DEFAULT_RATE_LIMITS.publicPost;
  const form = await request(`${server.base}/subscribe`, { headers: { 'x-forwarded-for': client, accept: 'text/html' } });
  const html = await form.body.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const setCookie = form.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
  if (form.statusCode !== 200 || !csrf || !cookie) throw new Error(`GET /subscribe answered ${form.statusCode} without the form's CSRF field or cookie`);
  const [tag] = await db.query<{ slug: string }>(`select slug from tags order by id limit 1`);
  const count = async () => {
    const [row] = await db.query<{ subscribers: number; notices: number }>(
      `select (select count(*)::int from subscribers) as subscribers, (select count(*)::int from notices) as notices`,
    );
    return row!;
  };
  const before = await count();
  const agent = new Agent({ connections: CONNECTIONS });
  const statuses = new Map<number, number>();
  let retryAfterMissing = 0;
  let next = 0;
  const t = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < FLOOD) {
          const i = next++;
          const body = new URLSearchParams({ _csrf: csrf, email: `flood-${i}@flood.bench.example`, name: '', tags: tag!.slug, time_zone: 'UTC', website: '' }).toString();
          const res = await request(`${server.base}/subscribe`, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': FORM, cookie, origin: server.base, 'x-forwarded-for': client, accept: 'text/html' },
            body,
          });
          await res.body.dump();
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode === 429 && !res.headers['retry-after']) retryAfterMissing++;
        }
      }),
    );
  } finally {
    await agent.close();
  }
  const seconds = (performance.now() - t) / 1000;
  const after = await count();
  const accepted = statuses.get(200) ?? 0;
  const refused = statuses.get(429) ?? 0;
  const grown = after.subscribers - before.subscribers;
  const noticesGrown = after.notices - before.notices;
  // An accepted post must store its reader, or a broken form would pass as a perfect limit.
  if (accepted < 1 || accepted > limit.max || accepted + refused !== FLOOD || retryAfterMissing > 0) {
    throw new Error(`subscribe flood: ${describe(statuses)} of ${FLOOD} (expected 1 to ${limit.max} × 200, the rest 429 with Retry-After; ${retryAfterMissing} without)`);
  }
  if (grown !== accepted || noticesGrown !== accepted) {
    throw new Error(`subscribe flood: ${accepted} posts accepted, but subscribers grew by ${grown} and notices by ${noticesGrown}`);
  }
  report('web.subscribe-flood', grown, 'subscribers added', limit.max, {
    baselineName: `the per-client limit of a public form (${limit.max} a minute, DEFAULT_RATE_LIMITS.publicPost)`,
    sent: FLOOD,
    answered200: accepted,
    answered429: refused,
    noticesAdded: noticesGrown,
    seconds: Math.round(seconds * 100) / 100,
    rateLimits: 'default; one client address',
    database: 'postgres',
  });
}

export async function run(): Promise<void> {
  const version = await requirePostgres('web');
  if (!(await redisAnswers())) {
    process.exitCode = 1;
    return;
  }
  const cpus = os.cpus();
  process.stdout.write(
    `${JSON.stringify({
      name: 'web.machine',
      cpus: cpus.length,
      model: cpus[0]?.model,
      node: process.version,
      totalMemMB: Math.round(os.totalmem() / 1048576),
      loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
      postgres: version,
      note: 'client (autocannon) and server share these cores',
    })}\n`,
  );
  const scratch = await scratchDb();
  const prefix = `{tagcast-bench-web-${randomBytes(3).toString('hex')}}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tagcast-bench-web-'));
  let server: Server | undefined;
  try {
    const s = await seed(scratch.db);
    server = await startServer(scratch.env, prefix, dir);
    const linkFor = (issueId: number) => (id: number) => readerLinks({ secret: SECRET, publicUrl: server!.base, mailDomain: 'bench.example', subscriberId: id, issueId });
    const local = (url: string) => url.slice(server!.base.length);
    const links = {
      web: s.web.map((id) => local(linkFor(s.issueId)(id).web)),
      oneClick: s.oneClick.map((id) => local(linkFor(s.issueId)(id).unsubscribe)),
    };
    await throughput(server, links, scratch.db, s);
    if (PAGES) return;
    await oneClickBurst(server, scratch.db, s, s.check.map((id) => local(linkFor(s.checkIssueId)(id).unsubscribe)));
    await subscribeFlood(server, scratch.db);
  } finally {
    await server?.stop();
    await deleteKeys(prefix);
    await scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
