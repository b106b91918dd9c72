import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const cwd = mkdtempSync(path.join(tmpdir(), 'tagcast-config-'));
const dotenvDir = mkdtempSync(path.join(tmpdir(), 'tagcast-config-dotenv-'));
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(dotenvDir, { recursive: true, force: true });
});

type Env = Record<string, string | undefined>;

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
      secretDefaulted: true,
      templateEngine: 'react',
      logLevel: 'info',
    });
    expect(c.secret.length).toBeGreaterThanOrEqual(16);
    expect(c.mailFrom).toMatch(/<[^@<>]+@[^@<>]+>$/);
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
    const c = loadConfig(
      {
        DATABASE_URL: 'postgres://u:p@db.example.com:5432/tagcast',
        DATA_DIR: 'state',
        REDIS_URL: 'rediss://cache.example.com:6380',
        EMAIL_PROVIDER: 'outbox',
        RESEND_API_KEY: 're_123456789',
        RESEND_BASE_URL: 'http://127.0.0.1:9999',
        RESEND_RATE_LIMIT: '10',
        RESEND_WEBHOOK_SECRET: 'whsec_abc',
        OUTBOX_DIR: '/var/tmp/outbox',
        PUBLIC_URL: 'https://news.example.com/',
        PORT: '8080',
        SECRET: 'a-long-enough-secret-value',
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
      resend: { apiKey: 're_123456789', baseUrl: 'http://127.0.0.1:9999', rateLimit: 10, webhookSecret: 'whsec_abc' },
      outboxDir: '/var/tmp/outbox',
      publicUrl: 'https://news.example.com',
      port: 8080,
      secret: 'a-long-enough-secret-value',
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
    expect(loadConfig({ RESEND_API_KEY: 're_123' }, cwd).emailProvider).toBe('resend');
    expect(loadConfig({}, cwd).emailProvider).toBe('outbox');
  });

  it('an explicit EMAIL_PROVIDER wins', () => {
    expect(loadConfig({ RESEND_API_KEY: 're_123', EMAIL_PROVIDER: 'outbox' }, cwd).emailProvider).toBe('outbox');
    expect(loadConfig({ RESEND_API_KEY: 're_123', EMAIL_PROVIDER: 'resend' }, cwd).emailProvider).toBe('resend');
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
    expect(problems({ EMAIL_PROVIDER: 'resend' })).toEqual([expect.stringMatching(/^RESEND_API_KEY: .*required/)]);
    expect(problems({ EMAIL_PROVIDER: 'resend', RESEND_API_KEY: '   ' })).toEqual([expect.stringMatching(/^RESEND_API_KEY: /)]);
  });

  it('requires SECRET in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^SECRET: /)]);
    expect(loadConfig({ NODE_ENV: 'production', SECRET: 'a-long-enough-secret-value' }, cwd).secretDefaulted).toBe(false);
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
      ['# comment', 'PORT=4000', 'export TEMPLATE_ENGINE="mjml"', "PUBLIC_URL='https://from-dotenv.example.com'", 'LOG_LEVEL=debug', ''].join('\r\n'),
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
