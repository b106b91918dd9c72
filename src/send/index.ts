import type { Config } from '../config.ts';
import { createOutbox } from './outbox.ts';
import type { Provider } from './provider.ts';
import { createResend } from './resend.ts';

export function createProvider(config: Config): Provider {
  if (config.emailProvider === 'outbox') return createOutbox(config.outboxDir);
  return createResend({ apiKey: config.resend.apiKey!, baseUrl: config.resend.baseUrl, timeoutMs: config.resend.timeoutMs });
}
