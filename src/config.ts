// The only reader of process.env. Parsed once with zod; a bad value stops start-up with one line per problem.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse as parseDotEnv } from 'dotenv';
import { z } from 'zod';
import { normaliseEmail } from './lib/mail.ts';
import { DEFAULT_PREFIX } from './lib/redis-keys.ts';
import { isTimeZone } from './time.ts';

const engines = ['react', 'mjml'] as const;
export type Engine = (typeof engines)[number];

// A fixed development secret keeps links stable across runs on a laptop. It is public (it is in this
// file), so it is refused wherever links reach real readers.
const DEV_SECRET = 'tagcast-development-secret-change-me';
const SECRET_MIN = 32;
const DEFAULT_PUBLIC_URL = 'http://localhost:3000';
const DEFAULT_MAIL_FROM = 'tagcast <digest@tagcast.localhost>';
const MAKE_SECRET = 'generate one with: openssl rand -base64 32';

// C0, DEL, C1 and the Unicode line separators: none belongs in a header value or a link.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

type Ctx = z.core.$RefinementCtx;
const fail = (ctx: Ctx, message: string): never => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

/** Unset, empty and blank all mean "not set". */
const trimmedOrUnset = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

const optionalString = z
  .string()
  .optional()
  .transform((s) => trimmedOrUnset(s));

/** A whole number (digits only: no sign, hex, exponent or decimals) within [min, max]; unset means the default. */
const integer = (fallback: number, min: number, max: number, unit = '') =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = trimmedOrUnset(s);
      if (v === undefined) return fallback;
      const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
      return n >= min && n <= max ? n : fail(ctx, `must be a whole number from ${min} to ${max}${unit}`);
    });

/** A plain decimal (digits, optionally a point and digits) within [min, max]; unset means the default. */
const decimal = (fallback: number, min: number, max: number, what: string) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = trimmedOrUnset(s);
      if (v === undefined) return fallback;
      const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN;
      return n >= min && n <= max ? n : fail(ctx, `must be ${what} from ${min} to ${max}, written like 2 or 0.5`);
    });

const httpUrl = (example: string) =>
  optionalString.transform((s, ctx) => {
    if (s === undefined) return undefined;
    if (CONTROL.test(s)) return fail(ctx, 'must not contain control characters (line breaks, tabs)');
    try {
      if (['http:', 'https:'].includes(new URL(s).protocol)) return s;
    } catch {
      // not a URL: the same answer as another scheme
    }
    return fail(ctx, `must be an http(s) URL, e.g. ${example}`);
  });

/**
 * PUBLIC_URL starts every reader link and is written into the List-Unsubscribe and List-Id headers,
 * so it is refused unless it is a plain http(s) base, and kept in its normalised form (punycode host,
 * percent-encoded path, no trailing slash).
 */
const publicUrl = optionalString.transform((s, ctx) => {
  if (s === undefined) return DEFAULT_PUBLIC_URL;
  if (CONTROL.test(s)) return fail(ctx, 'must not contain control characters (line breaks, tabs): it is written into mail headers');
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return fail(ctx, 'must be an http(s) URL, e.g. https://news.example.com');
  }
  // "localhost:3000" parses with the scheme "localhost:", which would make every reader link broken.
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail(ctx, 'must be an http(s) URL, e.g. https://news.example.com');
  if (u.username || u.password) return fail(ctx, 'must not contain a user name or password');
  if (/[?#]/.test(s)) return fail(ctx, 'must not have a query (?…) or fragment (#…): reader links are appended to it');
  return (u.origin + u.pathname).replace(/\/+$/, '');
});

/** localhost, *.localhost, 127.0.0.0/8 and [::1]: links that only work on this machine. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

// Characters a display name may hold without quotes (RFC 5322 atext and spaces); non-ASCII is left to
// the MIME layer, which encodes it (RFC 2047).
const PLAIN_NAME = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ \u0080-\uffff-]+$/;

/** MAIL_FROM becomes the From header: `Name <address>` or a bare address, normalised, never with control characters. */
const mailFrom = optionalString.transform((s, ctx) => {
  if (s === undefined) return DEFAULT_MAIL_FROM;
  if (CONTROL.test(s)) return fail(ctx, 'must not contain control characters (line breaks, tabs): it is the From header');
  const expected = 'expected an address, e.g. "Tagcast <digest@example.com>" or digest@example.com';
  const m = /^([^<>]*?)\s*<([^<>]*)>$/.exec(s);
  if (!m && /[<>]/.test(s)) return fail(ctx, `must be one address; ${expected}`);
  let name = m ? m[1]!.trim() : '';
  if (/^".*"$/.test(name)) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  const address = normaliseEmail(m ? m[2]! : s);
  if ('error' in address || /^mailto:/i.test(m ? m[2]!.trim() : s)) return fail(ctx, `has no valid email address; ${expected}`);
  if (!name) return address.email;
  const shown = PLAIN_NAME.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
  return `${shown} <${address.email}>`;
});

/**
 * DATABASE_URL is checked here so a typo is one config line, not a driver stack trace. The raw string
 * goes to the driver unchanged. A Unix socket may be given as ?host=/path instead of a host name.
 */
const databaseUrl = optionalString.transform((s, ctx) => {
  if (s === undefined) return undefined;
  const expected = 'expected postgres://USER:PASSWORD@HOST:5432/DATABASE (percent-encode special characters in the password)';
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return fail(ctx, `is not a valid URL; ${expected}`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return fail(ctx, 'must start with postgres:// or postgresql://');
  if (!u.hostname && !u.searchParams.get('host')) return fail(ctx, `names no host; ${expected}`);
  if (u.port && !(Number(u.port) >= 1 && Number(u.port) <= 65535)) return fail(ctx, 'has a port that is not a number from 1 to 65535');
  const db = u.pathname.replace(/^\//, '');
  if (!db || db.includes('/')) return fail(ctx, `names no database; ${expected}`);
  const timeout = u.searchParams.get('connect_timeout');
  if (timeout !== null && !/^\d+$/.test(timeout)) return fail(ctx, 'has a connect_timeout that is not a whole number of seconds');
  return s;
});

/**
 * The webhook signing secret in the Svix / Standard Webhooks format: "whsec_" then base64 of 24 to 64
 * bytes. A malformed one would make every webhook fail its signature check, so it stops start-up.
 */
const webhookSecret = optionalString.transform((s, ctx) => {
  if (s === undefined) return undefined;
  const b64 = s.startsWith('whsec_') ? s.slice('whsec_'.length) : '';
  const bytes = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64) ? Buffer.from(b64, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) return fail(ctx, 'must be the signing secret Resend shows for the webhook: "whsec_" followed by base64 of 24 to 64 bytes');
  return s;
});

/**
 * Which reverse proxies' X-Forwarded-For to believe. Unset or false: none (the client is the TCP
 * peer); true: any (only when nothing else can reach the server); otherwise addresses or networks,
 * comma-separated, or proxy-addr's names loopback, linklocal, uniquelocal.
 */
const trustProxy = optionalString.transform((s, ctx): boolean | string[] => {
  if (s === undefined || s === 'false') return false;
  if (s === 'true') return true;
  const entries = s.split(',').map((e) => e.trim()).filter(Boolean);
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  for (const e of entries) {
    const [ip, bits, extra] = e.split('/');
    const v = isIP(ip ?? '');
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (v === 6 ? 128 : 32));
    if (!(named.has(e) || (v !== 0 && okBits && extra === undefined))) {
      return fail(ctx, 'must be true, false, or proxy addresses or networks separated by commas, e.g. 127.0.0.1,10.0.0.0/8 or loopback');
    }
  }
  return entries;
});

const fields = {
  DATABASE_URL: databaseUrl,
  DATA_DIR: optionalString.transform((s) => s ?? '.data'),
  // One server's URL; with REDIS_CLUSTER=true, one or more cluster nodes' URLs separated by commas.
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .refine((s) => s.split(',').every((part) => /^rediss?:\/\//.test(part.trim())), 'must start with redis:// or rediss://')
      .optional(),
  ),
  REDIS_CLUSTER: optionalString.pipe(z.enum(['true', 'false'], 'must be true or false').default('false')),
  EMAIL_PROVIDER: optionalString.pipe(z.enum(['resend', 'outbox'], 'must be resend or outbox').optional()),
  // Sent in the Authorization header: anything but printable characters would corrupt it.
  RESEND_API_KEY: optionalString.pipe(z.string().regex(/^[\x21-\x7e]+$/, 'must not contain spaces or control characters').optional()),
  RESEND_BASE_URL: httpUrl('https://api.resend.com'),
  // The upper bound is the one it always had: bench/send.ts uses it to run the pipeline unthrottled.
  RESEND_RATE_LIMIT: decimal(2, 0.1, 10_000, 'a number of requests per second'),
  RESEND_WEBHOOK_SECRET: webhookSecret,
  RESEND_TIMEOUT_MS: integer(30_000, 500, 300_000, ' (milliseconds)'),
  SEND_LEASE_MS: integer(60_000, 1000, 3_600_000, ' (milliseconds)'),
  WORKER_LOCK_MS: integer(30_000, 1000, 600_000, ' (milliseconds)'),
  OUTBOX_DIR: optionalString,
  PUBLIC_URL: publicUrl,
  PORT: integer(3000, 1, 65535),
  // The address the web server listens on; unset: loopback on the development secret, else every interface.
  HOST: optionalString.pipe(
    z
      .string()
      .regex(/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/, 'must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0')
      .optional(),
  ),
  SECRET: optionalString.pipe(z.string().min(SECRET_MIN, `must be at least ${SECRET_MIN} characters (${MAKE_SECRET})`).optional()),
  MAIL_FROM: mailFrom,
  TEMPLATE_ENGINE: optionalString.pipe(z.enum(engines, 'must be react or mjml').default('react')),
  QUEUE_PREFIX: optionalString.pipe(
    z
      .string()
      .regex(/^\{[^{}:\s]+\}$|^[^{}:\s]+$/, 'must be a Redis key prefix without ":" or spaces, e.g. {tagcast}')
      .default(DEFAULT_PREFIX),
  ),
  LOG_LEVEL: optionalString.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'must be one of fatal, error, warn, info, debug, trace, silent').optional()),
  NODE_ENV: optionalString,
  TRUST_PROXY: trustProxy,
  ARCHIVE: optionalString.pipe(z.enum(['on', 'off'], 'must be on or off').default('on')),
  // The subscribe and preferences pages offer tags with a summary in this many recent weeks (two months).
  SUBSCRIBE_TAG_WEEKS: integer(8, 1, 520, ' (weeks)'),
  // The editor's login at /admin; unset: the admin pages answer 503 and say how to set it.
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').max(1024, 'must be at most 1024 characters').optional()),
  // Bearer token /metrics asks for; unset: /metrics is open (bind it to a private network).
  METRICS_TOKEN: optionalString.pipe(z.string().regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 printable characters without spaces').optional()),
  DEFAULT_TIME_ZONE: optionalString.transform((s, ctx) => {
    if (s === undefined) return 'UTC';
    return isTimeZone(s) ? s : fail(ctx, 'must be an IANA time zone, e.g. Europe/Berlin or UTC');
  }),
};

type Values = { [K in keyof typeof fields]: z.output<(typeof fields)[K]> };

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string;
  /** True when REDIS_URL was not set, so a private redis-server may be started for a one-off run. */
  redisUrlDefaulted: boolean;
  /**
   * REDIS_CLUSTER=true: REDIS_URL names one or more nodes of a Redis Cluster (comma-separated), and
   * every connection is a cluster client. The queue prefix is then a hash tag (checked here).
   */
  redisCluster: boolean;
  emailProvider: 'resend' | 'outbox';
  resend: { apiKey: string | undefined; baseUrl: string | undefined; rateLimit: number; webhookSecret: string | undefined; timeoutMs: number };
  /** How long a send-batch holds its deliveries; longer than the slowest provider call. */
  sendLeaseMs: number;
  /** BullMQ job lock: a worker that dies loses its jobs to another after this long. */
  workerLockMs: number;
  outboxDir: string;
  /** Normalised: scheme, host and path only, no trailing slash. */
  publicUrl: string;
  port: number;
  /**
   * Where `serve`/`start` listen: HOST, else 127.0.0.1 while the public development secret signs links
   * (links anyone can forge must not be reachable from the network), else 0.0.0.0.
   */
  host: string;
  secret: string;
  /** True when the public development secret is in use (SECRET unset, or set to that value). */
  secretDefaulted: boolean;
  /** Normalised: `Name <address>` or a bare address, never with control characters. */
  mailFrom: string;
  templateEngine: Engine;
  /** Redis key prefix of the queues; a {hash tag} keeps them in one Redis Cluster slot. */
  queuePrefix: string;
  logLevel: string;
  /** True when LOG_LEVEL was not set, so each command may pick its own default. */
  logLevelDefaulted: boolean;
  /** Which reverse proxies' X-Forwarded-For the web server believes (false: none). */
  trustProxy: boolean | string[];
  /** The public archive and its feeds (ARCHIVE=on). */
  archive: boolean;
  /** The subscribe and preferences pages offer visible tags with content in this many recent weeks. */
  subscribeTagWeeks: number;
  /** The time zone of readers who never chose one. */
  defaultTimeZone: string;
  /** The editor's password for /admin; undefined: the admin pages are off (503). */
  adminPassword: string | undefined;
  /** The bearer token /metrics requires; undefined: open. */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads a .env file with dotenv's parser (comments, quotes, `export`, multi-line values); missing is empty. */
function readDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    return parseDotEnv(readFileSync(file));
  } catch (e) {
    throw new ConfigError([`.env: ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
}

/** Real environment variables win over .env. */
function mergedEnv(env: Record<string, string | undefined>, cwd: string): Record<string, string | undefined> {
  return { ...readDotEnv(path.join(cwd, '.env')), ...env };
}

// Values of these are never shown in a problem line: secrets, and URLs, which may carry credentials.
const HIDDEN = /SECRET|KEY|URL|PASSWORD|TOKEN/;

function problemLine(key: string, message: string, value: string | undefined): string {
  if (HIDDEN.test(key) || value === undefined) return `${key}: ${message}`;
  // JSON quoting keeps a value with a line break on one line.
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return `${key}: ${message} (got ${shown})`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const merged = mergedEnv(env, cwd);
  const values: Partial<Values> = {};
  const parsed = new Set<keyof Values>();
  const problems: string[] = [];
  for (const key of Object.keys(fields) as (keyof Values)[]) {
    const r = fields[key].safeParse(merged[key]);
    if (r.success) {
      (values as Record<string, unknown>)[key] = r.data;
      parsed.add(key);
    } else {
      for (const i of r.error.issues) problems.push(problemLine(key, i.message, merged[key]));
    }
  }

  // Rules across variables, each checked with whatever parsed, so every problem shows in one run.
  const v = values;
  const provider = parsed.has('EMAIL_PROVIDER') && parsed.has('RESEND_API_KEY') ? (v.EMAIL_PROVIDER ?? (v.RESEND_API_KEY ? 'resend' : 'outbox')) : undefined;
  if (v.EMAIL_PROVIDER === 'resend' && parsed.has('RESEND_API_KEY') && !v.RESEND_API_KEY) {
    problems.push('RESEND_API_KEY: is required when EMAIL_PROVIDER=resend');
  }
  if (v.SEND_LEASE_MS !== undefined && v.RESEND_TIMEOUT_MS !== undefined && v.SEND_LEASE_MS <= v.RESEND_TIMEOUT_MS) {
    problems.push('SEND_LEASE_MS: must be longer than RESEND_TIMEOUT_MS, or a slow send could be taken over while in flight');
  }
  if (parsed.has('SECRET')) {
    // Links reach real readers: anyone who knows the development secret could forge any reader's
    // unsubscribe or preferences link, so a secret of the operator's own is required.
    const reasons: string[] = [];
    if (provider === 'resend') reasons.push(v.EMAIL_PROVIDER ? 'EMAIL_PROVIDER=resend' : 'EMAIL_PROVIDER is resend (RESEND_API_KEY is set)');
    if (v.PUBLIC_URL !== undefined && !isLoopbackUrl(v.PUBLIC_URL)) reasons.push(`PUBLIC_URL (${v.PUBLIC_URL}) is not a loopback address`);
    if (v.NODE_ENV === 'production') reasons.push('NODE_ENV=production');
    if (reasons.length > 0 && v.SECRET === undefined) {
      problems.push(`SECRET: is required when ${reasons.join(' and ')}: it signs every reader's unsubscribe and preferences link (${MAKE_SECRET})`);
    } else if (reasons.length > 0 && v.SECRET === DEV_SECRET) {
      problems.push(`SECRET: is the public development secret, which must not be used when ${reasons.join(' and ')} (${MAKE_SECRET})`);
    }
  }
  // Behind a reverse proxy on the same machine every request reaches /metrics from loopback, so a site
  // served to others must protect it with a token: its figures tell who just subscribed.
  if (parsed.has('PUBLIC_URL') && parsed.has('METRICS_TOKEN') && !isLoopbackUrl(v.PUBLIC_URL!) && v.METRICS_TOKEN === undefined) {
    problems.push(`METRICS_TOKEN: is required when PUBLIC_URL (${v.PUBLIC_URL}) is not a loopback address: without it a reverse proxy on this machine would open /metrics to everyone (generate one with: openssl rand -hex 32)`);
  }
  problems.push(...redisClusterProblems(v, parsed));
  if (problems.length > 0) throw new ConfigError(problems);

  const c = values as Values;
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(cwd, c.DATA_DIR),
    redisUrl: c.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisUrlDefaulted: c.REDIS_URL === undefined,
    redisCluster: c.REDIS_CLUSTER === 'true',
    emailProvider: provider!,
    resend: {
      apiKey: c.RESEND_API_KEY,
      baseUrl: c.RESEND_BASE_URL,
      rateLimit: c.RESEND_RATE_LIMIT,
      webhookSecret: c.RESEND_WEBHOOK_SECRET,
      timeoutMs: c.RESEND_TIMEOUT_MS,
    },
    sendLeaseMs: c.SEND_LEASE_MS,
    workerLockMs: c.WORKER_LOCK_MS,
    outboxDir: path.resolve(cwd, c.OUTBOX_DIR ?? path.join(c.DATA_DIR, 'outbox')),
    publicUrl: c.PUBLIC_URL,
    port: c.PORT,
    host: c.HOST ?? (c.SECRET === undefined || c.SECRET === DEV_SECRET ? '127.0.0.1' : '0.0.0.0'),
    secret: c.SECRET ?? DEV_SECRET,
    secretDefaulted: c.SECRET === undefined || c.SECRET === DEV_SECRET,
    mailFrom: c.MAIL_FROM,
    templateEngine: c.TEMPLATE_ENGINE,
    queuePrefix: c.QUEUE_PREFIX,
    logLevel: c.LOG_LEVEL ?? 'info',
    logLevelDefaulted: c.LOG_LEVEL === undefined,
    trustProxy: c.TRUST_PROXY,
    archive: c.ARCHIVE === 'on',
    subscribeTagWeeks: c.SUBSCRIBE_TAG_WEEKS,
    defaultTimeZone: c.DEFAULT_TIME_ZONE,
    adminPassword: c.ADMIN_PASSWORD,
    metricsToken: c.METRICS_TOKEN,
  };
}

/**
 * REDIS_URL and QUEUE_PREFIX as a Redis Cluster needs them. Several URLs are seeds of one cluster, so
 * they need REDIS_CLUSTER=true. A cluster has only database 0; its nodes share one user and password,
 * which every node's connection uses, so the seeds must agree on them. BullMQ's scripts touch many
 * keys of a queue at once, which a cluster allows only within one slot: the prefix must be a hash tag.
 */
function redisClusterProblems(v: Partial<Values>, parsed: Set<keyof Values>): string[] {
  const problems: string[] = [];
  const seeds = parsed.has('REDIS_URL') && v.REDIS_URL !== undefined ? v.REDIS_URL.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (!parsed.has('REDIS_CLUSTER')) return problems;
  if (v.REDIS_CLUSTER !== 'true') {
    if (seeds.length > 1) problems.push('REDIS_URL: names several servers (comma-separated), which only a Redis Cluster takes: set REDIS_CLUSTER=true, or give one URL');
    return problems;
  }
  const urls: URL[] = [];
  for (const s of seeds) {
    try {
      urls.push(new URL(s));
    } catch {
      problems.push('REDIS_URL: is not a list of valid URLs; expected redis://HOST:PORT, or several separated by commas (REDIS_CLUSTER=true)');
      return problems;
    }
  }
  if (urls.some((u) => !u.hostname)) problems.push('REDIS_URL: names a cluster node without a host; expected redis://HOST:PORT, or several separated by commas');
  if (urls.some((u) => !['', '/', '/0'].includes(u.pathname))) problems.push('REDIS_URL: names a database other than 0, but a Redis Cluster has only database 0');
  const auth = (u: URL) => `${u.protocol} ${u.username} ${u.password}`;
  if (urls.some((u) => auth(u) !== auth(urls[0]!))) {
    problems.push('REDIS_URL: the cluster nodes differ in scheme, user name or password; one set is used for every node, so give the same in each');
  }
  if (parsed.has('QUEUE_PREFIX') && !/^\{[^{}:\s]+\}$/.test(v.QUEUE_PREFIX!)) {
    problems.push(
      `QUEUE_PREFIX: must be a hash tag in braces, e.g. {tagcast}, when REDIS_CLUSTER=true: BullMQ's scripts use several keys of a queue at once, which a cluster allows only in one slot (got ${JSON.stringify(v.QUEUE_PREFIX)})`,
    );
  }
  return problems;
}

/**
 * Whether error reports should include stack traces: LOG_LEVEL=debug or trace, from the environment or
 * .env. Read on its own, without the rest of the configuration, because it is asked after a failure
 * (possibly a configuration failure).
 */
export function wantsStackTraces(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): boolean {
  let level = env.LOG_LEVEL;
  if (level === undefined) {
    try {
      level = mergedEnv(env, cwd).LOG_LEVEL;
    } catch {
      // An unreadable .env was already reported as such.
    }
  }
  return ['debug', 'trace'].includes(level?.trim() ?? '');
}
