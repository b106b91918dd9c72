// send-notice(noticeId): sends one email a reader asked for (a confirmation, an "already subscribed"
// note, an export or delete link) under an idempotency key derived from the notice, then records it.
// The notice row is the source of truth: a duplicate job finds it sent and does nothing, and
// reconcile re-enqueues any notice still owed after a crash or a lost Redis.
import { z } from 'zod';
import { getNotice, markNoticeSent, noticeAttempt } from '../src/db/notices.ts';
import { tagNames } from '../src/db/readers.ts';
import { ProviderError } from '../src/send/provider.ts';
import { readSchedule } from '../src/db/schedules.ts';
import { loadSettings } from '../src/publication.ts';
import { composeNotice } from '../src/subscriptions/notices.ts';
import { nextDigestLine } from '../src/subscriptions/welcome.ts';
import { skipped, type RateLimited, type Skipped } from './catalog.ts';
import type { JobContext } from './index.ts';

export const schema = z.object({ noticeId: z.number().int().positive() });

export type Outcome = Skipped | RateLimited | { outcome: 'sent' | 'failed' };

export function noticeKey(noticeId: number): string {
  return `tagcast-notice-${noticeId}`;
}

export async function process(data: z.infer<typeof schema>, deps: JobContext): Promise<Outcome> {
  const n = await getNotice(deps.db, data.noticeId);
  if (!n || n.sentAt || n.error) return skipped(n ? 'already done' : 'no such notice');
  // Bounced or complained since asking: never send to the address again. An unsubscribed reader's
  // status stays as it is when their address bounces; the suppression says so.
  if (n.status === 'bounced' || n.status === 'complained' || n.suppressed) {
    const why = n.status === 'bounced' || n.status === 'complained' ? n.status : 'is suppressed';
    await markNoticeSent(deps.db, n.id, null, `not sent: the address ${why}`);
    return skipped(why);
  }
  await noticeAttempt(deps.db, n.id);
  const tags = Array.isArray(n.payload.tags) ? await tagNames(deps.db, n.payload.tags.filter((t): t is string => typeof t === 'string')) : [];
  // A welcome says when the next digest goes out, as of the notice's creation (the same on every retry).
  const zone = typeof n.payload.timeZone === 'string' ? n.payload.timeZone : deps.config.defaultTimeZone;
  const welcome = n.kind === 'welcome' ? { nextDigest: nextDigestLine(await readSchedule(deps.db), zone, n.createdAt) } : undefined;
  // The publication's name once an editor set one; until then notices keep saying "tagcast".
  const s = await loadSettings(deps.db, deps.config);
  const named = s.set.includes('name') || s.set.includes('senderName');
  const email = await composeNotice({ ...deps.config, publication: named ? s : undefined }, n, tags, welcome);
  // The outbox keeps one email per address and folder: the welcome in its own, so it never replaces
  // the confirmation it follows.
  try {
    const { at: notBefore, sent: onSent } = await deps.pacer.slot();
    const { outcomes } = await deps.provider.sendBatch([email], { idempotencyKey: noticeKey(n.id), folder: 'notices', keep: String(n.id), notBefore, onSent });
    const o = outcomes[0];
    if (o?.status === 'accepted') await markNoticeSent(deps.db, n.id, o.providerId, null);
    else await markNoticeSent(deps.db, n.id, null, o?.error ?? 'provider gave no outcome');
    return { outcome: o?.status === 'accepted' ? 'sent' : 'failed' };
  } catch (e) {
    if (!(e instanceof ProviderError)) throw e;
    if (e.kind === 'final') {
      await markNoticeSent(deps.db, n.id, null, e.message);
      return { outcome: 'failed' };
    }
    if (e.kind === 'rate-limit' && deps.job && e.retryAfterMs) return { outcome: 'rate-limited', retryAfterMs: e.retryAfterMs };
    // Transient, or a quota the operator must lift: retry with backoff; reconcile tries again later.
    throw e;
  }
}
