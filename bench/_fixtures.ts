// What several benchmarks share: the Resend emulator in its own process, readers seeded set-based, and
// a process's peak RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../src/db/connection.ts';
import { writeSettings } from '../src/db/settings.ts';
import type { EmulatorOptions } from '../tests/support/resend-emulator.ts';

/** Worker settings of the in-process benchmarks: a provider far faster than any test needs. */
export const BENCH_CONFIG = {
  secret: 's'.repeat(32),
  publicUrl: 'https://news.example.com',
  mailFrom: 'Tagcast <digest@example.com>',
  resend: { apiKey: 're_bench', baseUrl: undefined, rateLimit: 10_000, webhookSecret: undefined, timeoutMs: 30_000 },
  defaultTimeZone: 'UTC',
  templateEngine: 'react' as const,
};

/** The environment of a `tagcast worker` a benchmark starts against the emulator. */
export function workerEnv(emulatorUrl: string, prefix: string, rate: number, redisUrl: string): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    EMAIL_PROVIDER: 'resend',
    RESEND_API_KEY: 're_bench',
    RESEND_BASE_URL: emulatorUrl,
    RESEND_RATE_LIMIT: String(rate),
    SECRET: 'bench-secret-0123456789abcdef-0123456789',
  };
}

export const TAGS = ['kubernetes', 'databases', 'rust', 'ai', 'security', 'frontend', 'observability', 'careers', 'distributed-systems', 'platform-engineering'];

export interface Emulator {
  url: string;
  stats(): Promise<{ requests: number; rateLimited: number; accepted: number; duplicates: number; arrivals: number[] }>;
  close(): Promise<void>;
}

/** The emulator in its own process (see bench/_emulator.ts). */
export async function spawnEmulator(opts: Partial<EmulatorOptions>): Promise<Emulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/_emulator.ts'), JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(String(d).trim()));
    child.once('exit', () => reject(new Error('emulator exited')));
  });
  return {
    url,
    stats: async () => (await fetch(`${url}/__stats`)).json() as never,
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Readers with 1–4 of the corpus's tags each, written set-based; earlier active readers are unsubscribed. */
export async function seedReaders(db: Db, n: number, offset = 0): Promise<void> {
  await db.query(`update subscribers set status = 'unsubscribed' where status = 'active'`);
  await db.query(
    `insert into subscribers (email, status) select 'r' || i || '@bench' || $2 || '.example', 'active' from generate_series(1, $1::int) i`,
    [n, offset],
  );
  await db.query(
    `insert into subscriptions (subscriber_id, tag_id)
     select s.id, t.id from subscribers s join tags t on t.slug = any($1::text[])
     where s.status = 'active' and (s.id * 7 + t.id * 13) % 10 < 3 on conflict do nothing`,
    [TAGS],
  );
  // Everyone follows at least one tag with content.
  await db.query(
    `insert into subscriptions (subscriber_id, tag_id) select s.id, (select id from tags where slug = 'ai') from subscribers s
     where s.status = 'active' on conflict do nothing`,
  );
  // A provider that delivers mail refuses to start a send without the sender's postal address.
  await writeSettings(db, { postalAddress: '1 Bench Street, Benchton' }, 'bench');
}

/** Peak resident memory of a live process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** Resident memory now (VmRSS), in MB. */
export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

export { machine } from './_report.ts';
