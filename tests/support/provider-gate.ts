// A TCP pass-through in front of the Resend emulator, one per worker process: it counts the batch
// requests that worker made (the emulator cannot tell processes apart) and can hold them, so a test
// knows a request is in flight when it acts.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface ProviderGate {
  /** RESEND_BASE_URL for the worker behind this gate. */
  url: string;
  /** Batch requests that passed through (or are held). */
  readonly requests: number;
  /** Resolves when the first batch request arrives. */
  firstRequest: Promise<void>;
  /** Lets held requests through, and every later one. */
  release(): void;
  close(): Promise<void>;
}

export async function providerGate(target: string, opts: { hold?: boolean } = {}): Promise<ProviderGate> {
  const { hostname, port } = new URL(target);
  let held = opts.hold ?? false;
  const waiting: (() => void)[] = [];
  const sockets = new Set<Socket>();
  let requests = 0;
  let arrived!: () => void;
  const firstRequest = new Promise<void>((r) => (arrived = r));
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      const n = chunk.toString('latin1').split('POST /emails/batch').length - 1;
      if (n > 0) {
        requests += n;
        arrived();
      }
      if (held) waiting.push(() => upstream.write(chunk));
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('end', () => b.end());
      a.on('error', () => b.destroy());
      a.on('close', () => sockets.delete(a));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    firstRequest,
    release() {
      held = false;
      for (const w of waiting.splice(0)) w();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
