// Editor commands through the running server's API, when that server owns the embedded database.
//
// PGlite allows one process per data directory, so while `tagcast start` (or `serve`) runs, every
// other command would stop with DbLockedError. The owning server therefore writes DATA_DIR/api.json
// (mode 0600): its loopback URL and a token it created for itself, replaced at each start and removed
// on a clean shutdown. When a command meets DbLockedError, main.ts hands its arguments here; the
// editor commands are run again against /api/v1 and print what the local command prints.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { createApiToken, revokeApiTokensNamed } from '../db/api-tokens.ts';
import type { Db } from '../db/connection.ts';
import type { IssueProgress } from '../db/deliveries.ts';
import type { Issue, IssueStatus } from '../db/issues.ts';
import { UsageError } from './context.ts';
import { parseEngine, parseId, parseSubject, parseWeek } from './args.ts';
import { parseAgain, readersLine, weekTakenLine } from './issue.ts';
import { formatIssueReport, issueLine } from './report.ts';
import { LOCAL_TOKEN_NAME } from './tokens.ts';

export const API_FILE = 'api.json';

export interface LocalApi {
  url: string;
  token: string;
  pid: number;
}

// ---------------------------------------------------------------------------------------------
// The server side: publish the API to local commands.

/**
 * On PGlite, creates the server's own token (revoking the one of its previous start) and writes
 * DATA_DIR/api.json for local commands; returns what undoes both at shutdown. On PostgreSQL every
 * command opens the database itself, so nothing is published.
 */
export async function publishLocalApi(db: Db, config: Pick<Config, 'dataDir'>, address: AddressInfo | string | null): Promise<() => Promise<void>> {
  if (db.kind !== 'pglite' || !address || typeof address === 'string') return async () => undefined;
  await revokeApiTokensNamed(db, LOCAL_TOKEN_NAME);
  const { token } = await createApiToken(db, LOCAL_TOKEN_NAME);
  const file = path.join(config.dataDir, API_FILE);
  const body: LocalApi = { url: `http://127.0.0.1:${address.port}`, token, pid: process.pid };
  // Written whole under a fresh name with mode 0600 from the start, then renamed: never readable by
  // others, never seen half-written.
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(tmp, file);
  return async () => {
    await rm(file, { force: true });
    await revokeApiTokensNamed(db, LOCAL_TOKEN_NAME).catch(() => undefined);
  };
}

// ---------------------------------------------------------------------------------------------
// The client side.

/** The API answered with an error: its status and reason. */
export class RemoteError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** On a 400: each field's problem. */
    readonly issues: { path: string; message: string }[] = [],
    /** On a 409 from creating an issue: the issue that holds the week. */
    readonly existing?: { id: number; status: IssueStatus } | undefined,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface Client {
  request<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<T>;
  text(url: string): Promise<string>;
}

/** The published API when its file exists and the server answers with that token; else undefined. */
export async function findLocalApi(dataDir: string, timeoutMs = 3000): Promise<Client | undefined> {
  let api: LocalApi;
  try {
    api = JSON.parse(await readFile(path.join(dataDir, API_FILE), 'utf8')) as LocalApi;
    if (typeof api.url !== 'string' || typeof api.token !== 'string') return undefined;
  } catch {
    return undefined;
  }
  const client = apiClient(api);
  try {
    await client.request('GET', '/issues', undefined, timeoutMs);
    return client;
  } catch {
    return undefined;
  }
}

export function apiClient(api: Pick<LocalApi, 'url' | 'token'>): Client & { request<T>(m: string, u: string, b?: unknown, t?: number): Promise<T> } {
  const call = async (method: string, url: string, body: unknown, timeoutMs: number) => {
    const res = await fetch(`${api.url}/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${api.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      const answer = (await res.json().catch(() => ({}))) as { error?: string; issues?: { path: string; message: string }[]; existing?: { id: number; status: IssueStatus } };
      throw new RemoteError(res.status, answer.error ?? `the server answered ${res.status}`, answer.issues, answer.existing);
    }
    return res;
  };
  return {
    async request<T>(method: string, url: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
      return (await (await call(method, url, body, timeoutMs)).json()) as T;
    },
    async text(url: string) {
      return (await call('GET', url, undefined, 120_000)).text();
    },
  };
}

/** JSON dates back into Dates, for the report functions the local commands share. */
function reviveIssue(i: Record<string, unknown>): Issue {
  const date = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
  return { ...(i as unknown as Issue), sendAt: date(i.sendAt), createdAt: date(i.createdAt)!, plannedAt: date(i.plannedAt), finishedAt: date(i.finishedAt) };
}

interface IssueDetail {
  issue: Record<string, unknown>;
  progress: IssueProgress & { total: number };
  failures: { reason: string; failed: number }[];
  tags: { tag: string; readers: number }[];
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** The mapped commands, as the local ones parse them; each action calls the API. */
function remoteProgram(client: Client, config: Config): Command {
  const program = new Command('tagcast').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });

  const issue = program.command('issue');
  issue
    .command('create')
    .requiredOption('--week <week>')
    .option('--engine <engine>')
    .option('--subject <subject>')
    .option('--again')
    .option('--reason <reason>')
    .action(async (o: { week: string; engine?: string; subject?: string; again?: boolean; reason?: string }) => {
      const week = parseWeek(o.week);
      const subject = parseSubject(o.subject);
      const again = parseAgain(o);
      const body = { week, engine: parseEngine(o.engine, config.templateEngine), subject, ...(again ? { again: true, reason: again.reason } : {}) };
      const { issue: i } = await client.request<{ issue: Issue }>('POST', '/issues', body).catch((e: unknown) => {
        throw e instanceof RemoteError && e.status === 409 && e.existing ? new RemoteError(409, weekTakenLine(week, e.existing)) : e;
      });
      out(`created issue ${i.id} for ${i.week} (${i.engine}, draft${i.againOf !== null && i.againOf !== undefined ? `, correction of issue ${i.againOf}` : ''})`);
    });
  issue
    .command('schedule')
    .argument('<id>')
    .option('--at <time>')
    .option('--local <time>')
    .option('--date <date>')
    .action(async (raw: string, o: { at?: string; local?: string; date?: string }) => {
      const id = parseId(raw);
      if ((o.at === undefined) === (o.local === undefined)) throw new UsageError('give either --at TIME or --local HH:MM --date YYYY-MM-DD');
      if (o.local !== undefined) {
        if (o.date === undefined) throw new UsageError('--local needs --date YYYY-MM-DD (the day readers get it)');
        const r = await client.request<{ issue: Record<string, unknown>; readers: number }>('POST', `/issues/${id}/schedule-local`, { localTime: o.local, date: o.date });
        out(readersLine(r.readers));
        out(`issue ${r.issue.id} scheduled for ${o.date} at ${o.local} in each reader's time zone (planned at ${reviveIssue(r.issue).sendAt?.toISOString()}, an hour before the first readers get it)`);
        return;
      }
      const at = new Date(o.at!);
      if (Number.isNaN(at.getTime()) || !/T.*(Z|[+-]\d\d:?\d\d)$/i.test(o.at!)) {
        throw new UsageError(`--at must be an ISO 8601 time with a zone, e.g. 2026-11-30T08:00:00Z, got "${o.at}"`);
      }
      const r = await client.request<{ issue: Record<string, unknown>; readers: number }>('POST', `/issues/${id}/schedule`, { at: o.at });
      out(readersLine(r.readers));
      out(`issue ${r.issue.id} scheduled for ${reviveIssue(r.issue).sendAt?.toISOString()}`);
    });
  issue
    .command('send')
    .argument('<id>')
    .option('--wait')
    .action(async (raw: string, o: { wait?: boolean }) => {
      const id = parseId(raw);
      const sent = await client.request<{ readers: number }>('POST', `/issues/${id}/send`);
      out(`issue ${id} ${readersLine(sent.readers)}`);
      if (!o.wait) {
        out(`issue ${id} queued; a running worker (tagcast worker or start) sends it`);
        return;
      }
      // The server's workers send it; this process only watches.
      for (;;) {
        const d = await client.request<IssueDetail>('GET', `/issues/${id}`);
        const i = reviveIssue(d.issue);
        if (['sent', 'paused', 'cancelled', 'failed'].includes(i.status)) {
          out(formatIssueReport(config, i, d.progress, d.tags, d.failures));
          if (i.status !== 'sent') process.exitCode = 1;
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    });
  issue
    .command('status')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      const d = await client.request<IssueDetail>('GET', `/issues/${id}`).catch((e: unknown) => {
        throw e instanceof RemoteError && e.status === 404 ? new UsageError(`issue ${id} does not exist`) : e;
      });
      out(formatIssueReport(config, reviveIssue(d.issue), d.progress, d.tags, d.failures));
    });
  for (const [name, done] of [
    ['pause', (i: Record<string, unknown>) => `issue ${i.id} paused`],
    ['cancel', (i: Record<string, unknown>) => `issue ${i.id} cancelled`],
  ] as const) {
    issue
      .command(name)
      .argument('<id>')
      .action(async (raw: string) => {
        const r = await client.request<{ issue: Record<string, unknown> }>('POST', `/issues/${parseId(raw)}/${name}`);
        out(done(r.issue));
      });
  }
  issue
    .command('resume')
    .argument('<id>')
    .action(async (raw: string) => {
      const r = await client.request<{ issue: Record<string, unknown>; batches: number }>('POST', `/issues/${parseId(raw)}/resume`);
      out(`issue ${r.issue.id} ${r.issue.status}: ${r.batches} batches re-enqueued`);
    });
  issue.command('list').action(async () => {
    const r = await client.request<{ issues: Record<string, unknown>[] }>('GET', '/issues');
    for (const i of r.issues) out(issueLine(reviveIssue(i)));
  });

  return program;
}

/** Which commands go through the API: `group sub` or a lone command. */
const MAPPED = new Set([
  'issue create',
  'issue schedule',
  'issue send',
  'issue status',
  'issue pause',
  'issue resume',
  'issue cancel',
  'issue list',
]);

/** Whether argv (process.argv: node, script, args…) names a command the API can run. */
export function isMapped(argv: string[]): boolean {
  const [a, b] = argv.slice(2).filter((x) => !x.startsWith('-'));
  return MAPPED.has(`${a} ${b}`);
}

/**
 * Runs argv through the published API. 'unmapped': not an editor command; 'absent': no server
 * answers at api.json. Otherwise the command ran (its exit code is in process.exitCode) or threw.
 */
export async function runRemote(argv: string[]): Promise<'ran' | 'unmapped' | 'absent'> {
  const config = loadConfig();
  const client = await findLocalApi(config.dataDir);
  if (!client) return 'absent';
  if (!isMapped(argv)) return 'unmapped';
  try {
    await remoteProgram(client, config).parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) throw e;
    // A refused request reads as the local command's refusal: the problems, without the field paths.
    if (e instanceof RemoteError && e.status === 400) throw new UsageError(e.issues.length > 0 ? e.issues.map((i) => i.message).join('; ') : e.message);
    if (e instanceof RemoteError) throw e;
    if (e instanceof TypeError && /fetch failed/.test(e.message)) throw new RemoteError(0, `the server at ${config.dataDir}/${API_FILE} stopped answering`);
    throw e;
  }
  return 'ran';
}
