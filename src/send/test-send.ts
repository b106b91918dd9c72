// A test send: one issue's digest to an editor's own address, before (or while) the issue goes out.
//
// It is not a delivery: no ledger row, never counted in the issue, no job, no effect on the issue's
// state. The digest is one reader's (their frozen sections when the issue is planned, else the tags
// they follow) or, with no reader named, every tag of the issue's week. The subject starts "[Test] ".
// Its links are test links (tokens.ts, testLinks), signed for no reader at all (subscriber 0, which no
// row can have): web version, preferences and unsubscribe open pages that say it is a test and show the
// digest (src/web/reader/test-links.tsx), so a click changes nobody; the Message-ID is the test's own.
//
// At most TEST_SEND_LIMIT per issue per window, counted in Redis when a client is given (every
// `serve` process shares the count), else in this process; every refusal is a TestSendError whose
// message is written for the editor.
import type { RedisClient } from '../queue.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { installationId } from '../db/installation.ts';
import { getIssue, type Issue } from '../db/issues.ts';
import { readerDelivery, readerProfile } from '../db/readers.ts';
import { summariesForIssue, summariesForWeek } from '../db/summaries.ts';
import { assembleDigest, indexIssue, type Digest } from '../digest/assemble.ts';
import { draftRenderer, issueRendering } from '../render/cache.ts';
import { mailDomain, normaliseEmail } from '../lib/mail.ts';
import { testSendKey } from '../lib/redis-keys.ts';
import { testLinks } from '../lib/reader-links.ts';
import { composeEmail } from './compose.ts';
import { ProviderError, type Provider } from './provider.ts';

export const TEST_SEND_LIMIT = { max: 10, windowMs: 10 * 60_000 };

/** Why a test send was refused; the API maps it to a status (issue/subscriber 404, limit 429, provider 502, else 400). */
export type TestSendRefusal = 'address' | 'issue' | 'subscriber' | 'content' | 'limit' | 'provider';

export class TestSendError extends Error {
  override name = 'TestSendError';
  constructor(
    readonly reason: TestSendRefusal,
    message: string,
    /** For 'limit': when the next test send of this issue is allowed. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface TestSendDeps {
  db: Db;
  provider: Provider;
  config: Config;
  now: () => Date;
  /** Shares the limit's count across server processes; unset: counted in this process. */
  redis?: RedisClient;
}

/** The subscriber id test links are signed for: identity columns start at 1, so no reader has it. */
export const NO_READER = 0;

export async function sendTestEmail(deps: TestSendDeps, issueId: number, to: string, opts: { subscriberId?: number } = {}): Promise<{ providerId: string | null }> {
  const address = normaliseEmail(to);
  if ('error' in address) throw new TestSendError('address', `cannot send a test there: ${address.error}`);
  const issue = await issueOf(deps.db, issueId);

  const { digest, planned } = await testDigest(deps.db, issue, opts.subscriberId);
  const slot = await takeSlot(deps, issue.id);
  const renderer = planned ? (await issueRendering(deps, issue)).renderer : await draftRenderer(deps, issue);
  let email;
  try {
    email = await composeEmail(
      { secret: deps.config.secret, publicUrl: deps.config.publicUrl, mailFrom: deps.config.mailFrom, issueId: issue.id, renderer, date: deps.now() },
      { subscriberId: NO_READER, email: address.email, name: null },
      { ...digest, subject: `[Test] ${digest.subject}` },
      testLinks({ secret: deps.config.secret, publicUrl: deps.config.publicUrl, mailDomain: mailDomain(deps.config.mailFrom), issueId: issue.id, asReader: opts.subscriberId }),
    );
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
    throw new TestSendError('content', `the digest cannot be rendered: ${why.length > 300 ? `${why.slice(0, 299)}…` : why}`);
  }
  email.headers['Message-ID'] = `<issue-${issue.id}.test-${slot.id}@${mailDomain(deps.config.mailFrom)}>`;
  email.headers['X-Tagcast-Test'] = 'yes';

  let result;
  try {
    // Its own key and folder: a test never answers from, or overwrites, a reader's delivery.
    result = await deps.provider.sendBatch([email], { idempotencyKey: `tagcast-test-${issue.id}-${slot.id}`, folder: `test-${issue.id}` });
  } catch (e) {
    if (!(e instanceof ProviderError)) throw e;
    if (e.kind === 'rate-limit') throw new TestSendError('provider', 'the email provider is busy (rate limit): try again in a minute', e.retryAfterMs);
    throw new TestSendError('provider', `the email provider did not take the test email: ${e.message}`);
  }
  const outcome = result.outcomes[0];
  if (outcome?.status !== 'accepted') throw new TestSendError('provider', `the email provider refused the test email: ${outcome?.error ?? 'no answer for it'}`);
  return { providerId: outcome.providerId || null };
}

async function issueOf(db: Db, issueId: number): Promise<Issue> {
  const issue = Number.isSafeInteger(issueId) && issueId > 0 ? await getIssue(db, issueId) : undefined;
  if (!issue) throw new TestSendError('issue', `there is no issue ${issueId}`);
  return issue;
}

/**
 * The digest a test of the issue shows: one reader's (their frozen sections when the issue is planned,
 * else the tags they follow) or, with no reader named, every tag of the issue's week. The test email
 * and the pages its links open (src/web/reader/test-links.tsx) both use it, so they show the same.
 */
export async function testDigest(db: Db, issueOrId: Issue | number, subscriberId?: number): Promise<{ issue: Issue; digest: Digest; planned: boolean }> {
  const issue = typeof issueOrId === 'number' ? await issueOf(db, issueOrId) : issueOrId;
  // A planned issue's content is frozen; a draft's is whatever its week holds now.
  const planned = issue.plannedAt !== null;
  const content = indexIssue(issue.week, planned ? await summariesForIssue(db, issue.id) : await summariesForWeek(db, issue.week), issue.subject);
  let followed: string[];
  if (subscriberId !== undefined) {
    const reader = Number.isSafeInteger(subscriberId) && subscriberId > 0 ? await readerProfile(db, subscriberId) : undefined;
    if (!reader) throw new TestSendError('subscriber', `there is no subscriber ${subscriberId}`);
    const delivery = planned ? await readerDelivery(db, issue.id, reader.id) : undefined;
    followed = delivery && delivery.sections.length > 0 ? delivery.sections : reader.tags;
  } else {
    followed = content.tags.map((t) => t.slug);
  }
  const digest = assembleDigest(content, followed);
  if (!digest) {
    throw new TestSendError(
      'content',
      subscriberId !== undefined
        ? `that reader would get no email in issue ${issue.id}: none of their tags has content in ${issue.week}`
        : `issue ${issue.id} has nothing to send: ${issue.week} has no summaries yet (import some first)`,
    );
  }
  return { issue, digest, planned };
}

// ---------------------------------------------------------------------------------------------
// The limit: a fixed window per issue.

const local = new Map<string, { start: number; n: number }>();

/** Forgets the counts kept here, as a fresh process has none (tests that share one process). */
export function forgetLocalTestSends(): void {
  local.clear();
}

/** Counts this test send; refuses it over the limit. The id names the send (its key and Message-ID). */
async function takeSlot(deps: TestSendDeps, issueId: number): Promise<{ id: string }> {
  const { max, windowMs } = TEST_SEND_LIMIT;
  const now = deps.now().getTime();
  let counted: { n: number; leftMs: number } | undefined;
  if (deps.redis) {
    const key = testSendKey(deps.config.queuePrefix, await installationId(deps.db), issueId);
    try {
      const res = await deps.redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec();
      const n = Number(res?.[0]?.[1]);
      const ttl = Number(res?.[2]?.[1]);
      if (res && !res.some(([err]) => err) && n > 0) counted = { n, leftMs: ttl > 0 ? ttl : windowMs };
    } catch {
      // Redis away: counted here instead, as without Redis.
    }
  }
  if (!counted) {
    const key = `${deps.config.queuePrefix}:${issueId}`;
    let w = local.get(key);
    if (!w || now - w.start >= windowMs) local.set(key, (w = { start: now, n: 0 }));
    w.n++;
    counted = { n: w.n, leftMs: w.start + windowMs - now };
  }
  if (counted.n > max) {
    const minutes = Math.max(1, Math.ceil(counted.leftMs / 60_000));
    throw new TestSendError('limit', `at most ${max} test emails per issue every ${windowMs / 60_000} minutes: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, counted.leftMs);
  }
  return { id: `${now.toString(36)}-${counted.n}` };
}
