// What the mutation run (npm run mutate) found unreached or unchecked in src/config.ts by the unit
// tests: TRUST_PROXY's lists, the Redis Cluster rules, the lease against the timeout, an unreadable
// .env, how a long value is quoted, and the flags the config derives.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackUrl, loadConfig } from '../../src/config.ts';

const cwd = mkdtempSync(path.join(tmpdir(), 'tagcast-config-mutants-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
type Env = Record<string, string | undefined>;

function problems(env: Env, dir = cwd): string[] {
  try {
    loadConfig(env, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).name).toBe('ConfigError');
    return (e as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('TRUST_PROXY', () => {
  it('is none when unset or false, any when true, else the listed addresses, networks and names', () => {
    expect(loadConfig({}, cwd).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }, cwd).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }, cwd).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: ' 127.0.0.1 , 10.0.0.0/8,,loopback, ::1/128, fd00::/8, 192.168.0.0/32' }, cwd).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      'loopback',
      '::1/128',
      'fd00::/8',
      '192.168.0.0/32',
    ]);
    expect(loadConfig({ TRUST_PROXY: 'linklocal,uniquelocal' }, cwd).trustProxy).toEqual(['linklocal', 'uniquelocal']);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0.0/x', 'proxy.example.com', 'loopback/8', '127.0.0.1,nope'])('refuses %s', (value) => {
    expect(problems({ TRUST_PROXY: value })).toEqual([
      'TRUST_PROXY: must be true, false, or proxy addresses or networks separated by commas, e.g. 127.0.0.1,10.0.0.0/8 or loopback (got ' +
        JSON.stringify(value) +
        ')',
    ]);
  });
});

describe('REDIS_URL and REDIS_CLUSTER', () => {
  const cluster = (REDIS_URL: string, more: Env = {}) => problems({ REDIS_CLUSTER: 'true', REDIS_URL, ...more });

  it('takes several seeds only for a cluster, and the cluster is a flag of the config', () => {
    expect(problems({ REDIS_URL: 'redis://a:1, redis://b:2' })).toEqual([
      'REDIS_URL: names several servers (comma-separated), which only a Redis Cluster takes: set REDIS_CLUSTER=true, or give one URL',
    ]);
    expect(loadConfig({ REDIS_URL: 'redis://a:1' }, cwd).redisCluster).toBe(false);
    const c = loadConfig({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:1, redis://b:2/0,redis://c:3/' }, cwd);
    expect(c.redisCluster).toBe(true);
    expect(c.redisUrl).toBe('redis://a:1, redis://b:2/0,redis://c:3/');
  });

  it('wants a host, database 0, one user and password, and a hash-tag prefix', () => {
    expect(cluster('redis://a:1,redis://:2')).toEqual(['REDIS_URL: is not a list of valid URLs; expected redis://HOST:PORT, or several separated by commas (REDIS_CLUSTER=true)']);
    expect(cluster('redis://a:1,redis:///x')).toEqual([
      'REDIS_URL: names a cluster node without a host; expected redis://HOST:PORT, or several separated by commas',
      'REDIS_URL: names a database other than 0, but a Redis Cluster has only database 0',
    ]);
    expect(cluster('redis://a:1/1')).toEqual(['REDIS_URL: names a database other than 0, but a Redis Cluster has only database 0']);
    const differ = ['REDIS_URL: the cluster nodes differ in scheme, user name or password; one set is used for every node, so give the same in each'];
    expect(cluster('redis://u:p@a:1,redis://u:q@b:2')).toEqual(differ);
    expect(cluster('redis://u:p@a:1,redis://v:p@b:2')).toEqual(differ);
    expect(cluster('redis://a:1,rediss://b:2')).toEqual(differ);
    expect(cluster('redis://a:1', { QUEUE_PREFIX: 'tagcast' })).toEqual([
      'QUEUE_PREFIX: must be a hash tag in braces, e.g. {tagcast}, when REDIS_CLUSTER=true: BullMQ\'s scripts use several keys of a queue at once, which a cluster allows only in one slot (got "tagcast")',
    ]);
  });
});

describe('rules across variables', () => {
  it('wants the send lease longer than the provider timeout', () => {
    const line = 'SEND_LEASE_MS: must be longer than RESEND_TIMEOUT_MS, or a slow send could be taken over while in flight';
    expect(problems({ SEND_LEASE_MS: '30000', RESEND_TIMEOUT_MS: '30000' })).toEqual([line]);
    expect(problems({ SEND_LEASE_MS: '20000' })).toEqual([line]);
    expect(loadConfig({ SEND_LEASE_MS: '30001', RESEND_TIMEOUT_MS: '30000' }, cwd).sendLeaseMs).toBe(30_001);
  });

  it('derives the archive, the log level and whether it was defaulted', () => {
    expect(loadConfig({}, cwd)).toMatchObject({ archive: true, logLevel: 'info', logLevelDefaulted: true, defaultTimeZone: 'UTC' });
    expect(loadConfig({ ARCHIVE: 'off', LOG_LEVEL: 'warn', DEFAULT_TIME_ZONE: 'Asia/Kathmandu' }, cwd)).toMatchObject({
      archive: false,
      logLevel: 'warn',
      logLevelDefaulted: false,
      defaultTimeZone: 'Asia/Kathmandu',
    });
    expect(problems({ DEFAULT_TIME_ZONE: 'Mars/Olympus' })).toEqual(['DEFAULT_TIME_ZONE: must be an IANA time zone, e.g. Europe/Berlin or UTC (got "Mars/Olympus")']);
  });
});

describe('problem lines', () => {
  it('quote a value up to 60 characters whole, a longer one cut with an ellipsis', () => {
    const sixty = 'x'.repeat(60);
    expect(problems({ LOG_LEVEL: sixty })[0]).toMatch(new RegExp(`\\(got "${sixty}"\\)$`));
    expect(problems({ LOG_LEVEL: `${sixty}y` })[0]).toMatch(new RegExp(`\\(got "${sixty}…"\\)$`));
  });

  it('name a .env that cannot be read, with the reason', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-config-mutants-'));
    mkdirSync(path.join(dir, '.env'));
    try {
      expect(problems({}, dir)).toEqual([`.env: ${path.join(dir, '.env')} cannot be read (EISDIR)`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('isLoopbackUrl', () => {
  it('is true only for this machine’s names and addresses', () => {
    for (const url of ['http://localhost:3000', 'http://a.localhost/', 'http://127.9.8.7', 'http://[::1]:80']) expect(isLoopbackUrl(url), url).toBe(true);
    for (const url of ['http://example.com', 'http://localhostx', 'http://127.0.0.1.example.com', 'http://[::2]', 'http://127.0.0.1x']) expect(isLoopbackUrl(url), url).toBe(false);
  });
});

describe('URLs at their edges', () => {
  it('DATABASE_URL takes ports 1 and 65535 and a connect_timeout of whole seconds only', () => {
    for (const url of ['postgres://db:1/x', 'postgres://db:65535/x', 'postgres://db/x?connect_timeout=10']) {
      expect(loadConfig({ DATABASE_URL: url }, cwd).databaseUrl, url).toBe(url);
    }
    for (const t of ['5s', 's5', '1.5']) {
      expect(problems({ DATABASE_URL: `postgres://db/x?connect_timeout=${t}` })[0], t).toMatch(/^DATABASE_URL: has a connect_timeout that is not a whole number/);
    }
  });

  it('PUBLIC_URL refuses a user name alone, too', () => {
    expect(problems({ PUBLIC_URL: 'https://user@news.example.com' })).toEqual(['PUBLIC_URL: must not contain a user name or password']);
  });

  it('REDIS_URL wants the scheme at the start of every part', () => {
    const line = ['REDIS_URL: must start with redis:// or rediss://'];
    expect(problems({ REDIS_URL: 'xredis://a:1' })).toEqual(line);
    expect(problems({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:1,http://b:2' })).toEqual(line);
  });

  it('isLoopbackUrl takes every 127.x.y.z, with numbers of any length', () => {
    expect(isLoopbackUrl('http://127.10.20.30/')).toBe(true);
  });
});
