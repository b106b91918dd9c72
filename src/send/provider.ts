// The mail transport seen by the pipeline. Implementations: outbox.ts (files) and resend.ts (the API).

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers: List-Unsubscribe, List-Unsubscribe-Post, List-Id, Message-ID … */
  headers: Record<string, string>;
  /** Deterministic date for the message (the planned time), so a re-send is byte-identical. */
  date: Date;
  /**
   * `html` as a JSON string in UTF-8 pieces, when the renderer joined it from fragments escaped once per
   * issue: a JSON provider request is joined from these instead of escaping the HTML again per reader.
   */
  htmlJson?: readonly Uint8Array[] | undefined;
  /** `text` likewise. */
  textJson?: readonly Uint8Array[] | undefined;
}

export type BatchOutcome =
  | { index: number; status: 'accepted'; providerId: string }
  | { index: number; status: 'rejected'; error: string };

/**
 * Why a whole batch was not sent, and what to do about it:
 * retry (transient: backoff), rate-limit (wait retryAfterMs), pause (quota or account problem: pause the
 * issue, nothing a retry can fix), final (this batch cannot be sent: fail its deliveries).
 */
export class ProviderError extends Error {
  constructor(
    readonly kind: 'retry' | 'rate-limit' | 'pause' | 'final',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface BatchResult {
  /** One outcome per email, by index. */
  outcomes: BatchOutcome[];
  /** The provider's own limit, requests per second, when it reports one (ratelimit-limit). */
  providerRateLimit?: number;
}

export interface Provider {
  readonly name: string;
  /** Most emails one call may carry. */
  readonly maxBatch: number;
  /**
   * Joins its request bodies from OutgoingEmail.htmlJson/textJson when an email carries them (Resend):
   * only then does composing pay for the JSON pieces. Others read html and text as they are.
   */
  readonly joinsJson?: boolean;
  /**
   * Sends up to maxBatch emails as one request. The idempotency key is derived from (issue, batch), so
   * a retry of the same batch with the same bytes is answered from the provider's memory, not resent.
   * Resolves with one outcome per message; throws ProviderError when the batch as a whole failed.
   */
  sendBatch(emails: OutgoingEmail[], opts: SendOptions): Promise<BatchResult>;
  /** Releases what the provider holds (its connections). */
  close?(): Promise<void>;
}

export interface SendOptions {
  idempotencyKey: string;
  /** The outbox's folder for this batch (the issue id). */
  folder: string;
  /**
   * The outbox keeps every email of this folder to one recipient rather than the latest: each is
   * `<folder>/<recipient>/<keep>.eml` (notices: the notice id), where a digest is `<folder>/<recipient>.eml`.
   */
  keep?: string;
  /** Reach the provider no earlier than this (ms since the epoch): the slot the shared pacer gave. */
  notBefore?: number;
  /** Called once, the moment the request leaves for the provider (the pacer logs a late one). */
  onSent?: () => void;
}

/** Resolves at `at` (ms since the epoch); at once when that has passed. */
export async function sleepUntil(at: number | undefined): Promise<void> {
  // Timers run on a monotonic clock and may fire a millisecond before Date.now() reaches `at`: sleep
  // again until the wall clock agrees, so "not before" holds as callers read it.
  for (let ms = (at ?? 0) - Date.now(); ms > 0; ms = (at ?? 0) - Date.now()) await new Promise((r) => setTimeout(r, ms));
}
