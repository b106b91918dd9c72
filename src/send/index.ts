import type { Config } from '../config.ts';
import { providerRequests, type ProviderOutcome, type ProviderRequestCounts } from '../metrics.ts';
import { createOutbox } from './outbox.ts';
import { ProviderError, type Provider } from './provider.ts';
import { createResend } from './resend.ts';

export function createProvider(config: Config, opts: { counts?: ProviderRequestCounts } = {}): Provider {
  const provider =
    config.emailProvider === 'outbox'
      ? createOutbox(config.outboxDir)
      : createResend({ apiKey: config.resend.apiKey!, baseUrl: config.resend.baseUrl, timeoutMs: config.resend.timeoutMs });
  return instrumentProvider(provider, opts.counts ?? providerRequests);
}

/** The outcome class of one provider request: bounded, never the provider's message. */
export function requestOutcome(err: unknown): ProviderOutcome {
  if (err === undefined) return 'ok';
  if (!(err instanceof ProviderError)) return 'error_other';
  switch (err.kind) {
    case 'rate-limit':
      return 'rate_limited';
    case 'retry':
      return 'error_transient';
    case 'pause':
      return 'error_account';
    case 'final':
      return 'error_final';
  }
}

/** Counts every request the provider makes (tagcast_provider_requests_total). */
export function instrumentProvider(inner: Provider, counts: ProviderRequestCounts): Provider {
  return {
    name: inner.name,
    maxBatch: inner.maxBatch,
    joinsJson: inner.joinsJson,
    async sendBatch(emails, opts) {
      try {
        const result = await inner.sendBatch(emails, opts);
        counts.record('ok');
        return result;
      } catch (e) {
        counts.record(requestOutcome(e));
        throw e;
      }
    },
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
}
