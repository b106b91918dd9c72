// tagcast on a real Redis Cluster: three masters started for this file on free loopback ports
// (tests/support/redis-cluster.ts), REDIS_CLUSTER=true. An issue goes out through it to every reader
// exactly once (counted by the Resend emulator), its requests spaced by the shared pacer, with the
// shared rate limit set in the cluster, every master's eviction policy checked and every key in one
// slot; `tagcast issue send --wait` and `tagcast issue test` do the same from the configuration alone,
// starting from a node that does not hold the queues; the web server's rate-limit store and /metrics
// work on the cluster; a plain server named as a cluster is one line; REDIS_CLUSTER's settings are
// checked.
//
// The cluster part runs on PostgreSQL only: a cluster is for installations past one machine, which
// run PostgreSQL, and what is checked here is Redis's side, the same for either database (the
// configuration checks run on both: they need neither).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSettings } from '../../src/db/settings.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { installationId } from '../../src/db/installation.ts';
import { type Issue } from '../../src/db/issues.ts';
import { metricsKey } from '../../src/lib/redis-keys.ts';
import { ProviderRequestCounts, providerRequests } from '../../src/metrics.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { ensureTags } from '../../src/db/summaries.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { createQueues, redisClient, redisMasters, type Queues, type RedisClient } from '../../src/queue.ts';
import { SLACK } from '../../src/send/pacer.ts';
import { createResend } from '../../src/send/resend.ts';
import { createServer } from '../../src/web/app.ts';
import { rateLimiter, startWorkers, type Workers } from '../../src/workers.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { inProcess } from '../support/in-process.ts';
import { recording, testConfig, waitForStatus, type Recorder } from '../support/pipeline.ts';
import { READER_ENV } from '../support/reader.ts';
import { startRedisCluster, type TestCluster } from '../support/redis-cluster.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { weekIssue } from '../support/issues.ts';

const WEEK = '2026-W48';
/** Provider requests per second: the workers' limit and the pacer's. */
const RATE = 20;
// A slot is kept on Redis's clock and turned into this machine's time with the clock read when its
// answer is read, so each is later by that answer's trip from Redis: a few milliseconds with four
// batches rendering beside it (pacer.test.ts checks the slots on Redis's clock, exactly).
const SLOT_JITTER_MS = 15;
// The provider holds a request until its slot, both on this machine's clock, read a moment apart.
const CLOCK_READ_MS = 2;

/** Fails after ms instead of waiting out the test's timeout (a send stuck on a wrong connection hangs). */
async function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done in ${ms / 1000} s`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('REDIS_CLUSTER settings', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env, '/nonexistent');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
  };

  it('is off by default and takes one seed or several, comma-separated', () => {
    expect(loadConfig({}, '/nonexistent').redisCluster).toBe(false);
    const c = loadConfig({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://:pw@10.0.0.1:7000, redis://:pw@10.0.0.2:7000' }, '/nonexistent');
    expect(c).toMatchObject({ redisCluster: true, redisUrl: 'redis://:pw@10.0.0.1:7000, redis://:pw@10.0.0.2:7000', queuePrefix: '{tagcast}' });
    expect(loadConfig({ REDIS_CLUSTER: 'false' }, '/nonexistent').redisCluster).toBe(false);
  });

  it('refuses a queue prefix that is not a hash tag, in one line', async () => {
    const lines = problems({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'tagcast' });
    expect(lines).toEqual([expect.stringMatching(/^QUEUE_PREFIX: must be a hash tag in braces, e\.g\. \{tagcast\}, when REDIS_CLUSTER=true: .*\(got "tagcast"\)$/)]);
    expect(lines[0]).not.toContain('\n');
    // The same prefix is fine on one server.
    expect(loadConfig({ QUEUE_PREFIX: 'tagcast' }, '/nonexistent').queuePrefix).toBe('tagcast');
    // And a command stops with that line, exit code 2, before it touches anything.
    const run = await inProcess(['issue', 'list'], { REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'tagcast' });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`config: ${lines[0]}\n`);
  });

  it('refuses other values, several servers without REDIS_CLUSTER, and seeds that disagree, one line each', () => {
    expect(problems({ REDIS_CLUSTER: 'yes' })).toEqual(['REDIS_CLUSTER: must be true or false (got "yes")']);
    expect(problems({ REDIS_URL: 'redis://a:7000,redis://b:7000' })).toEqual([expect.stringMatching(/^REDIS_URL: names several servers .*REDIS_CLUSTER=true/)]);
    expect(problems({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:7000/2' })).toEqual([expect.stringMatching(/^REDIS_URL: .*only database 0$/)]);
    const secret = 'pw-never-shown-1';
    const lines = problems({ REDIS_CLUSTER: 'true', REDIS_URL: `redis://:${secret}@a:7000,redis://b:7000` });
    expect(lines).toEqual([expect.stringMatching(/^REDIS_URL: the cluster nodes differ in scheme, user name or password/)]);
    expect(lines.join('\n')).not.toContain(secret);
    expect(problems({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:7000,http://b' })).toEqual(['REDIS_URL: must start with redis:// or rediss://']);
  });
});

describe.runIf(process.env.TAGCAST_TEST_DB === 'postgres').sequential('a three-master Redis Cluster', () => {
  let cluster: TestCluster;
  let t: TestDb;
  let emu: Emulator;
  let installation: string;
  const prefixes: string[] = [];
  const clients: RedisClient[] = [];
  let domain = 0;

  beforeAll(async () => {
    // Both at once: the cluster takes a few seconds to form, the database a moment to clone. The
    // database is kept (for afterAll to drop) even when the cluster does not start.
    const db = createTestDb();
    try {
      cluster = await startRedisCluster();
    } finally {
      t = await db;
      // A real provider sends only with a postal address in the settings (src/publication.ts).
      await writeSettings(t.db, { postalAddress: '1 Test Street, Testville' }, 'test');
    }
    installation = await installationId(t.db);
    emu = await startResendEmulator({ rateLimit: RATE });
    await ensureTags(t.db, ['AI']);
    await t.db.exec(`insert into summaries (source_key, content_hash, week, title, signal, case_points, take)
      values ('k1', 'h', '${WEEK}', 'Clustered queues', 'S', '["c"]', 'T')`);
    await t.db.exec(`insert into summary_tags (summary_id, tag_id, position) select s.id, t.id, 0 from summaries s, tags t`);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    // No keys to delete: the cluster and its folder go with stop().
    await emu?.close();
    await t?.drop();
    await cluster?.stop();
  });

  /** A fresh set of readers for each issue, so each issue's recipients are its own. */
  async function readers(n: number): Promise<string[]> {
    domain++;
    const emails = Array.from({ length: n }, (_, i) => `r${i}@cluster${domain}.example`);
    await t.db.query(`update subscribers set status = 'unsubscribed'`);
    await upsertSubscribers(t.db, emails.map((email) => ({ email, name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' })));
    return emails;
  }

  function newPrefix(): string {
    const p = testPrefix();
    prefixes.push(p);
    return p;
  }

  /** Every key under the prefix, by the port of the master holding it. */
  async function keysByNode(prefix: string): Promise<Map<number, string[]>> {
    const found = new Map<number, string[]>();
    for (const [i, node] of cluster.nodes.entries()) {
      const keys: string[] = [];
      for await (const batch of node.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) keys.push(...batch);
      if (keys.length > 0) found.set(cluster.ports[i]!, keys.sort());
    }
    return found;
  }

  /** The port of the master that serves the slot of this key (or hash tag). */
  async function ownerOf(key: string): Promise<number> {
    const slot = Number(await cluster.nodes[0]!.cluster('KEYSLOT', key));
    const range = (await cluster.nodes[0]!.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to);
    return Number(range![2]![1]);
  }

  function emulatorCounts(emails: string[]) {
    return { missingOrRepeated: emails.filter((e) => emu.stats.accepted.get(e) !== 1), accepted: emails.filter((e) => emu.stats.accepted.has(e)).length };
  }

  it('sends an issue to 300 readers exactly once, paced, under the shared limit set in the cluster, every key in one slot, every master checked', async () => {
    const prefix = newPrefix();
    const config = loadConfig(
      { ...READER_ENV, REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', QUEUE_PREFIX: prefix, RESEND_RATE_LIMIT: String(RATE) },
      '/nonexistent',
    );
    expect(config.redisCluster).toBe(true);
    const queues: Queues = createQueues({ redisUrl: config.redisUrl, redisCluster: config.redisCluster, installation, prefix: config.queuePrefix });
    const owner = await ownerOf(prefix);
    const provider: Recorder = recording(createResend({ apiKey: emu.options.apiKey, baseUrl: emu.url, timeoutMs: 5000 }));
    let workers: Workers | undefined;
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (warnings.push(String(chunk)), done()) }));
    // One master that does not hold the queues may evict keys: a worker asks every master, and says so.
    const other = cluster.ports.findIndex((p) => p !== owner);
    await cluster.nodes[other]!.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const emails = await readers(300);
      const requestsBefore = emu.stats.arrivals.length;
      const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
      await sendIssueNow(t.db, queues, issue.id);
      workers = startWorkers(
        {
          db: t.db,
          config: { ...testConfig, resend: { ...testConfig.resend, rateLimit: config.resend.rateLimit } },
          provider,
          queues,
          log,
          now: () => new Date(),
          batchSize: 10,
          leaseMs: 60_000,
        },
        { sendConcurrency: 4 },
      );
      const sent: Issue = await within('the issue', 30_000, waitForStatus(t.db, issue.id));

      // Exactly once, as the provider counted it.
      expect(sent).toMatchObject({ status: 'sent', submitted: 300, failed: 0 });
      expect(emulatorCounts(emails)).toEqual({ missingOrRepeated: [], accepted: 300 });
      expect(emu.stats.conflicts).toBe(0);

      // The pacer: every request carried a slot from the one key in the cluster; across the four
      // concurrent batches no two slots bunch, no second of slots holds more than RATE requests
      // (RATE gaps span RATE × spacing, slack included), and no request reached the provider before
      // its slot: the k-th arrival is no earlier than the k-th slot.
      const slots = provider.calls.map((c) => c.notBefore);
      expect(slots.every((s) => typeof s === 'number')).toBe(true);
      const sorted = (slots as number[]).slice().sort((a, b) => a - b);
      expect(sorted.length).toBeGreaterThanOrEqual(30); // 300 readers in batches of 10
      const spacing = (1000 / RATE) * SLACK;
      const gaps = sorted.slice(1).map((s, i) => s - sorted[i]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(spacing - 2 * SLOT_JITTER_MS);
      for (let i = 0; i + RATE < sorted.length; i++) expect(sorted[i + RATE]! - sorted[i]!).toBeGreaterThanOrEqual(RATE * spacing - 2 * SLOT_JITTER_MS);
      expect(RATE * spacing - 2 * SLOT_JITTER_MS).toBeGreaterThanOrEqual(980); // the check above is about one second
      const arrivals = emu.stats.arrivals.slice(requestsBefore).sort((a, b) => a - b);
      expect(arrivals.length).toBe(sorted.length);
      for (const [k, at] of arrivals.entries()) expect(at, `request ${k}`).toBeGreaterThanOrEqual(sorted[k]! - CLOCK_READ_MS);

      // The shared limit, in the send queue's metadata on the cluster, where every worker reads it.
      const meta = await queues.connection.hgetall(`${queues.send.qualifiedName}:meta`);
      expect({ max: Number(meta.max), duration: Number(meta.duration) }).toEqual(rateLimiter(RATE));

      // The heartbeat takes its lock and re-asserts the limit on the cluster too.
      await queues.connection.hdel(`${queues.send.qualifiedName}:meta`, 'max', 'duration');
      await workers.heal();
      expect(await queues.connection.exists(`${queues.issues.qualifiedName}:heartbeat`)).toBe(1);
      const healed = await queues.connection.hgetall(`${queues.send.qualifiedName}:meta`);
      expect({ max: Number(healed.max), duration: Number(healed.duration) }).toEqual(rateLimiter(RATE));

      expect(warnings.filter((w) => w.includes('maxmemory-policy is allkeys-lru'))).toHaveLength(1);

      // Every key of this installation sits on the one master that serves the prefix's slot: the
      // queues, the pacer, the heartbeat lock.
      const byNode = await keysByNode(prefix);
      expect([...byNode.keys()]).toEqual([owner]);
      const keys = [...byNode.values()][0]!;
      expect(keys).toEqual(
        expect.arrayContaining([`${queues.send.qualifiedName}:meta`, `${queues.send.qualifiedName}:pacer`, `${queues.issues.qualifiedName}:heartbeat`, `${queues.send.qualifiedName}:completed`]),
      );
      const slotOf = async (k: string) => Number(await cluster.nodes[0]!.cluster('KEYSLOT', k));
      const prefixSlot = await slotOf(prefix);
      for (const k of keys) expect(await slotOf(k), k).toBe(prefixSlot);
      // The masters: found through the cluster client, not the seeds.
      expect((await redisMasters(queues.connection)).map((n) => n.options.port).sort()).toEqual(cluster.ports.slice().sort());
    } finally {
      await cluster.nodes[other]!.config('SET', 'maxmemory-policy', 'noeviction');
      await workers?.close();
      await queues.close();
    }
  });

  it('`tagcast issue send --wait` and `issue test` with REDIS_CLUSTER=true use the cluster from one seed that does not hold the queues', async () => {
    const prefix = newPrefix();
    // Started from a node that does not serve the queues' slot: a plain client there would be told
    // MOVED for every queue command.
    const owner = await ownerOf(prefix);
    const seed = cluster.ports.find((p) => p !== owner)!;
    const emails = await readers(100);
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'mjml', subject: null });
    const clusterEnv = {
      ...t.env,
      ...READER_ENV,
      REDIS_URL: `redis://127.0.0.1:${seed}`,
      REDIS_CLUSTER: 'true',
      QUEUE_PREFIX: prefix,
      EMAIL_PROVIDER: 'resend',
      RESEND_API_KEY: emu.options.apiKey,
      RESEND_BASE_URL: emu.url,
    };
    const run = await within(
      'tagcast issue send --wait',
      30_000,
      inProcess(['issue', 'send', String(issue.id), '--wait'], { ...clusterEnv, RESEND_RATE_LIMIT: String(RATE), LOG_LEVEL: 'error' }),
    );
    expect(run.stderr).not.toMatch(/tagcast:|error/i);
    expect(run.stderr).toMatch(/^  sent: 100 of 100 handed to resend$/m);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/sent/);
    expect(emulatorCounts(emails)).toEqual({ missingOrRepeated: [], accepted: 100 });
    // The worker set the shared limit in the cluster, on the master that serves the prefix.
    const byNode = await keysByNode(prefix);
    expect([...byNode.keys()]).toEqual([owner]);
    const meta = await cluster.nodes[cluster.ports.indexOf(owner)]!.hgetall(`${prefix}:send-${installation}:meta`);
    expect({ max: Number(meta.max), duration: Number(meta.duration) }).toEqual(rateLimiter(RATE));

    // `tagcast issue test` counts its limit in the cluster too (else it would count in-process).
    const test = await inProcess(['issue', 'test', String(issue.id), '--to', 'editor@cluster.example'], clusterEnv);
    expect(test.stderr).toBe('');
    expect(test).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sent a test of issue \d+ to editor@cluster\.example/) });
    expect(emu.stats.accepted.get('editor@cluster.example')).toBe(1);
    expect(await cluster.nodes[cluster.ports.indexOf(owner)]!.get(`${prefix}:test-send:${installation}:${issue.id}`)).toBe('1');
  });

  it('clears a prefix on every master (the tests’ deleteKeys)', async () => {
    const prefix = prefixes[0]!; // the first test's, its workers and queues closed
    const before = [...(await keysByNode(prefix)).values()].flat().length;
    expect(before).toBeGreaterThan(0);
    expect(await deleteKeys(prefix, { redisUrl: cluster.url, redisCluster: true })).toBe(before);
    expect((await keysByNode(prefix)).size).toBe(0);
  });

  it('says so in one line when REDIS_CLUSTER=true names a server that is not in cluster mode', async () => {
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    const run = await inProcess(['issue', 'send', String(issue.id)], { ...t.env, ...READER_ENV, REDIS_URL, REDIS_CLUSTER: 'true', QUEUE_PREFIX: newPrefix() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tagcast: Redis Cluster is not answering at redis:\/\/\S+ \(.*cluster support disabled\)\. With REDIS_CLUSTER=true, REDIS_URL names/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('keeps the web server’s rate-limit counts and /metrics in the cluster', async () => {
    const prefix = newPrefix();
    const config = { ...loadConfig({ ...READER_ENV, REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', QUEUE_PREFIX: prefix }, '/nonexistent'), secret: testConfig.secret };
    // As `tagcast serve` makes it (src/cli/processes.ts): fails fast rather than hang a request.
    const redis = redisClient(config, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    clients.push(redis);
    await redisMasters(redis); // ready: with the offline queue off, a command before that is refused
    const queues = createQueues({ redisUrl: config.redisUrl, redisCluster: config.redisCluster, installation, prefix: config.queuePrefix });
    const app = await createServer({
      db: t.db,
      config,
      log: pino({ level: 'silent' }),
      redis,
      queues: async () => queues,
      rateLimits: { global: { max: 3, timeWindow: 60_000 } },
    });
    try {
      app.get('/test/counted', async () => 'ok');
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await app.inject({ method: 'GET', url: '/test/counted' })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const byNode = await keysByNode(prefix);
      expect([...byNode.keys()]).toEqual([await ownerOf(prefix)]);
      expect([...byNode.values()][0]!.some((k) => k.startsWith(`${prefix}:rate-limit:`))).toBe(true);

      // A worker's provider counts, shared through the cluster, and BullMQ's figures from it.
      const workerCounts = new ProviderRequestCounts();
      workerCounts.share(queues.connection, metricsKey(prefix, installation));
      for (let i = 0; i < 3; i++) workerCounts.record('ok');
      await workerCounts.flush();
      expect(workerCounts.local().ok).toBe(0); // in the cluster's hash, not pending here
      await queues.send.add('send-batch', { issueId: 1, batch: 0 }, { jobId: 'metrics-probe' });
      const ownOk = providerRequests.local().ok; // this test process's own, which a scrape adds
      // A public PUBLIC_URL needs METRICS_TOKEN (src/config.ts): the scrape carries it, as Prometheus would.
      const scrape = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${config.metricsToken}` } });
      expect(scrape.statusCode).toBe(200);
      expect(scrape.body).toContain(`bullmq_job_count{queue="send-${installation}", state="waiting"} 1`);
      expect(scrape.body).toMatch(new RegExp(`^tagcast_provider_requests_total\\{outcome="ok"\\} ${3 + ownOk}$`, 'm'));
    } finally {
      await app.close();
      await queues.close();
    }
  });
});
