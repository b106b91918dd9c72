// One narrow interface over both backends: PGlite (embedded, one owner process) and node-postgres.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import path from 'node:path';

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** Runs one parameterised statement and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs one parameterised statement and returns how many rows it touched. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction; the Db handed to fn must be used for every statement inside it. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Statements run often enough to be prepared once per connection (see `prepared`), by their text. */
const PREPARED = new Map<string, string>();

/**
 * Marks a statement's text as prepared: on PostgreSQL each pooled connection parses and plans it once
 * and then only binds and executes it, which the server otherwise does again for every request (the
 * page generation read by every public page, the web version's row, the one-click unsubscribe). For
 * statements a busy route runs on every request, written once as a module constant; never for text
 * built per call, since each connection keeps every statement it prepared. PGlite runs it as it is.
 */
export function prepared(sql: string): string {
  if (!PREPARED.has(sql)) PREPARED.set(sql, `tc_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`);
  return sql;
}

export class DbLockedError extends Error {
  constructor(dir: string, holder: string) {
    super(
      `the embedded database in ${dir} is in use by another tagcast process (${holder}). ` +
        'PGlite allows one process per data directory: stop that process, run everything in one process ' +
        '(`tagcast start`), or set DATABASE_URL to a PostgreSQL server so several processes can share it.',
    );
    this.name = 'DbLockedError';
  }
}

/** PostgreSQL could not be reached or refused us: one line naming the server (credentials masked) and why. */
export class DatabaseUnavailableError extends Error {
  constructor(url: string, reason: string) {
    super(`cannot connect to PostgreSQL at ${maskDatabaseUrl(url)}: ${reason}. Check DATABASE_URL.`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** The URL without user name, password or query (which may hold a password), but with a socket ?host=. */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const socket = u.searchParams.get('host');
    return `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}${u.pathname}${socket ? `?host=${socket}` : ''}`;
  } catch {
    return '(an unreadable DATABASE_URL)';
  }
}

/** Without connect_timeout in the URL, a server that never answers fails the connection after this. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The URL's connect_timeout (seconds, as in libpq; 0 waits forever), else the default. */
function connectTimeoutMs(url: string): number {
  try {
    const s = new URL(url).searchParams.get('connect_timeout');
    if (s !== null && /^\d+$/.test(s)) return Number(s) * 1000;
  } catch {
    // An unparsable URL fails in the driver, with its own reason.
  }
  return DEFAULT_CONNECT_TIMEOUT_MS;
}

/** The reason a connection failed, in words, from a socket error, a server error or a driver error. */
function connectFailure(e: unknown, url: string, timeoutMs: number): string {
  const err = e as { code?: string; message?: string; hostname?: string; errors?: { code?: string }[] };
  // Node reports a refused dual-stack connect (::1 and 127.0.0.1) as an AggregateError with no message.
  const code = err?.code ?? err?.errors?.find((x) => x?.code)?.code;
  const message = String(err?.message ?? e).split('\n')[0]!.trim();
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    // keep it empty
  }
  if (code === 'ECONNREFUSED') return 'connection refused (is PostgreSQL running, and listening on that host and port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `unknown host "${err.hostname ?? host}"`;
  if (code === 'ETIMEDOUT' || /timeout expired|connection timeout/i.test(message)) return `no answer within ${timeoutMs / 1000} s`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'the host cannot be reached from here';
  if (code === 'ENOENT') return 'no server socket at that path';
  if (/client password must be a string/.test(message)) return 'the server asks for a password and DATABASE_URL has none';
  // Server errors (28000 unknown role, 3D000 unknown database, 28P01 bad password, …) say it themselves.
  return message || 'unknown error';
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite's folder; unused with databaseUrl. */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

export async function openDb(opts: OpenOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  if (!opts.dataDir) throw new Error('openDb needs databaseUrl or dataDir');
  return openPglite(path.join(opts.dataDir, 'pg'));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes an exclusive lock file beside PGlite's files; a lock left by a dead process is taken over. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'tagcast.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // A half-written lock: its writer died between create and write. Treat as stale.
      }
      const sameHost = holder.host === undefined || holder.host === hostname();
      if (holder.pid && holder.pid !== process.pid && sameHost && isAlive(holder.pid)) {
        throw new DbLockedError(dir, `pid ${holder.pid}`);
      }
      if (holder.pid === process.pid) throw new DbLockedError(dir, 'this process already has it open');
      if (!sameHost) throw new DbLockedError(dir, `pid ${holder.pid} on host ${holder.host}`);
      rmSync(file, { force: true });
    }
  }
  throw new DbLockedError(dir, 'could not take the lock file');
}

/**
 * PGlite's buffer cache. Postgres's default (128 MB) is allocated inside PGlite's WebAssembly memory,
 * which never shrinks; the files underneath are in the operating system's page cache anyway, so a small
 * pool costs little speed and saves ~110 MB of every embedded process (docs/decisions.md, "PGlite's memory").
 */
export const PGLITE_SHARED_BUFFERS = '16MB';

/**
 * Creates a new PGlite cluster in a child process. initdb grows PGlite's WebAssembly memory to ~900 MB
 * RSS, and a WebAssembly memory never gives pages back: run in this process, that peak would stay for
 * the process's life. The child exits and takes it along; this process then opens the finished cluster.
 */
function initPglite(dir: string): void {
  if (existsSync(path.join(dir, 'PG_VERSION'))) return;
  const code = `const { PGlite } = require(process.argv[1]); PGlite.create(process.argv[2]).then((pg) => pg.close());`;
  const child = spawnSync(process.execPath, ['-e', code, createRequire(import.meta.url).resolve('@electric-sql/pglite'), dir], { encoding: 'utf8' });
  if (child.status !== 0) {
    const why = (child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n').find((l) => /error/i.test(l)) ?? `exit ${child.status}`;
    throw new Error(`could not create the embedded database in ${dir}: ${why}`);
  }
}

async function openPglite(dir: string): Promise<Db> {
  const unlock = lockDataDir(dir);
  try {
    initPglite(dir);
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
    type Q = Pick<typeof pg, 'query' | 'exec'>;
    const wrap = (q: Q, inTx: boolean): Db => ({
      kind: 'pglite',
      async query<T>(sql: string, params: unknown[] = []) {
        return (await q.query<T>(sql, params)).rows;
      },
      async run(sql: string, params: unknown[] = []) {
        return (await q.query(sql, params)).affectedRows ?? 0;
      },
      async exec(sql: string) {
        await q.exec(sql);
      },
      async tx<T>(fn: (db: Db) => Promise<T>) {
        if (inTx) return fn(wrap(q, true));
        return pg.transaction((t) => fn(wrap(t, true)));
      },
      async close() {
        if (inTx) throw new Error('close() inside a transaction');
        await pg.close();
        unlock();
      },
    });
    return wrap(pg, false);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pgMod = await import('pg');
  const pg = pgMod.default;
  // Counts and ids come back as numbers on both backends (PGlite already does this for int8).
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
  };
  const timeoutMs = connectTimeoutMs(url);
  // The timeout belongs on each client's connect, not on the pool: the pool's own timeout would also
  // fail a query that merely waited for a free client under load.
  class TimedClient extends pg.Client {
    constructor(config?: ConstructorParameters<typeof pg.Client>[0]) {
      super(typeof config === 'object' ? { ...config, connectionTimeoutMillis: timeoutMs } : config);
    }
  }
  let pool: InstanceType<typeof pg.Pool>;
  try {
    pool = new pg.Pool({ connectionString: url, max, types: types as never, Client: TimedClient });
  } catch (e) {
    throw new DatabaseUnavailableError(url, connectFailure(e, url, timeoutMs));
  }
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries in flight see their own error.
  });
  type Client = { query: InstanceType<typeof pg.Pool>['query'] };
  const wrap = (c: Client, inTx: boolean): Db => ({
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      const name = PREPARED.get(sql);
      return (await (name ? c.query({ name, text: sql, values: params }) : c.query(sql, params))).rows as T[];
    },
    async run(sql: string, params: unknown[] = []) {
      return (await c.query(sql, params)).rowCount ?? 0;
    },
    async exec(sql: string) {
      await c.query(sql);
    },
    async tx<T>(fn: (db: Db) => Promise<T>) {
      if (inTx) return fn(wrap(c, true));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client, true));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  });
  // Fail early, in one line, rather than on the first real query.
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnavailableError(url, connectFailure(e, url, timeoutMs));
  }
  return wrap(pool, false);
}
