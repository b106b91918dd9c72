// The publication's name as every page and feed shows it: read from the settings at most once every few
// seconds per process (a stranger's request never costs a query of its own), and at once after this
// process saved the settings. Pages are rendered synchronously, so the name is held here, not passed down.
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { loadSettings } from '../publication.ts';
import { DEFAULT_NAME } from '../render/publication.ts';

export interface SiteIdentity {
  name: string;
  tagline: string;
}

let current: SiteIdentity = { name: DEFAULT_NAME, tagline: '' };
let readAt = -Infinity;
let reading: Promise<void> | undefined;

/** How long a read name is used before the settings are read again (another process may have changed them). */
export const SITE_TTL_MS = 2000;

export function siteIdentity(): SiteIdentity {
  return current;
}

/** The next request reads the settings again (this process just changed them). */
export function forgetSiteIdentity(): void {
  readAt = -Infinity;
}

/** Back to what a fresh process knows: the default name, read again on the next request (tests that share one process between databases). */
export function resetSiteIdentity(): void {
  current = { name: DEFAULT_NAME, tagline: '' };
  readAt = -Infinity;
  reading = undefined;
  // A read still under way when this is called never lands: only a read started after it may.
  applied = started + 1;
}

let started = 0;
let applied = 0;

/** Reads the settings; a read that started later than the one last applied wins, never an older one. */
async function load(deps: { db: Db; config: Pick<Config, 'mailFrom'> }, now: () => number): Promise<void> {
  const mine = ++started;
  const s = await loadSettings(deps.db, deps.config);
  if (mine < applied) return;
  applied = mine;
  current = { name: s.name, tagline: s.tagline };
  readAt = now();
}

/**
 * Reads the settings now, whatever was read a moment ago: the public pages' generation moved (another
 * process may have saved them), and the pages about to be rendered for it must show what was saved.
 */
export function refreshSiteIdentity(deps: { db: Db; config: Pick<Config, 'mailFrom'> }): Promise<void> {
  return load(deps, Date.now);
}

/**
 * An onRequest hook keeping the name fresh; a failed read keeps the last name (the page's own queries
 * will report the database). The JSON API never shows the name, so its requests never read it (an API
 * request costs exactly the queries it makes: hardening-holes.test.ts counts them).
 */
export function siteIdentityHook(deps: { db: Db; config: Pick<Config, 'mailFrom'> }, now: () => number = Date.now) {
  return async (req: { url: string }): Promise<void> => {
    if (req.url.startsWith('/api/')) return;
    if (now() - readAt < SITE_TTL_MS) return;
    reading ??= load(deps, now)
      .catch(() => undefined)
      .finally(() => (reading = undefined));
    await reading;
  };
}
