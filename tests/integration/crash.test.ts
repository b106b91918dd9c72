// Worker processes killed with SIGKILL mid-send, several workers on one issue, Redis losing every
// job, and a worker stopped with SIGTERM while its batch is at the provider: through the emulator's
// faults, every reader is accepted exactly once. PostgreSQL only: the embedded database has one owner
// process by design, so several worker processes need a server. Each issue has its own week.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSettings } from '../../src/db/settings.ts';
import { issueProgress } from '../../src/db/deliveries.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { ensureTags } from '../../src/db/summaries.ts';
import { sendIssueNow } from '../../src/issues.ts';
import type { Queues } from '../../src/queue.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { waitForStatus } from '../support/pipeline.ts';
import { inProcess } from '../support/in-process.ts';
import { spawnTagcast } from '../support/process.ts';
import { providerGate, type ProviderGate } from '../support/provider-gate.ts';
import { deleteKeys, testPrefix, testQueues } from '../support/redis.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { weekIssue } from '../support/issues.ts';
import { eventually } from '../support/eventually.ts';

const WEEKS = ['2026-W45', '2026-W46', '2026-W47', '2026-W48'];
let weeks = 0;
const nextWeek = () => WEEKS[weeks++]!;

describe.runIf(process.env.TAGCAST_TEST_DB === 'postgres').sequential('crashes, several workers and Redis loss', () => {
  let t: TestDb;
  let queues: Queues;
  const prefix = testPrefix();
  const children = new Set<ChildProcess>();
  let domain = 0;

  beforeAll(async () => {
    t = await createTestDb();
    // A real provider sends only with a postal address in the settings (src/publication.ts).
    await writeSettings(t.db, { postalAddress: '1 Test Street, Testville' }, 'test');
    queues = await testQueues(t.db, prefix);
    await ensureTags(t.db, ['AI', 'Rust']);
    for (const week of WEEKS) {
      await t.db.exec(`insert into summaries (source_key, content_hash, week, title, signal, case_points, take)
        values ('c1-${week}', 'h', '${week}', 'Crash-safe sending', 'S', '["c"]', 'T'), ('c2-${week}', 'h', '${week}', 'Rust news', 'S', '["c"]', 'T')`);
    }
    await t.db.exec(`insert into summary_tags (summary_id, tag_id, position)
      select s.id, t.id, 0 from summaries s join tags t on (s.source_key like 'c1-%') = (t.slug = 'ai')`);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await queues?.close();
    await deleteKeys(prefix);
    await t?.drop();
  });

  async function readers(n: number): Promise<string[]> {
    domain++;
    const emails = Array.from({ length: n }, (_, i) => `r${i}@crash${domain}.example`);
    await t.db.query(`update subscribers set status = 'unsubscribed'`);
    await upsertSubscribers(t.db, emails.map((email, i) => ({ email, name: null, timeZone: null, tags: i % 2 ? ['AI'] : ['AI', 'Rust'], status: 'active', source: 'test' })));
    return emails;
  }

  /** A worker process; `baseUrl` puts a gate between it and the emulator. */
  function worker(emu: Emulator, rate: number, env: Record<string, string> = {}): ChildProcess {
    const child = spawnTagcast(['worker'], {
      ...t.env,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      EMAIL_PROVIDER: 'resend',
      RESEND_API_KEY: emu.options.apiKey,
      RESEND_BASE_URL: emu.url,
      RESEND_RATE_LIMIT: String(rate),
      RESEND_TIMEOUT_MS: '2000',
      SEND_LEASE_MS: '4000',
      WORKER_LOCK_MS: '2000',
      LOG_LEVEL: 'error',
      PUBLIC_URL: 'https://news.example.test',
      SECRET: 'crash-test-secret-0123456789abcdef0123',
      METRICS_TOKEN: 'crash-test-metrics-token-0123456789',
      ...env,
    });
    child.stderr!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  }

  const stop = async (c: ChildProcess, signal: NodeJS.Signals): Promise<number | null> => {
    const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
    c.kill(signal);
    return exited;
  };
  /** Deliveries of the issue still pending under a lease that has not expired: a batch in flight. */
  const leasedNow = async (issueId: number) =>
    (await t.db.query<{ n: number }>(`select count(*)::int as n from deliveries where issue_id = $1 and status = 'pending' and lease_until > now()`, [issueId]))[0]!.n;

  it('sends 5,000 readers exactly once with 5% 5xx, 2% lost responses, 10 req/s, and a worker SIGKILLed three times', async () => {
    const emu = await startResendEmulator({ failRate: 0.05, dropAfterAcceptRate: 0.02, rateLimit: 10, seed: 9 });
    try {
      const emails = await readers(5000);
      const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'mjml', subject: null });
      let w = worker(emu, 10);
      await sendIssueNow(t.db, queues, issue.id);
      const leasedAtKill: number[] = [];
      for (const target of [800, 2000, 3200]) {
        // A kill counts only when it lands mid-lease: after it, the dead worker's leases are still
        // held (nobody else runs). One that landed between batches is tried again.
        for (;;) {
          await eventually(async () => (await issueProgress(t.db, issue.id)).submitted >= target && (await leasedNow(issue.id)) > 0, {
            what: `${target} readers submitted and a batch leased`,
          });
          await stop(w, 'SIGKILL');
          const leased = await leasedNow(issue.id);
          w = worker(emu, 10);
          if (leased > 0) {
            leasedAtKill.push(leased);
            break;
          }
        }
      }
      expect(leasedAtKill).toHaveLength(3);
      // Whole batches of 100 were held by the dead worker at each kill.
      for (const n of leasedAtKill) expect(n % 100).toBe(0);
      const sent = await waitForStatus(t.db, issue.id);
      w.kill('SIGTERM');
      expect(sent.submitted).toBe(5000);
      expect(emu.stats.failed).toBeGreaterThan(0);
      expect(emu.stats.dropped).toBeGreaterThan(0);
      expect(emu.stats.conflicts).toBe(0);
      const dup = emails.filter((e) => emu.stats.accepted.get(e) !== 1);
      expect(dup).toEqual([]);
      expect(emu.stats.accepted.size).toBe(5000);
    } finally {
      await emu.close();
    }
  });

  it('shares one issue between three worker processes, each sending some, without a duplicate', async () => {
    const emu = await startResendEmulator({ failRate: 0.05, seed: 3 });
    // One gate per process: the emulator alone cannot tell which process sent a request.
    const gates = await Promise.all([0, 1, 2].map(() => providerGate(emu.url)));
    try {
      const emails = await readers(3000);
      const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'react', subject: null });
      const ws = gates.map((g) => worker(emu, 100, { RESEND_BASE_URL: g.url }));
      await sendIssueNow(t.db, queues, issue.id);
      const sent = await waitForStatus(t.db, issue.id);
      for (const w of ws) w.kill('SIGTERM');
      expect(sent.submitted).toBe(3000);
      expect(emails.filter((e) => emu.stats.accepted.get(e) !== 1)).toEqual([]);
      expect(emu.stats.accepted.size).toBe(3000);
      // 30 batches and the 5 % answered 500: every request went through one of the gates, and at least
      // two of the three processes sent.
      expect(gates.reduce((n, g) => n + g.requests, 0)).toBe(emu.stats.requests);
      expect(gates.filter((g) => g.requests > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const g of gates) await g.close();
      await emu.close();
    }
  });

  it('loses nothing when Redis loses every job mid-issue: tagcast issue resume rebuilds them from the ledger', async () => {
    const emu = await startResendEmulator({ rateLimit: 5, seed: 4 });
    try {
      const emails = await readers(2000);
      const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'react', subject: null });
      let w = worker(emu, 5);
      await sendIssueNow(t.db, queues, issue.id);
      await eventually(async () => (await issueProgress(t.db, issue.id)).submitted >= 300, { what: '300 readers submitted' });
      // The worker stops (finishing its batches), then Redis loses everything: the ledger alone knows
      // which of the 20 batches are owed.
      expect(await stop(w, 'SIGTERM')).toBe(0);
      expect(await deleteKeys(prefix)).toBeGreaterThan(0); // FLUSHALL, for this installation's queues
      const owed = await t.db.query<{ n: number }>(`select count(distinct batch)::int as n from deliveries where issue_id = $1 and status = 'pending'`, [issue.id]);
      const batches = owed[0]!.n;
      expect(batches).toBeGreaterThan(0);
      expect(batches).toBeLessThan(20);
      const r = await inProcess(['issue', 'resume', String(issue.id)], { ...t.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'error' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`issue ${issue.id} sending again: ${batches === 1 ? '1 batch' : `${batches} batches`} of readers still to go\n`);
      w = worker(emu, 5);
      const sent = await waitForStatus(t.db, issue.id);
      w.kill('SIGTERM');
      expect(sent.submitted).toBe(2000);
      expect(emails.filter((e) => emu.stats.accepted.get(e) !== 1)).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it('lets the batch in flight finish on SIGTERM, and takes no other', async () => {
    const emu = await startResendEmulator({ seed: 5 });
    // The gate holds the worker's first request at the provider until SIGTERM has been sent.
    const gate = await providerGate(emu.url, { hold: true });
    try {
      const emails = await readers(500);
      const issue = await weekIssue(t.db, { week: nextWeek(), engine: 'react', subject: null });
      const w = worker(emu, 1, { RESEND_BASE_URL: gate.url, RESEND_TIMEOUT_MS: '20000', SEND_LEASE_MS: '30000' });
      await sendIssueNow(t.db, queues, issue.id);
      await gate.firstRequest;
      const exited = new Promise<number | null>((r) => w.once('exit', (code) => r(code)));
      w.kill('SIGTERM');
      // Still running: its batch is at the provider, unanswered, its rows leased.
      expect(w.exitCode).toBeNull();
      expect(await leasedNow(issue.id)).toBeGreaterThanOrEqual(100);
      gate.release();
      expect(await exited).toBe(0);
      const rows = await t.db.query<{ status: string; n: number; leased: number }>(
        `select status, count(*)::int as n, count(*) filter (where lease_until > now())::int as leased from deliveries where issue_id = $1 group by 1 order by 1`,
        [issue.id],
      );
      // What it had taken it finished (whole batches of 100), and it left the rest unleased for others.
      const submitted = rows.find((x) => x.status === 'submitted')?.n ?? 0;
      expect(submitted).toBeGreaterThanOrEqual(100);
      expect(submitted % 100).toBe(0);
      expect(rows).toEqual([
        { status: 'pending', n: 500 - submitted, leased: 0 },
        { status: 'submitted', n: submitted, leased: 0 },
      ]);
      expect(emu.stats.accepted.size).toBe(submitted);
      expect(emails.filter((e) => (emu.stats.accepted.get(e) ?? 0) > 1)).toEqual([]);
      await t.db.query(`update issues set status = 'cancelled' where id = $1`, [issue.id]);
    } finally {
      await gate.close();
      await emu.close();
    }
  });
});
