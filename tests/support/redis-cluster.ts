// A real Redis Cluster for a test file: three masters (no replicas) on free loopback ports, started
// from redis-server with `--cluster-enabled yes`, joined with `redis-cli --cluster create`, and ready
// once every node's `cluster info` says cluster_state:ok. Files live in a private temp folder; `stop`
// ends each server by its pid (never by name) and removes the folder, and so does a test process
// that exits without it (Ctrl-C, a crash).
//
// redis-server and redis-cli must be installed (Debian: redis-server, which pulls in redis-tools).
// A missing one fails the test with the line that installs it; nothing is skipped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from './eventually.ts';
import { exited, exitWithin, isExecutable, onPath } from './services.ts';

export interface TestCluster {
  /** Every node's URL, comma-separated: REDIS_URL with REDIS_CLUSTER=true. */
  url: string;
  ports: number[];
  /** A plain client per node, for looking at what each master holds. */
  nodes: Redis[];
  stop(): Promise<void>;
}

/** A node's cluster bus listens on its port + 10000, which must be free and a valid port too. */
const BUS_OFFSET = 10_000;
const LOWEST = 20_000;
const HIGHEST = 65_535 - BUS_OFFSET;

/** redis-server and redis-cli, or an Error whose message says how to install them. */
export function clusterBinaries(): { server: string; cli: string } {
  const override = process.env.TAGCAST_TEST_REDIS_SERVER;
  const server = override ? (isExecutable(override) ? override : undefined) : onPath('redis-server');
  const sibling = server ? path.join(path.dirname(server), 'redis-cli') : undefined;
  const cli = sibling && isExecutable(sibling) ? sibling : onPath('redis-cli');
  const missing = [!server && 'redis-server', !cli && 'redis-cli'].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed; the Redis Cluster test starts its own cluster with redis-server and redis-cli: ` +
        'install with `sudo apt-get install -y redis-server redis-tools` (macOS: `brew install redis`)',
    );
  }
  return { server: server!, cli: cli! };
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/**
 * n ports that are free now, each with its bus port (port + 10000) free too. Held while choosing, so
 * no two are the same; released for redis-server to bind (start() retries if another process wins).
 */
async function freeClusterPorts(n: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < n; tries++) {
      if (tries > 500) throw new Error('found no free loopback ports for a Redis Cluster');
      const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST));
      const a = await listen(port);
      if (!a) continue;
      const b = await listen(port + BUS_OFFSET);
      if (!b) {
        a.close();
        continue;
      }
      held.push(a, b);
      ports.push(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
  return ports;
}

const running = new Set<ChildProcess>();
let exitHook = false;

/** The test process is exiting without stop(): end the servers by pid at once. */
function killNow(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}


async function stopChild(child: ChildProcess): Promise<void> {
  if (!exited(child) && child.pid !== undefined) {
    child.kill('SIGTERM');
    if (!(await exitWithin(child, 10_000))) {
      child.kill('SIGKILL');
      await exitWithin(child, 5_000);
    }
  }
  running.delete(child);
}

/** Waits until the probe passes; the reason it last failed when it never does, and the nodes' last log lines. */
async function until(what: string, probe: () => Promise<boolean>, ms: number, children: ChildProcess[], dir: string): Promise<void> {
  const dead = () => children.find(exited);
  try {
    await eventually(probe, { what, deadline: ms, every: 100, stopIf: () => dead() !== undefined && `redis-server (pid ${dead()!.pid}) exited` });
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${lastLines(dir)}`, { cause: e });
  }
}

function lastLines(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'servers.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}

function run(bin: string, args: string[], ms: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', (e) => (output += e.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Starts three masters, joins them into one cluster covering all 16384 slots, and waits until it serves. */
export async function startRedisCluster(): Promise<TestCluster> {
  const bins = clusterBinaries();
  let lastProblem = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await tryStart(bins);
    } catch (e) {
      lastProblem = (e as Error).message;
    }
  }
  throw new Error(`a test Redis Cluster did not start: ${lastProblem}`);
}

async function tryStart(bins: { server: string; cli: string }): Promise<TestCluster> {
  const version = spawnSync(bins.server, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`${bins.server} --version failed: ${version.stderr || version.error?.message}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-redis-cluster-'));
  const ports = await freeClusterPorts(3);
  const log = openSync(path.join(dir, 'servers.log'), 'a');
  const children = ports.map((port) =>
    spawn(
      bins.server,
      [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '5000',
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--dir', dir,
      ],
      // Not detached: a Ctrl-C in the terminal reaches the servers too.
      { cwd: dir, stdio: ['ignore', log, log] },
    ),
  );
  closeSync(log);
  for (const c of children) {
    c.on('error', () => undefined); // seen as an exit by `until`
    running.add(c);
  }
  if (!exitHook) {
    exitHook = true;
    process.once('exit', killNow);
  }
  const nodes = ports.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 }));
  for (const n of nodes) n.on('error', () => undefined);
  const stop = async () => {
    for (const n of nodes) n.disconnect();
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('every node to answer PING', async () => (await Promise.all(nodes.map((n) => n.ping()))).every((r) => r === 'PONG'), 20_000, children, dir);
    const created = await run(bins.cli, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], 30_000);
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed: ${created.output.trim().split('\n').slice(-3).join(' | ')}`);
    // Every node must know the whole cluster, or a client starting from it is sent round in circles.
    await until(
      'cluster_state:ok on every node',
      async () =>
        (await Promise.all(nodes.map((n) => n.cluster('INFO')))).every(
          (info) => /cluster_state:ok/.test(String(info)) && /cluster_slots_ok:16384/.test(String(info)) && /cluster_known_nodes:3\b/.test(String(info)),
        ),
      30_000,
      children,
      dir,
    );
    return { url: ports.map((p) => `redis://127.0.0.1:${p}`).join(','), ports, nodes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
