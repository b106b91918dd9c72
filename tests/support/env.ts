// Where the test services are. The run's global setup (tests/support/services.ts) decides before any
// test process starts: the servers at TEST_REDIS_URL / TEST_DATABASE_URL (default: the standard local
// ports) when they answer, else private ones it started for the run. It writes its choice back into
// TEST_REDIS_URL / TEST_DATABASE_URL, which test processes inherit; tests hand REDIS_URL and
// DATABASE_URL on to the tagcast processes they spawn.
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export function redisUrl(): string {
  return process.env.TEST_REDIS_URL || DEFAULT_REDIS_URL;
}

/** Read once per test process: test processes start after the global setup made its choice. */
export const REDIS_URL = redisUrl();

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_DATABASE_URL;
}

export function databaseUrlFor(name: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

/** The Chromium the browser tests drive (Debian's package by default). */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}
