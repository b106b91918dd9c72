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

/** An onRequest hook keeping the name fresh; a failed read keeps the last name (the page's own queries will report the database). */
export function siteIdentityHook(deps: { db: Db; config: Pick<Config, 'mailFrom'> }, now: () => number = Date.now) {
  return async (): Promise<void> => {
    if (now() - readAt < SITE_TTL_MS) return;
    reading ??= loadSettings(deps.db, deps.config)
      .then((s) => {
        current = { name: s.name, tagline: s.tagline };
        readAt = now();
      })
      .catch(() => undefined)
      .finally(() => (reading = undefined));
    await reading;
  };
}
