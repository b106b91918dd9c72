// The Resend provider. The only place that sees the SDK's {data, error} values: it turns them into
// accepted/rejected outcomes or a ProviderError that tells the job what to do.
import { Resend } from 'resend';
import { Agent, type Dispatcher } from 'undici';
import { ProviderError, sleepUntil, type BatchResult, type OutgoingEmail, type Provider } from './provider.ts';
import { LEAD_MS } from './pacer.ts';

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

/**
 * The batch's request body: byte for byte what the SDK sends for `emails.map(toResendEmail)` (its own
 * field order: from, headers, html, subject, text, to), joined here from bytes because the SDK's way
 * cost a third of the pipeline's CPU (docs/performance.md): it stringifies the whole ~5 MB batch into
 * one string, two bytes per character as soon as a plain-text part holds a ’ or –, which fetch then
 * scans and copies (toWellFormed), encodes and copies again, leaving tens of MB of large strings for the
 * garbage collector per batch. Here the HTML comes as the renderer's pieces, escaped once per issue
 * (OutgoingEmail.htmlJson), the text part's shared pieces too (textJson), and only the small fields and
 * the reader's own values are stringified per reader.
 */
export function batchBody(emails: readonly OutgoingEmail[]): Buffer {
  const parts: Uint8Array[] = [];
  emails.forEach((e, i) => {
    parts.push(Buffer.from(`${i === 0 ? '[' : ','}{"from":${JSON.stringify(e.from)},"headers":${JSON.stringify(e.headers)},"html":`));
    if (e.htmlJson) parts.push(...e.htmlJson);
    else parts.push(Buffer.from(JSON.stringify(e.html)));
    parts.push(Buffer.from(`,"subject":${JSON.stringify(e.subject)},"text":`));
    if (e.textJson) parts.push(...e.textJson);
    else parts.push(Buffer.from(JSON.stringify(e.text)));
    parts.push(Buffer.from(`,"to":${JSON.stringify([e.to])}}`));
  });
  parts.push(Buffer.from(emails.length === 0 ? '[]' : ']'));
  return Buffer.concat(parts);
}

/**
 * Connections to the provider that hold each request until its pacer slot, ready to go. The SDK has
 * serialised the batch (~5 MB of JSON) and the body is read into bytes before the hold, so at the slot
 * only bytes are written and the request reaches the provider within a millisecond or two of it,
 * however long serialising took. `sent` runs as the write begins, `dispatched` once it has begun.
 */
function heldUntil(agent: Agent, at: number, ours: { bytes: number; refused: boolean }, dispatched: () => void, sent?: () => void): Dispatcher {
  return agent.compose((dispatch) => (options, handler) => {
    void (async () => {
      const body = await bytesOf(options.body);
      // Our body (batchBody), not the SDK's serialisation of the empty list it was given: were the SDK
      // to stop letting our options override its body, an empty batch must not go out under the key.
      if (byteLength(body) !== ours.bytes) {
        ours.refused = true;
        throw new NotOurBody();
      }
      await sleepUntil(at);
      dispatch({ ...options, body }, handler);
      sent?.();
      setImmediate(dispatched); // after undici's own turn at the socket
    })().catch((err: Error) => handler.onError?.(err));
    return true;
  });
}

/** The SDK sent something other than the body we gave it (see heldUntil). */
class NotOurBody extends Error {
  override name = 'NotOurBody';
  constructor() {
    super('the Resend SDK did not send the request body tagcast built: nothing was sent (check the SDK version)');
  }
}

function byteLength(body: Dispatcher.DispatchOptions['body']): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : -1;
}

/** A body fetch sends without copying it first. */
function oneChunk(bytes: Buffer): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** fetch hands undici its body as a stream (ours, or the SDK's JSON, encoded when first read): read it now. */
async function bytesOf(body: Dispatcher.DispatchOptions['body']): Promise<Dispatcher.DispatchOptions['body']> {
  if (!body || typeof body === 'string' || body instanceof Uint8Array || !(Symbol.asyncIterator in body)) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * One request at a time between "start serialising" and "written": serialising a batch blocks the
 * event loop for tens of milliseconds, and a held request whose slot falls inside that block leaves
 * late. Requests take turns in the order they took their slots (one Redis connection answers in
 * order), so each serialises right after the one before it has gone, well ahead of its own slot.
 */
function turns() {
  let last: Promise<void> = Promise.resolve();
  return async function take(): Promise<() => void> {
    const before = last;
    let release!: () => void;
    last = new Promise((r) => (release = r));
    await before;
    return release;
  };
}

export function createResend(opts: ResendOptions): Provider {
  const client = new Resend(opts.apiKey, opts.baseUrl ? { baseUrl: opts.baseUrl } : undefined);
  const agent = new Agent();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const turn = turns();
  return {
    name: 'resend',
    joinsJson: true,
    maxBatch: 100,
    async sendBatch(emails, { idempotencyKey, notBefore, onSent }): Promise<BatchResult> {
      if (emails.length > 100) throw new ProviderError('final', `a batch holds at most 100 emails, got ${emails.length}`);
      // A slot can be a second or more away at low rates: serialise just ahead of it, not now, so a batch
      // waiting for its slot holds its emails but not also their ~10 MB of JSON and bytes while the
      // request before it is on the wire (docs/decisions.md, "Memory of a worker").
      await sleepUntil((notBefore ?? 0) - LEAD_MS);
      const release = await turn();
      const wait = Math.max(0, (notBefore ?? 0) - Date.now());
      // Not in the SDK's types: it hands its request options to fetch as they are, `dispatcher`
      // included (tests/integration/resend.test.ts checks that a held request waits for its slot), and
      // spreads them over its own, `body` included: it sends the bytes batchBody joined (the same bytes
      // it would build from the emails; a test compares both at the emulator) and is given no emails to
      // serialise. heldUntil refuses to send anything else.
      const body = batchBody(emails);
      const ours = { bytes: body.byteLength, refused: false };
      // As a one-chunk stream: fetch copies a Buffer body (5.8 MB a batch, held beside ours until the
      // request has gone), and takes a stream's chunks as they are; heldUntil reads back this very Buffer.
      const fetchInit = { body: oneChunk(body), duplex: 'half', dispatcher: heldUntil(agent, notBefore ?? 0, ours, release, onSent) };
      const res = await client.batch
        .send([], { idempotencyKey, batchValidation: 'permissive', signal: AbortSignal.timeout(wait + timeoutMs), ...fetchInit })
        .finally(release);
      // Not a provider error (the SDK turns every fetch failure into one): the job fails and says why.
      if (ours.refused) throw new NotOurBody();
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
    close: () => agent.close(),
  };
}
