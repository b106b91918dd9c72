// Finds Redis for a run. When REDIS_URL is unset, nothing answers on the default port and
// redis-server is installed, a private, memory-only server is started for this run and stopped after
// (never for REDIS_CLUSTER: a private single server is not the cluster that was asked for).
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Config } from '../config.ts';
import { pingRedis, RedisUnavailableError } from '../queue.ts';

/** A free loopback TCP port (the OS picks one; it is released at once for the caller to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function ensureRedis(config: Config): Promise<{ url: string; stop(): Promise<void> }> {
  try {
    await pingRedis(config.redisUrl, undefined, config.redisCluster);
    return { url: config.redisUrl, stop: async () => undefined };
  } catch (e) {
    if (!(e instanceof RedisUnavailableError) || !config.redisUrlDefaulted || config.redisCluster) throw e;
    if (spawnSync('redis-server', ['--version']).status !== 0) throw e;
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    try {
      await pingRedis(url, 500);
      process.stderr.write(`note: no Redis at ${config.redisUrl}; started a private redis-server on port ${port} for this run\n`);
      return {
        url,
        async stop() {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        },
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(config.redisUrl, 'and a private redis-server did not start');
}
