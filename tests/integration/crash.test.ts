// Worker processes killed with SIGKILL mid-send, several workers on one issue, and Redis losing every
// job: through the emulator's faults, every reader is accepted exactly once. PostgreSQL only: the
// embedded database has one owner process by design, so several worker processes need a server.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueProgress } from '../../src/db/deliveries.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { ensureTags } from '../../src/db/summaries.ts';
import { sendIssueNow } from '../../src/issues.ts';
import type { Queues } from '../../src/queue.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { waitForStatus } from '../support/pipeline.ts';
import { spawnTagcast, tagcast } from '../support/process.ts';
import { deleteKeys, testPrefix, testQueues } from '../support/redis.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';
import { weekIssue } from '../support/issues.ts';

const WEEK = '2026-W48';

describe.runIf(process.env.TAGCAST_TEST_DB === 'postgres').sequential('crashes, several workers and Redis loss', () => {
  let t: TestDb;
  let queues: Queues;
  const prefix = testPrefix();
  const children = new Set<ChildProcess>();
  let domain = 0;

  beforeAll(async () => {
    t = await createTestDb();
    queues = await testQueues(t.db, prefix);
    await ensureTags(t.db, ['AI', 'Rust']);
    await t.db.exec(`insert into summaries (source_key, content_hash, week, title, signal, case_points, take)
      values ('c1', 'h', '${WEEK}', 'Crash-safe sending', 'S', '["c"]', 'T'), ('c2', 'h', '${WEEK}', 'Rust news', 'S', '["c"]', 'T')`);
    await t.db.exec(`insert into summary_tags (summary_id, tag_id, position)
      select s.id, t.id, 0 from summaries s join tags t on (s.source_key = 'c1') = (t.slug = 'ai')`);
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

  function worker(emu: Emulator, rate: number): ChildProcess {
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
    });
    child.stderr!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  }

  const until = async (check: () => Promise<boolean>) => {
    while (!(await check())) await new Promise((r) => setTimeout(r, 25));
  };
  const kill = async (c: ChildProcess) => {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };

  it('sends 5,000 readers exactly once with 5% 5xx, 2% lost responses, 10 req/s, and a worker SIGKILLed three times', async () => {
    const emu = await startResendEmulator({ failRate: 0.05, dropAfterAcceptRate: 0.02, rateLimit: 10, seed: 9 });
    try {
      const emails = await readers(5000);
      const issue = await weekIssue(t.db, { week: WEEK, engine: 'mjml', subject: null });
      let w = worker(emu, 10);
      await sendIssueNow(t.db, queues, issue.id);
      for (const target of [800, 2000, 3200]) {
        await until(async () => (await issueProgress(t.db, issue.id)).submitted >= target);
        await kill(w); // mid-send: batches in flight, leases held, responses unread
        w = worker(emu, 10);
      }
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

  it('shares one issue between three worker processes without a duplicate', async () => {
    const emu = await startResendEmulator({ failRate: 0.05, seed: 3 });
    try {
      const emails = await readers(3000);
      const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
      const ws = [worker(emu, 100), worker(emu, 100), worker(emu, 100)];
      await sendIssueNow(t.db, queues, issue.id);
      const sent = await waitForStatus(t.db, issue.id);
      for (const w of ws) w.kill('SIGTERM');
      expect(sent.submitted).toBe(3000);
      expect(emails.filter((e) => emu.stats.accepted.get(e) !== 1)).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it('loses nothing when Redis loses every job mid-issue: tagcast issue resume rebuilds them from the ledger', async () => {
    const emu = await startResendEmulator({ rateLimit: 5, seed: 4 });
    try {
      const emails = await readers(2000);
      const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
      const w = worker(emu, 5);
      await sendIssueNow(t.db, queues, issue.id);
      await until(async () => (await issueProgress(t.db, issue.id)).submitted >= 300);
      await deleteKeys(prefix); // FLUSHALL, for this installation's queues
      const before = await issueProgress(t.db, issue.id);
      expect(before.pending).toBeGreaterThan(0);
      const r = await tagcast(['issue', 'resume', String(issue.id)], { ...t.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'error' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`issue ${issue.id} sending: \\d+ batches re-enqueued`));
      const sent = await waitForStatus(t.db, issue.id);
      w.kill('SIGTERM');
      expect(sent.submitted).toBe(2000);
      expect(emails.filter((e) => emu.stats.accepted.get(e) !== 1)).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});
