// What the mutation run (npm run mutate) found unreached or unchecked in src/config.ts by the unit
// tests: TRUST_PROXY's lists, the Redis Cluster rules, the lease against the timeout, an unreadable
// .env, how a long value is quoted, and the flags the config derives.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackUrl, loadConfig, wantsStackTraces } from '../../src/config.ts';

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

describe('exact problems for bad values', () => {
  it('RESEND_BASE_URL: http(s) only, no control characters (new URL would silently drop a tab)', () => {
    expect(loadConfig({ RESEND_BASE_URL: 'https://api.example.com' }, cwd).resend.baseUrl).toBe('https://api.example.com');
    expect(problems({ RESEND_BASE_URL: 'https://api.exa\tmple.com' })).toEqual([
      'RESEND_BASE_URL: must not contain control characters (line breaks, tabs)',
    ]);
    expect(problems({ RESEND_BASE_URL: 'ftp://api.example.com' })).toEqual([
      'RESEND_BASE_URL: must be an http(s) URL, e.g. https://api.resend.com',
    ]);
  });

  it('RESEND_RATE_LIMIT takes decimals with several digits', () => {
    expect(loadConfig({ RESEND_RATE_LIMIT: '0.25' }, cwd).resend.rateLimit).toBe(0.25);
  });

  it('PUBLIC_URL: not a URL at all, and trailing slashes all dropped', () => {
    expect(problems({ PUBLIC_URL: 'not a url' })).toEqual(['PUBLIC_URL: must be an http(s) URL, e.g. https://news.example.com']);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000/news//' }, cwd).publicUrl).toBe('http://localhost:3000/news');
  });

  it('MAIL_FROM: a name may touch the "<", quotes only unwrap a wholly quoted name, mailto: is refused inside <>', () => {
    expect(loadConfig({ MAIL_FROM: 'Tagcast<digest@example.com>' }, cwd).mailFrom).toBe('Tagcast <digest@example.com>');
    expect(loadConfig({ MAIL_FROM: '"Ann" Lee <a@example.com>' }, cwd).mailFrom).toBe('"\\"Ann\\" Lee" <a@example.com>');
    expect(loadConfig({ MAIL_FROM: 'Lee "Ann" <a@example.com>' }, cwd).mailFrom).toBe('"Lee \\"Ann\\"" <a@example.com>');
    expect(problems({ MAIL_FROM: 'Tagcast < mailto:digest@example.com>' })).toEqual([
      'MAIL_FROM: has no valid email address; expected an address, e.g. "Tagcast <digest@example.com>" or digest@example.com (got "Tagcast < mailto:digest@example.com>")',
    ]);
  });

  it('DATABASE_URL: no host, no database', () => {
    const expected = 'expected postgres://USER:PASSWORD@HOST:5432/DATABASE (percent-encode special characters in the password)';
    expect(problems({ DATABASE_URL: 'postgres:///test' })).toEqual([`DATABASE_URL: names no host; ${expected}`]);
    expect(problems({ DATABASE_URL: 'postgres://localhost/' })).toEqual([`DATABASE_URL: names no database; ${expected}`]);
  });

  it('RESEND_WEBHOOK_SECRET must start with whsec_ exactly', () => {
    const b64 = Buffer.alloc(24, 7).toString('base64');
    expect(loadConfig({ RESEND_WEBHOOK_SECRET: `whsec_${b64}` }, cwd).resend.webhookSecret).toBe(`whsec_${b64}`);
    expect(problems({ RESEND_WEBHOOK_SECRET: `abcdef${b64}` })).toEqual([
      'RESEND_WEBHOOK_SECRET: must be the signing secret Resend shows for the webhook: "whsec_" followed by base64 of 24 to 64 bytes',
    ]);
  });

  it('TRUST_PROXY network bits are digits only, whole', () => {
    // Number() would read both as 8.
    for (const bad of ['10.0.0.0/0x8', '10.0.0.0/8e0']) {
      expect(problems({ TRUST_PROXY: bad })[0]).toMatch(/^TRUST_PROXY: must be true, false, or proxy addresses/);
    }
  });
});

describe('a variable that does not parse adds no rule problem of its own', () => {
  it('a bad EMAIL_PROVIDER does not make the provider resend', () => {
    expect(problems({ EMAIL_PROVIDER: 'bogus', RESEND_API_KEY: 're_123' })).toEqual([
      'EMAIL_PROVIDER: must be resend or outbox (got "bogus")',
    ]);
  });

  it('a too-short SECRET is reported once, not also as missing', () => {
    expect(problems({ SECRET: 'short', NODE_ENV: 'production' })).toEqual([
      'SECRET: must be at least 32 characters (generate one with: openssl rand -base64 32)',
    ]);
  });

  it('cluster seeds are trimmed of any white space, a pasted no-break space too', () => {
    expect(loadConfig({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: '{t}', REDIS_URL: 'redis://a:6379,\u00a0redis://b:6379' }, cwd).redisCluster).toBe(true);
  });

  it('a bad REDIS_CLUSTER does not judge REDIS_URL', () => {
    expect(problems({ REDIS_CLUSTER: 'yes', REDIS_URL: 'redis://a:6379,redis://b:6379' })).toEqual([
      'REDIS_CLUSTER: must be true or false (got "yes")',
    ]);
  });

  it('the development secret names every reason it is refused, joined with "and"', () => {
    expect(
      problems({ SECRET: 'tagcast-development-secret-change-me', NODE_ENV: 'production', EMAIL_PROVIDER: 'resend', RESEND_API_KEY: 're_123' }),
    ).toEqual([
      'SECRET: is the public development secret, which must not be used when EMAIL_PROVIDER=resend and NODE_ENV=production (generate one with: openssl rand -base64 32)',
    ]);
  });
});

describe('wantsStackTraces', () => {
  it('reads LOG_LEVEL from the environment without the .env, trimmed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-config-mutants-'));
    mkdirSync(path.join(dir, '.env'));
    try {
      expect(wantsStackTraces({ LOG_LEVEL: 'debug' }, dir)).toBe(true);
      expect(wantsStackTraces({ LOG_LEVEL: ' trace ' }, cwd)).toBe(true);
      expect(wantsStackTraces({ LOG_LEVEL: 'info' }, cwd)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
