// The CLI's way to a running server's API: found through DATA_DIR/api.json, which the server that
// owns the embedded database publishes (src/cli/clients/publish.ts publishLocalApi). Answers come back typed:
// dates as Dates, a refusal as the operation's own EditorError, so a command prints the same either way.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EditorError } from '../../editor/errors.ts';

export const API_FILE = 'api.json';

export interface ApiClient {
  /** A JSON request below /api/v1; the answer with ISO times revived as Dates. */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T>;
  /** A GET whose answer is text (a CSV export). */
  text(url: string): Promise<string>;
  /** Where api.json said the server is, for messages. */
  readonly url: string;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const revive = (_key: string, v: unknown) => (typeof v === 'string' && ISO_TIME.test(v) ? new Date(v) : v);

export function apiClient(api: { url: string; token: string }, timeoutMs = 120_000): ApiClient {
  const call = async (method: string, url: string, body: unknown) => {
    let res: Response;
    try {
      res = await fetch(`${api.url}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${api.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new EditorError('unavailable', `the running server (${api.url}, from ${API_FILE}) stopped answering`);
    }
    if (!res.ok) {
      const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      const { issues } = answer as { issues?: { message: string }[] };
      // A request the server's schema refused reads as the local check would: the problems, without field paths.
      if (res.status === 400 && Array.isArray(issues) && issues.length > 0) throw new EditorError('invalid', issues.map((i) => i.message).join('; '));
      throw EditorError.fromHttp(res.status, answer);
    }
    return res;
  };
  return {
    url: api.url,
    async request<T>(method: string, url: string, body?: unknown): Promise<T> {
      return JSON.parse(await (await call(method, url, body)).text(), revive) as T;
    },
    async text(url: string) {
      return (await call('GET', url, undefined)).text();
    },
  };
}

/** The published API when its file exists and the server answers with that token; else undefined. */
export async function findLocalApi(dataDir: string, timeoutMs = 3000): Promise<ApiClient | undefined> {
  let api: { url?: unknown; token?: unknown };
  try {
    api = JSON.parse(await readFile(path.join(dataDir, API_FILE), 'utf8')) as typeof api;
  } catch {
    return undefined;
  }
  if (typeof api.url !== 'string' || typeof api.token !== 'string') return undefined;
  const probe = apiClient({ url: api.url, token: api.token }, timeoutMs);
  try {
    await probe.request('GET', '/issues');
  } catch {
    return undefined;
  }
  return apiClient({ url: api.url, token: api.token });
}
