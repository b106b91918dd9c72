// Prometheus metrics (prom-client). Three kinds of figure, each kept where it is right across
// several processes:
// - from the database at scrape time: deliveries submitted and failed (the ledger is the truth,
//   whichever worker wrote it) and subscribers by status;
// - from Redis: provider requests, counted by every worker into one hash, so the `serve` process
//   that is scraped reports them all (workers have no HTTP port to scrape);
// - in the scraped process itself: HTTP request durations and webhook events, which only happen
//   there (several `serve` processes are several scrape targets; sum them in PromQL).
// No metric carries a reader, an address, a token or a raw URL as a label.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RedisClient } from './queue.ts';
import type { Db } from './db/connection.ts';
import { deliveryTotals, FAILURE_CLASSES, subscribersByStatus, SUBSCRIBER_STATUSES, type DeliveryTotals } from './db/metrics.ts';

// ---------------------------------------------------------------------------------------------
// Provider requests, counted wherever a provider runs.

/** How a provider request ended: accepted, held back by the provider's limit, or which kind of error. */
export const PROVIDER_OUTCOMES = ['ok', 'rate_limited', 'error_transient', 'error_account', 'error_final', 'error_other'] as const;
export type ProviderOutcome = (typeof PROVIDER_OUTCOMES)[number];

const zero = () => Object.fromEntries(PROVIDER_OUTCOMES.map((o) => [o, 0])) as Record<ProviderOutcome, number>;

/**
 * This process's provider request counts. Each is added to the shared Redis hash when one is given
 * (`share`); until it has arrived there it is "pending" here, and a scrape of this process adds its
 * own pending counts to the hash. So nothing is counted twice, and nothing is lost while Redis is
 * away or when the process has no shared hash at all (`tagcast start` on a private Redis).
 */
export class ProviderRequestCounts {
  private readonly pending = zero();
  private store: { redis: RedisClient; key: string } | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** A send is under way. Cleared by the send itself the moment it finds nothing left, so a count
   * recorded right after (even in the same tick) starts a new send rather than joining a finished one. */
  private sending = false;

  /** Counts go to this hash from now on (a worker's composition root calls it). */
  share(redis: RedisClient, key: string): void {
    this.store = { redis, key };
    void this.flush();
  }

  record(outcome: ProviderOutcome): void {
    this.pending[outcome]++;
    void this.flush();
  }

  /** Sends the pending counts to the shared hash; resolves when they are there (or could not get there). */
  flush(): Promise<void> {
    // One flush at a time; counts recorded meanwhile go with it (no chain of waiting flushes while
    // Redis is slow or away).
    if (!this.sending) {
      this.sending = true;
      this.flushing = this.send();
    }
    return this.flushing;
  }

  private async send(): Promise<void> {
    try {
      for (;;) {
        const store = this.store;
        const sending = PROVIDER_OUTCOMES.filter((o) => this.pending[o] > 0).map((o) => [o, this.pending[o]] as const);
        if (!store || sending.length === 0) return;
        for (const [o, n] of sending) this.pending[o] -= n;
        const multi = store.redis.multi();
        for (const [o, n] of sending) multi.hincrby(store.key, `provider_requests:${o}`, n);
        const ok = await multi.exec().then(
          (res) => res !== null && !res.some(([err]) => err),
          () => false,
        );
        if (!ok) {
          // Kept here (and shown by this process's scrape), and sent with the next request's count.
          for (const [o, n] of sending) this.pending[o] += n;
          return;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** Back to a fresh process's counts: nothing pending, no shared hash (tests that share one process). */
  forget(): void {
    for (const o of PROVIDER_OUTCOMES) this.pending[o] = 0;
    this.store = undefined;
  }

  /** Counts not (yet) in the shared hash. */
  local(): Record<ProviderOutcome, number> {
    return { ...this.pending };
  }
}

/** The process's counts: providers made by createProvider (src/send/index.ts) record here. */
export const providerRequests = new ProviderRequestCounts();

/** Every worker's provider requests from the shared hash; undefined when Redis does not answer. */
export async function sharedProviderCounts(redis: RedisClient, key: string): Promise<Record<ProviderOutcome, number> | undefined> {
  try {
    const h = await redis.hgetall(key);
    const out = zero();
    for (const o of PROVIDER_OUTCOMES) out[o] = Number(h[`provider_requests:${o}`] ?? 0) || 0;
    return out;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The registry a server scrapes.

/** Resend's event types; anything else is counted as "other" so a label never grows without bound. */
export const WEBHOOK_EVENT_TYPES = new Set([
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.bounced',
  'email.complained',
  'email.failed',
  'email.suppressed',
  'email.opened',
  'email.clicked',
  'email.received',
  'email.scheduled',
]);

export interface MetricsSources {
  db: Db;
  /** Where the workers' provider counts are: a client that fails fast, and a resolver for the key. */
  shared?: { redis: RedisClient; key: () => Promise<string> } | undefined;
  counts?: ProviderRequestCounts;
}

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  webhookEvents: Counter<'type'>;
  /** Counts one verified webhook event by its (bounded) type. */
  countWebhookEvent(type: string): void;
}

/** HTTP buckets, seconds: pages render in milliseconds, a slow database shows in the upper ones. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const counts = sources.counts ?? providerRequests;

  // Both ledger counters come from one query: a registry collects its metrics concurrently, so the
  // second collect joins the query the first one started.
  let ledger: Promise<DeliveryTotals> | undefined;
  const ledgerTotals = () => (ledger ??= deliveryTotals(sources.db).finally(() => (ledger = undefined)));
  new Counter({
    name: 'tagcast_deliveries_submitted_total',
    help: 'Deliveries the provider accepted, from the ledger (all workers).',
    registers,
    async collect() {
      const t = await ledgerTotals();
      this.reset();
      this.inc(t.submitted);
    },
  });
  new Counter({
    name: 'tagcast_deliveries_failed_total',
    help: 'Deliveries that failed, from the ledger, by class of reason (render, provider_batch, provider_rejected, no_outcome, unknown).',
    labelNames: ['reason'],
    registers,
    async collect() {
      const t = await ledgerTotals();
      this.reset();
      for (const c of FAILURE_CLASSES) this.inc({ reason: c }, t.failed[c]);
    },
  });

  new Counter({
    name: 'tagcast_provider_requests_total',
    help: 'Requests to the email provider by outcome (ok, rate_limited, error_transient, error_account, error_final, error_other), from every worker.',
    labelNames: ['outcome'],
    registers,
    async collect() {
      const shared = sources.shared ? await sharedProviderCounts(sources.shared.redis, await sources.shared.key()) : undefined;
      const local = counts.local();
      this.reset();
      for (const o of PROVIDER_OUTCOMES) this.inc({ outcome: o }, (shared?.[o] ?? 0) + local[o]);
    },
  });

  new Gauge({
    name: 'tagcast_subscribers',
    help: 'Subscribers by status.',
    labelNames: ['status'],
    registers,
    async collect() {
      const by = await subscribersByStatus(sources.db);
      this.reset();
      for (const s of SUBSCRIBER_STATUSES) this.set({ status: s }, by[s] ?? 0);
    },
  });

  const httpDuration = new Histogram({
    name: 'tagcast_http_request_duration_seconds',
    help: 'HTTP requests served by this process, by route pattern.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_BUCKETS,
    registers,
  });

  const webhookEvents = new Counter({
    name: 'tagcast_webhook_events_total',
    help: 'Verified provider webhook events received by this process (first receipt; replays are not counted), by type.',
    labelNames: ['type'],
    registers,
  });

  return {
    registry,
    httpDuration,
    webhookEvents,
    countWebhookEvent(type) {
      webhookEvents.inc({ type: WEBHOOK_EVENT_TYPES.has(type) ? type : 'other' });
    },
  };
}

/**
 * BullMQ's per-queue texts as one exposition: each queue's text repeats the HELP and TYPE lines of
 * the same families, which a Prometheus parser refuses, so samples are grouped under one header each.
 */
export function mergeExpositions(texts: string[]): string {
  const families = new Map<string, { head: string[]; samples: string[] }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { head: [], samples: [] }));
    return f;
  };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        const f = family(meta[2]!);
        if (!f.head.some((h) => h.startsWith(`# ${meta[1]} `))) f.head.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      family(/^[^{\s]+/.exec(line)![0]).samples.push(line);
    }
  }
  return [...families.values()].map((f) => [...f.head, ...f.samples].join('\n')).join('\n') + (families.size > 0 ? '\n' : '');
}
