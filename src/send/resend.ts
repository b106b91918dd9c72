// The Resend provider. The only place that sees the SDK's {data, error} values: it turns them into
// accepted/rejected outcomes or a ProviderError that tells the job what to do.
import { Resend } from 'resend';
import { ProviderError, type BatchResult, type OutgoingEmail, type Provider } from './provider.ts';

export interface ResendOptions {
  apiKey: string;
  baseUrl?: string | undefined;
  /** A request that has not answered by then is abandoned and retried (same key, same bytes). */
  timeoutMs?: number;
}

interface ResendError {
  name: string;
  message: string;
  statusCode: number | null;
}

const PAUSE = new Set(['daily_quota_exceeded', 'monthly_quota_exceeded', 'missing_api_key', 'invalid_api_key', 'restricted_api_key', 'invalid_from_address', 'security_error', 'invalid_access']);
const RETRY = new Set(['application_error', 'internal_server_error', 'concurrent_idempotent_requests']);

/** Seconds from retry-after, else ratelimit-reset; in ms. */
export function retryAfterMs(headers: Record<string, string> | null): number {
  const h = headers ?? {};
  for (const key of ['retry-after', 'ratelimit-reset']) {
    const v = Number(h[key]);
    if (Number.isFinite(v) && v >= 0) return Math.max(250, Math.ceil(v * 1000));
  }
  return 1000;
}

/** The provider's limit from its ratelimit-limit header (requests per one-second window). */
export function providerLimit(headers: Record<string, string> | null): number | undefined {
  const limit = Number(headers?.['ratelimit-limit']);
  return Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

export function classify(error: ResendError, headers: Record<string, string> | null): ProviderError {
  const what = `${error.name}${error.statusCode ? ` (${error.statusCode})` : ''}: ${error.message}`;
  if (PAUSE.has(error.name)) return new ProviderError('pause', what);
  if (error.name === 'rate_limit_exceeded' || error.statusCode === 429) return new ProviderError('rate-limit', what, retryAfterMs(headers));
  if (error.name === 'invalid_idempotent_request') {
    // Our bodies are frozen per batch, so this means the ledger and the provider disagree: the first
    // request under this key was accepted, and sending anything else under it could duplicate.
    return new ProviderError('final', `${what} (the provider holds an earlier, different request under this key; check before resending)`);
  }
  if (RETRY.has(error.name) || error.statusCode === null || error.statusCode >= 500) return new ProviderError('retry', what);
  return new ProviderError('final', what);
}

export function toResendEmail(e: OutgoingEmail) {
  return { from: e.from, to: [e.to], subject: e.subject, html: e.html, text: e.text, headers: e.headers };
}

export function createResend(opts: ResendOptions): Provider {
  const client = new Resend(opts.apiKey, opts.baseUrl ? { baseUrl: opts.baseUrl } : undefined);
  return {
    name: 'resend',
    maxBatch: 100,
    async sendBatch(emails, { idempotencyKey }): Promise<BatchResult> {
      if (emails.length > 100) throw new ProviderError('final', `a batch holds at most 100 emails, got ${emails.length}`);
      const res = await client.batch.send(emails.map(toResendEmail), {
        idempotencyKey,
        batchValidation: 'permissive',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      if (res.error) throw classify(res.error, res.headers);
      const errors = new Map((res.data.errors ?? []).map((e) => [e.index, e.message]));
      const ids = res.data.data;
      let next = 0;
      const outcomes = emails.map((_, index) => {
        const err = errors.get(index);
        if (err !== undefined) return { index, status: 'rejected' as const, error: err };
        const id = ids[next++]?.id;
        return id ? { index, status: 'accepted' as const, providerId: id } : { index, status: 'rejected' as const, error: 'no id in the provider response' };
      });
      return { outcomes, providerRateLimit: providerLimit(res.headers) };
    },
  };
}
