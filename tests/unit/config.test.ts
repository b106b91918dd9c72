import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, wantsStackTraces } from '../../src/config.ts';

const cwd = mkdtempSync(path.join(tmpdir(), 'tagcast-config-'));
const dotenvDir = mkdtempSync(path.join(tmpdir(), 'tagcast-config-dotenv-'));
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(dotenvDir, { recursive: true, force: true });
});

type Env = Record<string, string | undefined>;

/** A SECRET long enough for every rule (32+ characters). */
const SECRET = 'a-long-enough-secret-value-0123456789';
const DEV_SECRET = 'tagcast-development-secret-change-me';
/** A METRICS_TOKEN, which a PUBLIC_URL that is not loopback needs. */
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const whsec = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;

/** Loads a config that must fail and returns its problem lines. */
function problems(env: Env, dir = cwd): string[] {
  try {
    loadConfig(env, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    expect(err.message).toBe(err.problems.join('\n'));
    return err.problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('works with an empty environment', () => {
    const c = loadConfig({}, cwd);
    expect(c).toMatchObject({
      databaseUrl: undefined,
      dataDir: path.join(cwd, '.data'),
      redisUrl: 'redis://127.0.0.1:6379',
      redisUrlDefaulted: true,
      emailProvider: 'outbox',
      resend: { apiKey: undefined, baseUrl: undefined, rateLimit: 2, webhookSecret: undefined },
      outboxDir: path.join(cwd, '.data', 'outbox'),
      publicUrl: 'http://localhost:3000',
      port: 3000,
      host: '127.0.0.1',
      secretDefaulted: true,
      templateEngine: 'react',
      logLevel: 'info',
    });
    expect(c.secret.length).toBeGreaterThanOrEqual(16);
    expect(c.mailFrom).toMatch(/<[^@<>]+@[^@<>]+>$/);
  });

  it('listens on loopback only while the development secret signs links, unless HOST says otherwise', () => {
    expect(loadConfig({}, cwd).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }, cwd).host).toBe('0.0.0.0');
    expect(loadConfig({ SECRET }, cwd).host).toBe('0.0.0.0');
    expect(loadConfig({ SECRET, HOST: '::1' }, cwd).host).toBe('::1');
    expect(problems({ HOST: 'not a host' })).toEqual(['HOST: must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0 (got "not a host")']);
  });

  it('does not read process.env when an env object is given', () => {
    const before = process.env.TEMPLATE_ENGINE;
    process.env.TEMPLATE_ENGINE = 'mjml';
    try {
      expect(loadConfig({}, cwd).templateEngine).toBe('react');
    } finally {
      if (before === undefined) delete process.env.TEMPLATE_ENGINE;
      else process.env.TEMPLATE_ENGINE = before;
    }
  });

  it('treats empty and blank optional values as unset', () => {
    const c = loadConfig({ DATABASE_URL: '', REDIS_URL: '  ', RESEND_API_KEY: '', SECRET: '', OUTBOX_DIR: '' }, cwd);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.redisUrlDefaulted).toBe(true);
    expect(c.emailProvider).toBe('outbox');
    expect(c.secretDefaulted).toBe(true);
    expect(c.outboxDir).toBe(path.join(cwd, '.data', 'outbox'));
  });

  it('does not read an empty PORT as port 0', () => {
    let port: number | undefined;
    try {
      port = loadConfig({ PORT: '' }, cwd).port;
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toEqual([expect.stringMatching(/^PORT: /)]);
      return;
    }
    expect(port).toBe(3000);
  });
});

describe('loadConfig values', () => {
  it('reads every setting', () => {
    const webhookSecret = whsec(24);
    const c = loadConfig(
      {
        DATABASE_URL: 'postgres://u:p@db.example.com:5432/tagcast',
        DATA_DIR: 'state',
        REDIS_URL: 'rediss://cache.example.com:6380',
        EMAIL_PROVIDER: 'outbox',
        RESEND_API_KEY: 're_123456789',
        RESEND_BASE_URL: 'http://127.0.0.1:9999',
        RESEND_RATE_LIMIT: '10',
        RESEND_WEBHOOK_SECRET: webhookSecret,
        OUTBOX_DIR: '/var/tmp/outbox',
        PUBLIC_URL: 'https://news.example.com/',
        METRICS_TOKEN,
        PORT: '8080',
        SECRET,
        MAIL_FROM: 'Tagcast <digest@news.example.com>',
        TEMPLATE_ENGINE: 'mjml',
        LOG_LEVEL: 'warn',
      },
      cwd,
    );
    expect(c).toMatchObject({
      databaseUrl: 'postgres://u:p@db.example.com:5432/tagcast',
      dataDir: path.join(cwd, 'state'),
      redisUrl: 'rediss://cache.example.com:6380',
      redisUrlDefaulted: false,
      emailProvider: 'outbox',
      resend: { apiKey: 're_123456789', baseUrl: 'http://127.0.0.1:9999', rateLimit: 10, webhookSecret },
      outboxDir: '/var/tmp/outbox',
      publicUrl: 'https://news.example.com',
      port: 8080,
      host: '0.0.0.0',
      secret: SECRET,
      secretDefaulted: false,
      mailFrom: 'Tagcast <digest@news.example.com>',
      templateEngine: 'mjml',
      logLevel: 'warn',
    });
  });

  it('puts the outbox under DATA_DIR unless OUTBOX_DIR is set', () => {
    expect(loadConfig({ DATA_DIR: 'state' }, cwd).outboxDir).toBe(path.join(cwd, 'state', 'outbox'));
    expect(loadConfig({ OUTBOX_DIR: 'mail' }, cwd).outboxDir).toBe(path.join(cwd, 'mail'));
  });

  it('EMAIL_PROVIDER defaults to resend when RESEND_API_KEY is set', () => {
    expect(loadConfig({ RESEND_API_KEY: 're_123', SECRET }, cwd).emailProvider).toBe('resend');
    expect(loadConfig({}, cwd).emailProvider).toBe('outbox');
  });

  it('an explicit EMAIL_PROVIDER wins', () => {
    expect(loadConfig({ RESEND_API_KEY: 're_123', EMAIL_PROVIDER: 'outbox' }, cwd).emailProvider).toBe('outbox');
    expect(loadConfig({ RESEND_API_KEY: 're_123', EMAIL_PROVIDER: 'resend', SECRET }, cwd).emailProvider).toBe('resend');
  });

  it('accepts a bare address and postgresql:// URLs', () => {
    expect(loadConfig({ MAIL_FROM: 'digest@example.com' }, cwd).mailFrom).toBe('digest@example.com');
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x' }, cwd).databaseUrl).toBe('postgresql://localhost/x');
  });
});

describe('loadConfig problems', () => {
  it.each([
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['EMAIL_PROVIDER', 'smtp'],
    ['RESEND_BASE_URL', 'not a url'],
    ['RESEND_RATE_LIMIT', '0'],
    ['RESEND_RATE_LIMIT', '-1'],
    ['RESEND_RATE_LIMIT', 'fast'],
    ['PUBLIC_URL', 'news.example.com'],
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['SECRET', 'too-short'],
    ['MAIL_FROM', 'not-an-address'],
    ['TEMPLATE_ENGINE', 'handlebars'],
    ['LOG_LEVEL', 'loud'],
  ])('%s=%j gives one problem line naming it', (key, value) => {
    const lines = problems({ [key]: value });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`${key}: `)).toBe(true);
    expect(lines[0]).not.toContain('\n');
  });

  it('PUBLIC_URL must be a web address (a missing scheme is a problem)', () => {
    // "localhost:3000" parses as a URL with the scheme "localhost:", which makes every reader link broken.
    const lines = problems({ PUBLIC_URL: 'localhost:3000' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith('PUBLIC_URL: ')).toBe(true);
  });

  it('shows the bad value for ordinary settings', () => {
    expect(problems({ TEMPLATE_ENGINE: 'handlebars' })[0]).toContain('"handlebars"');
    expect(problems({ PORT: '70000' })[0]).toContain('70000');
  });

  it('gives one line per problem, each naming its variable', () => {
    const lines = problems({ PORT: 'x', TEMPLATE_ENGINE: 'jinja', LOG_LEVEL: 'loud', REDIS_URL: 'tcp://x' });
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL', 'TEMPLATE_ENGINE']);
  });

  it('requires RESEND_API_KEY when EMAIL_PROVIDER=resend', () => {
    expect(problems({ EMAIL_PROVIDER: 'resend', SECRET })).toEqual([expect.stringMatching(/^RESEND_API_KEY: .*required/)]);
    expect(problems({ EMAIL_PROVIDER: 'resend', RESEND_API_KEY: '   ', SECRET })).toEqual([expect.stringMatching(/^RESEND_API_KEY: /)]);
  });

  it('requires SECRET in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^SECRET: /)]);
    expect(loadConfig({ NODE_ENV: 'production', SECRET }, cwd).secretDefaulted).toBe(false);
  });

  it('never echoes secrets or credentials', () => {
    const secrets = ['hunter2-db-password', 'redis-pass-xyz', 'tooshort1', 're_live_abcdef123456', 'whsec_very_secret', 'basepass-777'];
    const lines = problems({
      DATABASE_URL: 'mysql://admin:hunter2-db-password@db.example.com/x',
      REDIS_URL: 'http://:redis-pass-xyz@cache.example.com',
      SECRET: 'tooshort1',
      RESEND_API_KEY: 're_live_abcdef123456',
      RESEND_WEBHOOK_SECRET: 'whsec_very_secret',
      RESEND_BASE_URL: 'not a url basepass-777',
      PORT: 'bad',
    });
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const text = lines.join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
  });

  it('never echoes a secret even when it is the only problem', () => {
    const [line] = problems({ SECRET: 'abc123xyz' });
    expect(line).toMatch(/^SECRET: /);
    expect(line).not.toContain('abc123xyz');
  });
});

describe('loadConfig .env file', () => {
  it('reads .env from cwd, and the environment wins over it', () => {
    writeFileSync(
      path.join(dotenvDir, '.env'),
      ['# comment', 'PORT=4000', 'export TEMPLATE_ENGINE="mjml"', "PUBLIC_URL='https://from-dotenv.example.com'", `SECRET=${SECRET}`, `METRICS_TOKEN=${METRICS_TOKEN}`, 'LOG_LEVEL=debug', ''].join('\r\n'),
    );
    const c = loadConfig({ LOG_LEVEL: 'error' }, dotenvDir);
    expect(c.port).toBe(4000);
    expect(c.templateEngine).toBe('mjml');
    expect(c.publicUrl).toBe('https://from-dotenv.example.com');
    expect(c.logLevel).toBe('error');
  });

  it('reports a bad value that came from .env', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-config-bad-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'TEMPLATE_ENGINE=twig\n');
      expect(problems({}, dir)).toEqual([expect.stringMatching(/^TEMPLATE_ENGINE: /)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SECRET: required wherever links reach real readers', () => {
  it('is required with a real provider, chosen explicitly or by RESEND_API_KEY', () => {
    expect(problems({ EMAIL_PROVIDER: 'resend', RESEND_API_KEY: 're_123' })).toEqual([expect.stringMatching(/^SECRET: is required when EMAIL_PROVIDER=resend: /)]);
    expect(problems({ RESEND_API_KEY: 're_123' })).toEqual([expect.stringMatching(/^SECRET: is required when EMAIL_PROVIDER is resend \(RESEND_API_KEY is set\)/)]);
  });

  it('is required with a PUBLIC_URL that is not loopback, whatever NODE_ENV says', () => {
    // The finding: anything but NODE_ENV=production used the public default silently.
    for (const NODE_ENV of [undefined, 'development', 'Production', 'staging']) {
      expect(problems({ PUBLIC_URL: 'https://news.example.com', NODE_ENV, METRICS_TOKEN })).toEqual([
        expect.stringMatching(/^SECRET: is required when PUBLIC_URL \(https:\/\/news\.example\.com\) is not a loopback address: /),
      ]);
    }
    for (const url of ['http://localhost.example.com', 'http://10.0.0.1:3000', 'http://0.0.0.0:3000', 'http://127.example.com', 'http://[::2]/', 'http://localhost.']) {
      expect(problems({ PUBLIC_URL: url, METRICS_TOKEN }), url).toEqual([expect.stringMatching(/^SECRET: is required/)]);
    }
  });

  it('names every reason on one line', () => {
    const lines = problems({ RESEND_API_KEY: 're_123', PUBLIC_URL: 'https://news.example.com', NODE_ENV: 'production', METRICS_TOKEN });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/EMAIL_PROVIDER.* and PUBLIC_URL.* and NODE_ENV=production/);
  });

  it('is optional for the outbox on a loopback PUBLIC_URL, and then the development secret is flagged', () => {
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://127.1.2.3/', 'http://[::1]:3000', 'http://tagcast.localhost']) {
      const c = loadConfig({ PUBLIC_URL: url }, cwd);
      expect(c.secretDefaulted, url).toBe(true);
      expect(c.secret).toBe(DEV_SECRET);
    }
  });

  it('refuses the well-known development value where a secret is required, without echoing it', () => {
    const lines = problems({ SECRET: DEV_SECRET, PUBLIC_URL: 'https://news.example.com', METRICS_TOKEN });
    expect(lines).toEqual([expect.stringMatching(/^SECRET: is the public development secret/)]);
    expect(lines[0]).not.toContain(DEV_SECRET);
    expect(problems({ SECRET: DEV_SECRET, EMAIL_PROVIDER: 'resend', RESEND_API_KEY: 're_1' })).toEqual([expect.stringMatching(/^SECRET: is the public/)]);
    // On localhost it is what the default is anyway, and still flagged as such.
    expect(loadConfig({ SECRET: DEV_SECRET }, cwd).secretDefaulted).toBe(true);
  });

  it('must be at least 32 characters', () => {
    expect(problems({ SECRET: 'x'.repeat(31) })).toEqual([expect.stringMatching(/^SECRET: must be at least 32 characters/)]);
    expect(loadConfig({ SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://news.example.com', METRICS_TOKEN }, cwd)).toMatchObject({ secret: 'x'.repeat(32), secretDefaulted: false });
  });
});

describe('METRICS_TOKEN: required where the site is served to others', () => {
  it('is required with a PUBLIC_URL that is not loopback, in one line that names the reason', () => {
    expect(problems({ PUBLIC_URL: 'https://news.example.com', SECRET })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN: is required when PUBLIC_URL \(https:\/\/news\.example\.com\) is not a loopback address: /),
    ]);
    // Both missing: one line each, so one run shows every problem.
    expect(problems({ PUBLIC_URL: 'http://10.0.0.1:3000' }).map((l) => l.split(':')[0])).toEqual(['SECRET', 'METRICS_TOKEN']);
  });

  it('is optional on a loopback PUBLIC_URL, where /metrics answers only this machine', () => {
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:3000']) {
      expect(loadConfig({ PUBLIC_URL: url }, cwd).metricsToken, url).toBeUndefined();
    }
    expect(loadConfig({ PUBLIC_URL: 'https://news.example.com', SECRET, METRICS_TOKEN }, cwd).metricsToken).toBe(METRICS_TOKEN);
  });
});

describe('RESEND_WEBHOOK_SECRET: the whsec_ format', () => {
  it('accepts whsec_ and base64 of 24 to 64 bytes', () => {
    for (const n of [24, 32, 64]) {
      const s = whsec(n);
      expect(loadConfig({ RESEND_WEBHOOK_SECRET: s }, cwd).resend.webhookSecret).toBe(s);
    }
  });

  it.each([
    ['no prefix', randomBytes(24).toString('base64')],
    ['too short', 'whsec_abc'],
    ['23 bytes', `whsec_${randomBytes(23).toString('base64')}`],
    ['65 bytes', `whsec_${randomBytes(65).toString('base64')}`],
    ['not base64', `whsec_${'!'.repeat(32)}`],
    ['url-safe alphabet', `whsec_${randomBytes(24).toString('base64url').replace(/^./, '-')}`],
    ['bad padding', `whsec_${randomBytes(25).toString('base64').replace(/=+$/, '')}`],
    ['space inside', `whsec_${randomBytes(12).toString('base64')} ${randomBytes(12).toString('base64')}`],
  ])('refuses %s in one line that does not echo it', (_what, value) => {
    const lines = problems({ RESEND_WEBHOOK_SECRET: value });
    expect(lines).toEqual([expect.stringMatching(/^RESEND_WEBHOOK_SECRET: must be the signing secret .*"whsec_" followed by base64 of 24 to 64 bytes$/)]);
    expect(lines[0]).not.toContain(value.slice(6, 20));
  });
});

describe('numbers: digits only, within a range', () => {
  it.each([
    ['PORT', '0x50'],
    ['PORT', '1e3'],
    ['PORT', '+80'],
    ['PORT', '8 0'],
    ['PORT', '80.0'],
    ['PORT', '0'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['SEND_LEASE_MS', '6e4'],
    ['SEND_LEASE_MS', '999'],
    ['SEND_LEASE_MS', '3600001'],
    ['WORKER_LOCK_MS', '0x7530'],
    ['WORKER_LOCK_MS', '600001'],
    ['RESEND_TIMEOUT_MS', '3e4'],
    ['RESEND_TIMEOUT_MS', '499'],
    ['SUBSCRIBE_TAG_WEEKS', '0'],
    ['SUBSCRIBE_TAG_WEEKS', '521'],
    ['RESEND_RATE_LIMIT', '1e-9'],
    ['RESEND_RATE_LIMIT', '0.05'],
    ['RESEND_RATE_LIMIT', '10001'],
    ['RESEND_RATE_LIMIT', '.5'],
    ['RESEND_RATE_LIMIT', '5.'],
    ['RESEND_RATE_LIMIT', 'Infinity'],
    ['RESEND_RATE_LIMIT', '0x2'],
  ])('%s=%j is one line saying what was expected and showing the value', (key, value) => {
    const expected: Record<string, string> = {
      PORT: 'must be a whole number from 1 to 65535',
      SEND_LEASE_MS: 'must be a whole number from 1000 to 3600000 (milliseconds)',
      WORKER_LOCK_MS: 'must be a whole number from 1000 to 600000 (milliseconds)',
      RESEND_TIMEOUT_MS: 'must be a whole number from 500 to 300000 (milliseconds)',
      SUBSCRIBE_TAG_WEEKS: 'must be a whole number from 1 to 520 (weeks)',
      RESEND_RATE_LIMIT: 'must be a number of requests per second from 0.1 to 10000, written like 2 or 0.5',
    };
    expect(problems({ [key]: value })).toEqual([`${key}: ${expected[key]} (got ${JSON.stringify(value)})`]);
  });

  it('accepts the ends of every range', () => {
    expect(loadConfig({ PORT: '1' }, cwd).port).toBe(1);
    expect(loadConfig({ PORT: '65535' }, cwd).port).toBe(65535);
    expect(loadConfig({ PORT: ' 8080 ' }, cwd).port).toBe(8080);
    expect(loadConfig({ RESEND_RATE_LIMIT: '0.1' }, cwd).resend.rateLimit).toBe(0.1);
    expect(loadConfig({ RESEND_RATE_LIMIT: '10000' }, cwd).resend.rateLimit).toBe(10_000);
    expect(loadConfig({ RESEND_RATE_LIMIT: '2.5' }, cwd).resend.rateLimit).toBe(2.5);
    expect(loadConfig({}, cwd).subscribeTagWeeks).toBe(8);
    expect(loadConfig({ SUBSCRIBE_TAG_WEEKS: '1' }, cwd).subscribeTagWeeks).toBe(1);
    expect(loadConfig({ SUBSCRIBE_TAG_WEEKS: '520' }, cwd).subscribeTagWeeks).toBe(520);
    const c = loadConfig({ RESEND_TIMEOUT_MS: '500', SEND_LEASE_MS: '3600000', WORKER_LOCK_MS: '1000' }, cwd);
    expect(c).toMatchObject({ resend: { timeoutMs: 500 }, sendLeaseMs: 3_600_000, workerLockMs: 1000 });
  });

  it('shows a value with a line break escaped, on one line', () => {
    const [line] = problems({ PORT: '80\n81' });
    expect(line).toBe('PORT: must be a whole number from 1 to 65535 (got "80\\n81")');
  });
});

describe('.env through dotenv', () => {
  const withDotEnv = (text: string, env: Env = {}) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-config-dotenv-'));
    try {
      writeFileSync(path.join(dir, '.env'), text);
      return loadConfig(env, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('drops trailing comments and quotes, honours export, keeps # inside quotes', () => {
    const c = withDotEnv(
      [
        'PORT=4000 # the web port',
        'export TEMPLATE_ENGINE=mjml',
        'RESEND_RATE_LIMIT = "5"   # requests per second',
        "MAIL_FROM='Tagcast #1 <digest@example.com>' # quoted: the # is kept",
        'QUEUE_PREFIX={dotenv}',
      ].join('\n'),
    );
    expect(c).toMatchObject({ port: 4000, templateEngine: 'mjml', resend: { rateLimit: 5 }, mailFrom: 'Tagcast #1 <digest@example.com>', queuePrefix: '{dotenv}' });
  });

  it('reads multi-line quoted values as dotenv does (and a line break in a header value is refused)', () => {
    // dotenv turns the quoted value into "Tagcast\nBcc: …"; it must not reach the From header.
    expect(() => withDotEnv('MAIL_FROM="Tagcast\nBcc: all@example.com <digest@example.com>"\n')).toThrow(/^MAIL_FROM: must not contain control characters/);
  });

  it('lets real environment variables win', () => {
    expect(withDotEnv('PORT=4000 # comment\n', { PORT: '5000' }).port).toBe(5000);
  });

  it('prints nothing while reading .env', () => {
    // dotenv's config() prints tips and "injected env" lines (through console); parse() must not.
    const spies = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write'), ...(['log', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m))];
    try {
      withDotEnv('PORT=4000\n');
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('DATABASE_URL', () => {
  it.each([
    ['a port that is not a number', 'postgres://u:hunter2@host:notaport/db', /^DATABASE_URL: is not a valid URL; expected postgres:\/\//],
    ['no host', 'postgres://:hunter2@/db', /^DATABASE_URL: (names no host|is not a valid URL)/],
    ['no database', 'postgres://u:hunter2@db.example.com:5432', /^DATABASE_URL: names no database/],
    ['port 0', 'postgres://u:hunter2@db.example.com:0/db', /^DATABASE_URL: has a port that is not a number from 1 to 65535$/],
    ['a bad connect_timeout', 'postgres://u:hunter2@db.example.com/db?connect_timeout=soon', /^DATABASE_URL: has a connect_timeout/],
    ['another scheme', 'mysql://u:hunter2@db.example.com/db', /^DATABASE_URL: must start with postgres:\/\//],
  ])('refuses %s in one line without the credentials', (_what, url, message) => {
    const lines = problems({ DATABASE_URL: url });
    expect(lines).toEqual([expect.stringMatching(message)]);
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).not.toContain('u:');
  });

  it('accepts host names, sockets, encoded passwords and parameters, unchanged', () => {
    for (const url of ['postgresql://localhost/x', 'postgres:///tagcast?host=/var/run/postgresql', 'postgres://u:p%40ss@db:5432/x?sslmode=require&connect_timeout=5', 'postgres://[::1]:5432/x']) {
      expect(loadConfig({ DATABASE_URL: url }, cwd).databaseUrl).toBe(url);
    }
  });
});

describe('header values from config', () => {
  it.each([
    ['CR LF', 'https://news.example.com/\r\nX-Injected: 1', /control characters/],
    ['LF', 'https://news.example.com\nX-Injected: 1', /control characters/],
    ['a tab', 'https://news.example.com/a\tb', /control characters/],
    ['credentials', 'https://user:s3cr3t@news.example.com', /user name or password/],
    ['a query', 'https://news.example.com/?ref=mail', /query/],
    ['a fragment', 'https://news.example.com/#top', /fragment/],
    ['another scheme', 'ftp://news.example.com', /http\(s\) URL/],
  ])('PUBLIC_URL with %s is refused in one line', (_what, url, message) => {
    const lines = problems({ PUBLIC_URL: url, SECRET });
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^PUBLIC_URL: .*${message.source}`))]);
    expect(lines[0]).not.toContain('s3cr3t');
  });

  it('PUBLIC_URL is stored normalised: lower-case punycode host, no default port, encoded path, no trailing slash', () => {
    const url = (u: string) => loadConfig({ PUBLIC_URL: u, SECRET, METRICS_TOKEN }, cwd).publicUrl;
    expect(url('  HTTPS://News.Example.COM:443/news/  ')).toBe('https://news.example.com/news');
    expect(url('https://bücher.example/Ä b/')).toBe('https://xn--bcher-kva.example/%C3%84%20b');
    expect(url('http://localhost:3000/')).toBe('http://localhost:3000');
  });

  it.each([
    ['CR LF', 'Tagcast <digest@example.com>\r\nBcc: all@example.com', /must not contain control characters/],
    ['LF in the name', 'Tag\ncast <digest@example.com>', /must not contain control characters/],
    ['a tab', 'Tagcast\t<digest@example.com>', /must not contain control characters/],
    ['a NUL', 'digest@example.com\u0000', /must not contain control characters/],
    ['no address', 'Tagcast', /has no valid email address/],
    ['a bad address', 'Tagcast <digest@@example.com>', /has no valid email address/],
    ['two addresses', 'a@example.com, b@example.com', /has no valid email address/],
    ['an angle bracket in the name', 'Tag <cast> <digest@example.com>', /must be one address/],
    ['an address without a domain', 'Tagcast <digest@localhost>', /has no valid email address/],
  ])('MAIL_FROM with %s is refused in one line', (_what, value, message) => {
    const lines = problems({ MAIL_FROM: value });
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^MAIL_FROM: ${message.source}`))]);
    expect(lines[0]).not.toMatch(/[\r\n\t\u0000]/);
  });

  it('MAIL_FROM is stored normalised, quoting a display name that needs it', () => {
    const from = (v: string) => loadConfig({ MAIL_FROM: v }, cwd).mailFrom;
    expect(from('Tagcast <Digest@News.Example.com>')).toBe('Tagcast <digest@news.example.com>');
    expect(from('"Tagcast Weekly"   <digest@example.com>')).toBe('Tagcast Weekly <digest@example.com>');
    expect(from('Tagcast, Weekly <digest@example.com>')).toBe('"Tagcast, Weekly" <digest@example.com>');
    expect(from('"Say \\"hi\\"" <digest@example.com>')).toBe('"Say \\"hi\\"" <digest@example.com>');
    expect(from('Zoë <digest@bücher.example>')).toBe('Zoë <digest@xn--bcher-kva.example>');
    expect(from('<digest@example.com>')).toBe('digest@example.com');
  });

  it('RESEND_API_KEY (the Authorization header) is refused with a line break, without echoing it', () => {
    const lines = problems({ RESEND_API_KEY: 're_secretkey\r\nX: 1', SECRET });
    expect(lines).toEqual([expect.stringMatching(/^RESEND_API_KEY: must not contain spaces or control characters$/)]);
  });
});

describe('wantsStackTraces', () => {
  it('is on with LOG_LEVEL=debug or trace, from the environment or .env', () => {
    expect(wantsStackTraces({}, cwd)).toBe(false);
    expect(wantsStackTraces({ LOG_LEVEL: 'info' }, cwd)).toBe(false);
    expect(wantsStackTraces({ LOG_LEVEL: 'debug' }, cwd)).toBe(true);
    expect(wantsStackTraces({ LOG_LEVEL: 'trace' }, cwd)).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-config-debug-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'LOG_LEVEL=debug # while chasing a bug\n');
      expect(wantsStackTraces({}, dir)).toBe(true);
      expect(wantsStackTraces({ LOG_LEVEL: 'warn' }, dir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
