// send-batch(issueId, batch): lease the batch's pending deliveries, build the emails deterministically,
// hand them to the provider under an idempotency key derived from (issue, batch), and only then mark
// them submitted. A duplicate or stale job finds nothing to lease and does nothing.
//
// A reader whose digest cannot be rendered fails alone: their delivery is recorded `failed` with the
// reason, in the same statement as the batch's submitted rows, and the rest of the batch is sent. Every
// attempt of a batch must send the same emails under its key, so only a failure that depends on the
// digest counts (it recurs on a fresh renderer, and is not a resource, system or layout error); any
// other failure retries the job, which renders the reader again.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { batchLeasedUntil, extendLease, hasPending, leaseBatch, recordResults, releaseLease, type DeliveryResult, type LeasedDelivery } from '../src/db/deliveries.ts';
import { getIssue, pauseUnlessPausedSince, type Issue } from '../src/db/issues.ts';
import { tagIdsBySlug } from '../src/db/unfollow.ts';
import { assembleDigest } from '../src/digest/assemble.ts';
import { issueRendering } from '../src/render/cache.ts';
import { createDigestRenderer, LayoutRenderError, type DigestRenderer } from '../src/render/index.ts';
import { composeEmail, type ComposeContext } from '../src/send/compose.ts';
import { ProviderError, type BatchOutcome, type OutgoingEmail } from '../src/send/provider.ts';
import { delayed, skipped, type Delayed, type RateLimited, type Skipped } from './catalog.ts';
import type { JobContext } from './index.ts';

export const schema = z.object({ issueId: z.number().int().positive(), batch: z.number().int().nonnegative() });

export type Outcome = Skipped | Delayed | RateLimited | { outcome: 'sent'; submitted: number; failed: number; skipped: number };

export interface SendBatchDeps extends JobContext {
  /**
   * Test seam at the renderer boundary: wraps every renderer a batch renders with (the issue's cached one
   * and the fresh one that confirms a failure). Tests make a reader's render fail through it; unset in
   * production.
   */
  wrapRenderer?: (renderer: DigestRenderer) => DigestRenderer;
}

interface Built {
  /** Readers who get no email (nothing to show) or whose digest cannot be rendered. */
  results: DeliveryResult[];
  /** Who each email is for. */
  readers: { subscriberId: number; index: number }[];
  emails: OutgoingEmail[];
}

/** The batch's emails, in lease order; throws only what a retry may cure. */
async function buildEmails(deps: SendBatchDeps, issue: Issue, leased: LeasedDelivery[]): Promise<Built> {
  const wrap = (r: DigestRenderer) => deps.wrapRenderer?.(r) ?? r;
  const { content, renderer } = await issueRendering(deps, issue);
  const built: Built = { results: [], readers: [], emails: [] };
  // Each reader's digest in the density frozen on their delivery (brief or full), so every retry renders the same email.
  const digests = new Map(leased.map((d) => [d.subscriberId, assembleDigest(content, d.sections, d.density)]));
  const ctx: ComposeContext = {
    secret: deps.config.secret,
    publicUrl: deps.config.publicUrl,
    mailFrom: deps.config.mailFrom,
    issueId: issue.id,
    renderer: wrap(renderer),
    date: issue.plannedAt!,
    // Each section's unfollow link names its tag by id (one query per batch).
    tagIds: await tagIdsBySlug(deps.db, content.tags.map((t) => t.slug)),
    json: deps.provider.joinsJson,
  };
  // One engine call for all the batch's new fragments. When it fails, some reader's digest cannot be
  // rendered; each reader's render then prepares its own fragments, so only those readers fail.
  await ctx.renderer.prepare([...digests.values()].filter((d) => d !== null)).catch(() => undefined);
  // A second renderer, with nothing cached, confirms a failure (made when first needed, once per batch).
  let fresh: ComposeContext | undefined;
  for (const d of leased) {
    const digest = digests.get(d.subscriberId);
    if (!digest) {
      built.results.push({ subscriberId: d.subscriberId, status: 'skipped', providerId: null, error: 'no followed tag has content this week' });
      continue;
    }
    let email: OutgoingEmail;
    try {
      email = await composeEmail(ctx, d, digest);
    } catch {
      fresh ??= { ...ctx, renderer: wrap(createDigestRenderer(issue.engine, { publication: renderer.publication })) };
      try {
        // The same bytes the issue's renderer gives when it works: assembly is deterministic.
        email = await composeEmail(fresh, d, digest);
      } catch (e) {
        if (notTheDigest(e)) throw e;
        const error = `render: ${reasonOf(e)}`;
        deps.log.warn({ issue: issue.id, subscriber: d.subscriberId, err: error }, 'digest cannot be rendered; the delivery fails');
        built.results.push({ subscriberId: d.subscriberId, status: 'failed', providerId: null, error });
        continue;
      }
    }
    built.readers.push({ subscriberId: d.subscriberId, index: built.emails.length });
    built.emails.push(email);
  }
  return built;
}

/**
 * Failures that say nothing about the reader's digest: the engine ran out of stack or memory, the system
 * refused a file or an allocation, or the layout (rendered from no content at all) failed. Counting one
 * as the reader's would let a retry of the batch send a different set of emails under the same key, or
 * fail a whole issue for a template bug; the job retries instead.
 */
export function notTheDigest(e: unknown): boolean {
  if (e instanceof LayoutRenderError) return true;
  if (e instanceof RangeError) return /call stack|string length|allocation failed|out of memory/i.test(e.message);
  const err = e as NodeJS.ErrnoException | null | undefined;
  return typeof err?.errno === 'number' || typeof err?.syscall === 'string' || ['ERR_STRING_TOO_LONG', 'ERR_BUFFER_TOO_LARGE', 'ERR_MEMORY_ALLOCATION_FAILED'].includes(String(err?.code));
}

/** One line, bounded, for the ledger and `issue status`. */
function reasonOf(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split('\n').find((l) => l.trim() !== '') ?? (e as Error)?.name ?? 'unknown error';
  const one = line.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 199)}…` : one;
}

/** After a quota or account error, when a batch looks at its issue again. */
const PAUSE_RECHECK_MS = 2000;

export function idempotencyKey(issueId: number, batch: number): string {
  return `tagcast-issue-${issueId}-batch-${batch}`;
}

/**
 * Readers who left or paused since planning (unsubscribed, bounced, suppressed, paused), skipped on a
 * batch's first attempt only and recorded at once: every later attempt then sends exactly the same
 * emails under the same key, even if a pause has ended meanwhile.
 */
export function readersWhoLeft(leased: LeasedDelivery[]): DeliveryResult[] {
  return leased.flatMap((d) => {
    const why = d.attempts !== 1 ? null : d.suppressed ? 'suppressed' : d.status !== 'active' ? `subscriber ${d.status}` : d.paused ? 'subscriber paused' : null;
    return why ? [{ subscriberId: d.subscriberId, status: 'skipped' as const, providerId: null, error: why }] : [];
  });
}

/** Each reader's result from the provider's answer, by the email's index in the request. */
export function resultsFromOutcomes(readers: Built['readers'], outcomes: BatchOutcome[]): DeliveryResult[] {
  return readers.map((r) => {
    const o = outcomes.find((x) => x.index === r.index);
    return o?.status === 'accepted'
      ? { subscriberId: r.subscriberId, status: 'submitted', providerId: o.providerId, error: null }
      : { subscriberId: r.subscriberId, status: 'failed', providerId: null, error: o?.error ?? 'provider gave no outcome' };
  });
}

/**
 * How long the lease must still last when the pacer's slot lies far ahead (after a long retry-after):
 * the held request must not outlive the lease, or another worker could lease the batch meanwhile.
 * Null when the lease already covers it.
 */
export function leaseStretch(o: { notBefore: number; now: number; startedAt: number; timeoutMs: number; leaseMs: number }): number | null {
  const needed = o.notBefore - o.now + o.timeoutMs;
  return needed > o.leaseMs - (o.now - o.startedAt) ? needed + o.leaseMs : null;
}

export function counts(results: DeliveryResult[]): { submitted: number; failed: number; skipped: number } {
  const n = (s: DeliveryResult['status']) => results.filter((r) => r.status === s).length;
  return { submitted: n('submitted'), failed: n('failed'), skipped: n('skipped') };
}

export async function process(data: z.infer<typeof schema>, deps: SendBatchDeps): Promise<Outcome> {
  const { issueId, batch } = data;
  const startedAt = deps.now().getTime();
  const issue = await getIssue(deps.db, issueId);
  // Paused, cancelled or missing: do nothing; resume (or the heartbeat) re-enqueues what the ledger holds.
  if (!issue || issue.status !== 'sending' || !issue.plannedAt) return skipped(`issue is ${issue?.status ?? 'missing'}`);

  const token = randomUUID();
  const leased = await leaseBatch(deps.db, issueId, batch, token, deps.leaseMs);
  if (leased.length === 0) {
    const until = await batchLeasedUntil(deps.db, issueId, batch);
    // Another attempt holds the batch (a stalled job's twin): look again when its lease ends.
    if (until) return delayed(new Date(until.getTime() + 1000), 'another attempt holds the batch');
    return { outcome: 'sent', submitted: 0, failed: 0, skipped: 0 };
  }

  const gone = readersWhoLeft(leased);
  if (gone.length > 0) await recordResults(deps.db, issueId, gone);
  const goneIds = new Set(gone.map((d) => d.subscriberId));
  let built: Built;
  try {
    built = await buildEmails(deps, issue, leased.filter((d) => !goneIds.has(d.subscriberId)));
  } catch (e) {
    // Nothing was sent: give the batch back so the retry need not wait out the lease.
    await releaseLease(deps.db, issueId, token);
    throw e;
  }
  const results = [...built.results];
  if (built.emails.length > 0) {
    const sent = await submit(deps, { issueId, batch, token, startedAt, built });
    if ('outcome' in sent) return sent;
    results.push(...sent.results);
  }
  await recordResults(deps.db, issueId, results);
  if (!(await hasPending(deps.db, issueId))) await deps.enqueue.finalize(issueId);
  return { outcome: 'sent', ...counts([...gone, ...results]) };
}

/**
 * One provider request for the batch's emails, at the pacer's slot. Returns the readers' results, or
 * what the job must do instead (the lease was lost, the issue paused, the provider asked to wait).
 */
async function submit(
  deps: SendBatchDeps,
  b: { issueId: number; batch: number; token: string; startedAt: number; built: Built },
): Promise<{ results: DeliveryResult[] } | Skipped | Delayed | RateLimited> {
  const { issueId, token, built } = b;
  try {
    const { at: notBefore, sent: onSent } = await deps.pacer.slot();
    const stretch = leaseStretch({ notBefore, now: deps.now().getTime(), startedAt: b.startedAt, timeoutMs: deps.config.resend.timeoutMs, leaseMs: deps.leaseMs });
    if (stretch !== null && !(await extendLease(deps.db, issueId, token, stretch))) {
      return skipped('the lease expired before the request left; another attempt owns the batch');
    }
    const { outcomes, providerRateLimit } = await deps.provider.sendBatch(built.emails, { idempotencyKey: idempotencyKey(issueId, b.batch), folder: String(issueId), notBefore, onSent });
    // The provider allows less than we were told: tighten the limit every worker shares.
    if (providerRateLimit && providerRateLimit < deps.rate.current) await deps.rate.set(providerRateLimit);
    return { results: resultsFromOutcomes(built.readers, outcomes) };
  } catch (e) {
    if (!(e instanceof ProviderError)) {
      await releaseLease(deps.db, issueId, token);
      throw e;
    }
    if (e.kind === 'final') return { results: built.readers.map((r) => ({ subscriberId: r.subscriberId, status: 'failed', providerId: null, error: e.message })) };
    await releaseLease(deps.db, issueId, token);
    if (e.kind === 'pause') {
      // Pause the issue (unless that already happened since this batch started), and look again
      // shortly: a paused issue makes this job end quietly; a resumed one makes it send.
      await pauseUnlessPausedSince(deps.db, issueId, new Date(b.startedAt), `provider: ${e.message}`);
      return delayed(new Date(deps.now().getTime() + PAUSE_RECHECK_MS), 'issue paused by a provider error');
    }
    if (e.kind === 'rate-limit' && deps.job && e.retryAfterMs) return { outcome: 'rate-limited', retryAfterMs: e.retryAfterMs };
    throw e;
  }
}
