// The only reader of process.env. Parsed once with zod; a bad value stops start-up with one line per problem.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const engines = ['react', 'mjml'] as const;
export type Engine = (typeof engines)[number];

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

/** A number from the environment; empty or unset means the default. */
const numberVar = (fallback: number, schema: z.ZodNumber) =>
  z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === '' ? fallback : Number(s.trim())))
    .pipe(z.number({ error: 'must be a number' }).pipe(schema));

const url = (what: string) =>
  z.string().refine((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, `must be an http(s) URL (${what})`);

const schema = z
  .object({
    DATABASE_URL: optionalString.pipe(
      z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
    ),
    DATA_DIR: z.string().min(1).default('.data'),
    REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional()),
    EMAIL_PROVIDER: optionalString.pipe(z.enum(['resend', 'outbox']).optional()),
    RESEND_API_KEY: optionalString,
    RESEND_BASE_URL: optionalString.pipe(url('e.g. https://api.resend.com').optional()),
    RESEND_RATE_LIMIT: numberVar(2, z.number().positive('must be a positive number of requests per second').max(10_000)),
    RESEND_WEBHOOK_SECRET: optionalString,
    OUTBOX_DIR: optionalString,
    PUBLIC_URL: url('e.g. https://news.example.com').default('http://localhost:3000'),
    PORT: numberVar(3000, z.number().int('must be a whole number').min(1).max(65535)),
    SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    MAIL_FROM: z
      .string()
      .regex(/^(.*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address, e.g. "Tagcast <digest@example.com>"')
      .default('tagcast <digest@tagcast.localhost>'),
    TEMPLATE_ENGINE: z.enum(engines).default('react'),
    SEND_LEASE_MS: numberVar(60_000, z.number().int().min(1000).max(3_600_000)),
    WORKER_LOCK_MS: numberVar(30_000, z.number().int().min(1000).max(600_000)),
    RESEND_TIMEOUT_MS: numberVar(30_000, z.number().int().min(500).max(300_000)),
    QUEUE_PREFIX: z
      .string()
      .regex(/^\{[^{}:]+\}$|^[^{}:]+$/, 'must be a Redis key prefix without ":", e.g. {tagcast}')
      .default('{tagcast}'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    NODE_ENV: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.EMAIL_PROVIDER === 'resend' && !c.RESEND_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['RESEND_API_KEY'], message: 'is required when EMAIL_PROVIDER=resend' });
    }
    if (c.SEND_LEASE_MS <= c.RESEND_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['SEND_LEASE_MS'], message: 'must be longer than RESEND_TIMEOUT_MS, or a slow send could be taken over while in flight' });
    }
    if (c.NODE_ENV === 'production' && !c.SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SECRET'], message: 'is required in production (it signs reader links)' });
    }
  });

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string;
  /** True when REDIS_URL was not set, so a private redis-server may be started for a one-off run. */
  redisUrlDefaulted: boolean;
  emailProvider: 'resend' | 'outbox';
  resend: { apiKey: string | undefined; baseUrl: string | undefined; rateLimit: number; webhookSecret: string | undefined; timeoutMs: number };
  /** How long a send-batch holds its deliveries; longer than the slowest provider call. */
  sendLeaseMs: number;
  /** BullMQ job lock: a worker that dies loses its jobs to another after this long. */
  workerLockMs: number;
  outboxDir: string;
  publicUrl: string;
  port: number;
  secret: string;
  /** True when SECRET was not set and a development secret is in use. */
  secretDefaulted: boolean;
  mailFrom: string;
  templateEngine: Engine;
  /** Redis key prefix of the queues; a {hash tag} keeps them in one Redis Cluster slot. */
  queuePrefix: string;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads KEY=VALUE lines from a .env file; values already in the environment win. */
function readDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    let value = m[2] ?? '';
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}

// A fixed development secret keeps links stable across runs on a laptop; production must set SECRET.
const DEV_SECRET = 'tagcast-development-secret-change-me';

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const merged = { ...readDotEnv(path.join(cwd, '.env')), ...env };
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = i.path.join('.') || 'environment';
        const value = merged[key];
        const shown = key.includes('SECRET') || key.includes('KEY') || key.includes('URL') ? '' : value === undefined ? '' : ` (got "${value}")`;
        return `${key}: ${i.message}${shown}`;
      }),
    );
  }
  const c = parsed.data;
  const dataDir = path.resolve(cwd, c.DATA_DIR);
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir,
    redisUrl: c.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisUrlDefaulted: c.REDIS_URL === undefined,
    emailProvider: c.EMAIL_PROVIDER ?? (c.RESEND_API_KEY ? 'resend' : 'outbox'),
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
    publicUrl: c.PUBLIC_URL.replace(/\/+$/, ''),
    port: c.PORT,
    secret: c.SECRET ?? DEV_SECRET,
    secretDefaulted: c.SECRET === undefined,
    mailFrom: c.MAIL_FROM,
    templateEngine: c.TEMPLATE_ENGINE,
    queuePrefix: c.QUEUE_PREFIX,
    logLevel: c.LOG_LEVEL,
  };
}
