// Runs the real queued pipeline inside a test: real Redis (private prefix), the test's database, and
// the outbox provider wrapped to record what each provider call carried.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { JobContext } from '../../jobs/index.ts';
import type { Db } from '../../src/db/connection.ts';
import { enqueueTo } from '../../src/enqueue.ts';
import { getIssue, type Issue } from '../../src/db/issues.ts';
import type { Queues } from '../../src/queue.ts';
import { sharedRate, startWorkers, type Workers } from '../../src/workers.ts';
import { createOutbox } from '../../src/send/outbox.ts';
import { createPacer } from '../../src/send/pacer.ts';
import type { OutgoingEmail, Provider } from '../../src/send/provider.ts';
import { eventually } from './eventually.ts';
import { deleteKeys, testPrefix, testQueues } from './redis.ts';
import type { Job, Queue } from 'bullmq';

export interface Recorder extends Provider {
  /** Each call: its key, its recipients, when it was made and the slot it carried. */
  calls: { idempotencyKey: string; to: string[]; at: number; notBefore: number | undefined }[];
  /** Recipient → how many times a provider call carried an email to them. */
  sentTo: Map<string, number>;
}

export function recording(inner: Provider): Recorder {
  const r: Recorder = {
    name: `recording(${inner.name})`,
    maxBatch: inner.maxBatch,
    joinsJson: inner.joinsJson,
    calls: [],
    sentTo: new Map(),
    async sendBatch(emails: OutgoingEmail[], opts) {
      r.calls.push({ idempotencyKey: opts.idempotencyKey, to: emails.map((e) => e.to), at: Date.now(), notBefore: opts.notBefore });
      for (const e of emails) r.sentTo.set(e.to, (r.sentTo.get(e.to) ?? 0) + 1);
      return inner.sendBatch(emails, opts);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
  return r;
}

export const testConfig = {
  secret: 'test-secret-0123456789abcdef',
  publicUrl: 'https://news.example.test',
  mailFrom: 'Tagcast Test <digest@example.test>',
  resend: { apiKey: undefined, baseUrl: undefined, rateLimit: 1000, webhookSecret: undefined, timeoutMs: 5000 },
  defaultTimeZone: 'UTC',
  templateEngine: 'react' as const,
};

export interface Harness {
  queues: Queues;
  prefix: string;
  outboxDir: string;
  provider: Recorder;
  start(): Workers;
  stopAll(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Deliveries per batch (the provider's limit is 100; smaller makes more requests). */
  batchSize?: number;
  /** The worker's own limit, requests per second. */
  rateLimit?: number;
  /** How often reconcile runs (default: the product's minute, so it stays out of other tests). */
  reconcileEveryMs?: number;
  /** How long a batch lease lasts (default: a minute). */
  leaseMs?: number;
  /** The Redis key prefix (default: a fresh one); two harnesses given one share it, as installations may. */
  prefix?: string;
}

export async function createHarness(db: Db, provider?: Provider, opts: HarnessOptions = {}): Promise<Harness> {
  const prefix = opts.prefix ?? testPrefix();
  const queues = await testQueues(db, prefix);
  const outboxDir = mkdtempSync(path.join(tmpdir(), 'tagcast-outbox-'));
  const rec = recording(provider ?? createOutbox(outboxDir));
  const running: Workers[] = [];
  const h: Harness = {
    queues,
    prefix,
    outboxDir,
    provider: rec,
    start() {
      const w = startWorkers(
        {
          db,
          config: { ...testConfig, resend: { ...testConfig.resend, rateLimit: opts.rateLimit ?? testConfig.resend.rateLimit } },
          provider: rec,
          queues,
          log: pino({ level: 'silent' }),
          now: () => new Date(),
          batchSize: opts.batchSize ?? 100,
          leaseMs: opts.leaseMs ?? 60_000,
        },
        { sendConcurrency: 4, reconcileEveryMs: opts.reconcileEveryMs },
      );
      running.push(w);
      return w;
    },
    async stopAll() {
      await Promise.all(running.splice(0).map((w) => w.close()));
    },
    async close() {
      await h.stopAll();
      await queues.close();
      await deleteKeys(prefix);
      rmSync(outboxDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** What a worker hands a job, for a test that calls a job's process() itself (each attempt one call). */
export function jobContext(db: Db, h: Pick<Harness, 'queues'>, provider: Provider, o: { batchSize?: number } = {}): JobContext {
  return {
    db,
    config: testConfig,
    provider,
    enqueue: enqueueTo(h.queues),
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    batchSize: o.batchSize ?? 100,
    leaseMs: 60_000,
    rate: sharedRate(h.queues.send, testConfig.resend.rateLimit),
    pacer: createPacer(h.queues.connection, `${h.queues.send.qualifiedName}:pacer`, () => testConfig.resend.rateLimit),
  };
}

/** Waits until the queue's job has completed; the job as it is then (its return value set). */
export async function jobCompleted(queue: Queue, id: string): Promise<Job> {
  return eventually(async () => {
    const job = await queue.getJob(id);
    return job && (await job.isCompleted()) ? queue.getJob(id) : undefined;
  }, { what: `job ${id} completed`, every: 20 });
}

/** Asks the database until the issue reaches one of the statuses; fails at the deadline naming the status it was in. */
export async function waitForStatus(db: Db, id: number, statuses: string[] = ['sent'], deadline?: number): Promise<Issue> {
  let seen = 'missing';
  return eventually(
    async () => {
      const issue = await getIssue(db, id);
      seen = issue?.status ?? 'missing';
      return issue && statuses.includes(issue.status) ? issue : undefined;
    },
    { what: () => `issue ${id} ${statuses.join(' or ')} (it is ${seen})`, every: 50, deadline },
  );
}
