// The services a test run needs — Redis, PostgreSQL, Chromium — found, or started, once per
// `vitest run`, before any test process starts.
//
// - Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379) and PostgreSQL at TEST_DATABASE_URL
//   (default postgres://postgres@127.0.0.1:5432/test) are used when they answer. When nothing answers
//   and the server is installed, a private one is started for the run — redis-server memory-only,
//   PostgreSQL as a throwaway cluster (initdb, trust auth, fsync off) in a temp folder, both on a free
//   loopback port — and TEST_REDIS_URL / TEST_DATABASE_URL are pointed at it, so the test processes
//   (tests/support/env.ts) and the tagcast processes they spawn use it. At the end of the run each is
//   stopped by its pid and its folder removed.
// - When a needed piece is not installed at all, the run stops before any test with one line naming
//   the command that installs it, and exit code 1. Nothing is skipped.
// - Each piece is checked only when a project that needs it runs (NEEDS below): Chromium for the
//   browser projects, Redis and PostgreSQL for the projects with a database (integration-* and
//   browser-*). `vitest run --project unit` needs none of them.
//
// vitest.config.ts lists this file as the root globalSetup. With `extends: true`, Vitest 4 runs a
// root globalSetup once for each project that has tests, before that project's own global setup, and
// once more for the root project after them all (its teardown then runs first). So the work is kept
// here, on globalThis, shared by every call: the first call that needs a service finds or starts it,
// and the last teardown stops it.
//
// Overrides, for machines with things in other places and to simulate a missing piece:
//   TAGCAST_TEST_REDIS_SERVER  the redis-server executable (default: redis-server on PATH)
//   TAGCAST_TEST_PG_BIN        the folder holding PostgreSQL's initdb and postgres
//                              (default: the newest /usr/lib/postgresql/<ver>/bin, else initdb on PATH)
//   CHROMIUM_PATH              the Chromium executable (default /usr/bin/chromium)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { adminUrl, chromiumPath, redisUrl } from './env.ts';
import { freePort } from '../../src/cli/redis.ts';

type Piece = 'redis' | 'postgres' | 'chromium';

/** What each project needs before its tests may start. */
const NEEDS: Record<string, Piece[]> = {
  'integration-pglite': ['redis'],
  'integration-postgres': ['redis', 'postgres'],
  browser: ['chromium'],
  'browser-pglite': ['chromium', 'redis'],
  'browser-postgres': ['chromium', 'redis', 'postgres'],
};

interface Server {
  what: string;
  child: ChildProcess;
  dir: string;
  /** The signal that stops it cleanly, and the one for a process that is about to exit. */
  stop: NodeJS.Signals;
  lastResort: NodeJS.Signals;
}

interface State {
  /** One promise per piece: its URL (or path), once found or started. */
  ready: Partial<Record<Piece, Promise<string>>>;
  servers: Server[];
  users: number;
  exitHook: boolean;
}

const KEY = Symbol.for('tagcast.test-services');
const state: State = ((globalThis as Record<symbol, unknown>)[KEY] ??= { ready: {}, servers: [], users: 0, exitHook: false }) as State;

/** A problem to report as the run's one line. */
class Missing extends Error {}

/** Global setup: makes sure what the project's tests need is there; stops it after the last project. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (needsOf(project).length === 0) return undefined;
  state.users++;
  await servicesFor(project);
  return async () => {
    if (--state.users === 0) await stopAll();
  };
}

/**
 * Finds or starts every service the project needs and points TEST_REDIS_URL / TEST_DATABASE_URL at
 * them. On a missing piece it prints one line, stops what this run started and ends the run (exit 1).
 */
export async function servicesFor(project: TestProject): Promise<void> {
  const needs = needsOf(project);
  try {
    const absent = needs.filter((p) => !(p in state.ready)).map((p) => ({ piece: p, problem: absence(p) }));
    // Every missing piece in one line, before anything is started.
    const missing = (await Promise.all(absent.map(async (a) => ({ piece: a.piece, problem: await a.problem })))).filter((a) => a.problem);
    if (missing.length > 0) throw new Missing(missingLine(missing.map((m) => ({ piece: m.piece, problem: m.problem! }))));
    for (const piece of needs) {
      const found = await (state.ready[piece] ??= provide(piece));
      if (piece === 'redis') process.env.TEST_REDIS_URL = found;
      if (piece === 'postgres') process.env.TEST_DATABASE_URL = found;
    }
  } catch (e) {
    const line = e instanceof Missing ? e.message : `the test services could not be set up: ${oneLine(e)}`;
    process.stderr.write(`\n${line}\n\n`);
    await stopAll();
    // Let the other projects' global setups that already ran clean up, then end the run here:
    // a thrown error would bury the line under Vitest's "No test files found" and a stack trace.
    await project.vitest.close().catch(() => undefined);
    process.exit(1);
  }
}

/**
 * The project's needs, and those of the other projects of this run with the same test files
 * (integration-pglite and integration-postgres): checked together, a missing PostgreSQL stops the run
 * before the first of them builds anything.
 */
function needsOf(project: TestProject): Piece[] {
  const include = JSON.stringify(project.config.include);
  const names = [project.name, ...project.vitest.projects.filter((p) => p.name && JSON.stringify(p.config.include) === include).map((p) => p.name)];
  return [...new Set(names.flatMap((n) => NEEDS[n] ?? []))];
}

// ---------------------------------------------------------------------------------------------
// Is it there?

/** Why the piece can be neither used nor started (undefined: it can), as part of the one line. */
async function absence(piece: Piece): Promise<string | undefined> {
  if (piece === 'chromium') {
    const file = chromiumPath();
    return isExecutable(file) ? undefined : `Chromium is not installed at ${file}`;
  }
  if (piece === 'redis') {
    const url = redisUrl();
    if ((await answers(url, 6379)) || redisServerBin()) return undefined;
    return `redis-server is not installed and nothing answers at ${url}`;
  }
  const url = adminUrl();
  if ((await answers(url, 5432)) || postgresBin()) return undefined;
  return `PostgreSQL is not installed and nothing answers at ${url}`;
}

const INSTALL: Record<Piece, { apt: string; mac: string }> = {
  redis: { apt: 'redis-server', mac: 'redis' },
  postgres: { apt: 'postgresql', mac: 'postgresql' },
  chromium: { apt: 'chromium', mac: '' },
};

function missingLine(missing: { piece: Piece; problem: string }[]): string {
  const apt = missing.map((m) => INSTALL[m.piece].apt).join(' ');
  const brew = missing.map((m) => INSTALL[m.piece].mac).filter(Boolean).join(' ');
  const them = missing.length > 1 ? 'them' : 'it';
  const other = [brew && `macOS: \`brew install ${brew}\``, missing.some((m) => m.piece === 'chromium') && 'or set CHROMIUM_PATH to a Chromium or Chrome executable']
    .filter(Boolean)
    .join('; ');
  return `${missing.map((m) => m.problem).join('; ')}: install ${them} with \`sudo apt-get install -y ${apt}\`${other ? ` (${other})` : ''}`;
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir || '.', name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

function redisServerBin(): string | undefined {
  const override = process.env.TAGCAST_TEST_REDIS_SERVER;
  if (override) return isExecutable(override) ? override : undefined;
  return onPath('redis-server');
}

interface PgBin {
  initdb: string;
  postgres: string;
  version: string;
}

function postgresBin(): PgBin | undefined {
  const inDir = (dir: string): PgBin | undefined => {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (!isExecutable(initdb) || !isExecutable(postgres)) return undefined;
    const v = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
    return { initdb, postgres, version: /(\d+(?:\.\d+)?)/.exec(v.stdout ?? '')?.[1] ?? '' };
  };
  const override = process.env.TAGCAST_TEST_PG_BIN;
  if (override) return inDir(override);
  const root = '/usr/lib/postgresql'; // Debian and Ubuntu: one folder per major version
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
  for (const v of versions.sort((a, b) => Number(b) - Number(a))) {
    const found = inDir(path.join(root, v, 'bin'));
    if (found) return found;
  }
  const initdb = onPath('initdb'); // Homebrew, Fedora, …
  return initdb ? inDir(path.dirname(initdb)) : undefined;
}

/** Whether anything accepts a TCP connection at the URL's host and port. */
function answers(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || defaultPort);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Use it, or start a private one.

async function provide(piece: Piece): Promise<string> {
  if (piece === 'chromium') return chromiumPath();
  if (piece === 'redis') {
    const url = redisUrl();
    if (await answers(url, 6379)) {
      await checkRedis(url);
      return url;
    }
    return startRedis(redisServerBin()!, url);
  }
  const url = adminUrl();
  if (await answers(url, 5432)) {
    await checkPostgres(url);
    return url;
  }
  return startPostgres(postgresBin()!, url);
}

async function checkRedis(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new Missing(`something answers at ${url} but it is not a Redis the tests can use (${oneLine(e)}): point TEST_REDIS_URL at a Redis >= 7`);
  } finally {
    probe.disconnect();
  }
}

/** Connects as the tests will; creates the database when the server answers but lacks it. */
async function checkPostgres(url: string): Promise<void> {
  const refused = (e: unknown) =>
    new Missing(
      `PostgreSQL at ${url} answers but refuses the tests (${oneLine(e)}): the tests need a superuser with trust auth on 127.0.0.1 ` +
        '(`.ci/run` sets one up), or point TEST_DATABASE_URL at another server',
    );
  try {
    await query(url, 'select 1');
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000') throw refused(e);
    const name = new URL(url).pathname.slice(1);
    const u = new URL(url);
    u.pathname = '/postgres';
    try {
      await query(u.toString(), `create database "${name.replace(/"/g, '""')}"`);
    } catch (e2) {
      throw refused(e2);
    }
    process.stderr.write(`note: created database ${name} at ${u.host} for the tests\n`);
  }
}

async function query(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startRedis(bin: string, wanted: string): Promise<string> {
  let lastProblem = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-redis-'));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const server = launch('redis-server', bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      dir,
      stop: 'SIGTERM',
      lastResort: 'SIGKILL',
    });
    const problem = await until(server, async () => {
      await checkRedis(url);
    });
    if (!problem) {
      process.stderr.write(`note: nothing answers at ${wanted}; started a private redis-server (pid ${server.child.pid}) at ${url} for this run\n`);
      return url;
    }
    lastProblem = problem;
    await stopServer(server);
  }
  throw new Error(`a private redis-server did not start (${lastProblem})`);
}

async function startPostgres(bin: PgBin, wanted: string): Promise<string> {
  // initdb and postgres refuse to run as root: as root, run them as the postgres user.
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  const name = new URL(wanted).pathname.slice(1) || 'test';
  let lastProblem = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-pg-'));
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const data = path.join(dir, 'data');
    const as = { cwd: dir, env: { ...process.env, HOME: dir }, ...(owner ?? {}) };
    let init = spawnSync(bin.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], { ...as, encoding: 'utf8' });
    if (init.status !== 0) {
      rmSync(data, { recursive: true, force: true }); // no C.UTF-8 locale here (older macOS): plain C
      init = spawnSync(bin.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...as, encoding: 'utf8' });
    }
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb for a private PostgreSQL failed: ${lastLine(`${init.stderr ?? ''}${init.error?.message ?? ''}`)}`);
    }
    const port = await freePort();
    const server = launch(
      `PostgreSQL ${bin.version}`.trim(),
      bin.postgres,
      ['-D', data, '-k', dir, '-h', '127.0.0.1', '-p', String(port), '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
      { dir, stop: 'SIGINT', lastResort: 'SIGQUIT', spawn: as },
    );
    const base = `postgres://postgres@127.0.0.1:${port}`;
    const problem = await until(server, () => query(`${base}/postgres`, 'select 1'));
    if (!problem) {
      await query(`${base}/postgres`, `create database "${name.replace(/"/g, '""')}"`);
      process.stderr.write(
        `note: nothing answers at ${wanted}; started a private ${server.what} (pid ${server.child.pid}, files in ${dir}) at ${base}/${name} for this run\n`,
      );
      return `${base}/${name}`;
    }
    lastProblem = problem;
    await stopServer(server);
  }
  throw new Error(`a private PostgreSQL did not start (${lastProblem})`);
}

function systemUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout?.trim() || NaN);
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Missing(
      `PostgreSQL will not run as root and there is no \`${name}\` user to run a private server as: run the tests as another user, ` +
        `or install PostgreSQL's package (\`sudo apt-get install -y postgresql\`), which creates the user`,
    );
  }
  return { uid, gid };
}

function launch(
  what: string,
  bin: string,
  args: string[],
  opts: { dir: string; stop: NodeJS.Signals; lastResort: NodeJS.Signals; spawn?: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number } },
): Server {
  const log = openSync(path.join(opts.dir, 'server.log'), 'a');
  // Not detached: a Ctrl-C in the terminal reaches the server too.
  const child = spawn(bin, args, { cwd: opts.dir, ...opts.spawn, stdio: ['ignore', log, log] });
  closeSync(log);
  child.on('error', () => undefined); // reported through `until`
  const server: Server = { what, child, dir: opts.dir, stop: opts.stop, lastResort: opts.lastResort };
  state.servers.push(server);
  if (!state.exitHook) {
    state.exitHook = true;
    process.once('exit', killAllNow);
  }
  return server;
}

/** Polls until the server answers (undefined) or gives up with the reason. */
async function until(server: Server, probe: () => Promise<void>, timeoutMs = 30_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited(server.child)) return `it exited: ${lastLine(readLog(server)) || `exit code ${server.child.exitCode}`}`;
    try {
      await probe();
      return undefined;
    } catch (e) {
      if (Date.now() > deadline) return `it did not answer within ${timeoutMs / 1000} s: ${oneLine(e)}`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readLog(server: Server): string {
  try {
    return readFileSync(path.join(server.dir, 'server.log'), 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Stop what this run started: by pid, never by name.

async function stopAll(): Promise<void> {
  const servers = state.servers.splice(0);
  await Promise.all(servers.map((s) => stopServer(s, true)));
  state.ready = {};
}

async function stopServer(server: Server, say = false): Promise<void> {
  const { child } = server;
  if (!exited(child)) {
    child.kill(server.stop);
    if (!(await exitWithin(child, 20_000))) {
      child.kill('SIGKILL');
      await exitWithin(child, 5_000);
    }
  }
  rmSync(server.dir, { recursive: true, force: true });
  const i = state.servers.indexOf(server);
  if (i >= 0) state.servers.splice(i, 1);
  if (say) process.stderr.write(`note: stopped the private ${server.what} (pid ${child.pid}) and removed ${server.dir}\n`);
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

export function exitWithin(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The process is exiting without the teardown (Ctrl-C, a crash): stop the servers synchronously. */
function killAllNow(): void {
  for (const s of state.servers.splice(0)) {
    if (exited(s.child)) {
      rmSync(s.dir, { recursive: true, force: true });
      continue;
    }
    try {
      s.child.kill(s.lastResort);
    } catch {
      // already gone
    }
    waitDeadSync(s.child.pid!, 3000);
    try {
      rmSync(s.dir, { recursive: true, force: true });
    } catch {
      // a dying server may still write into it; best effort
    }
  }
}

/** Waits (blocking) until the pid is gone or a zombie; without /proc, waits a moment. */
function waitDeadSync(pid: number, ms: number): void {
  const sleep = (n: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n);
  if (!existsSync('/proc/self/stat')) return void sleep(200);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    } catch {
      return;
    }
    sleep(20);
  }
}


function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  );
}

function oneLine(e: unknown): string {
  const message = e instanceof AggregateError && e.errors.length > 0 ? e.errors.map(oneLine).join('; ') : e instanceof Error ? e.message : String(e);
  return message.replace(/\s*\n\s*/g, ' ').trim() || String(e);
}
