// The reader pages as a reader's browser meets them: the real web server (createServer) listening on a
// loopback port, the test's database with the sample content imported, real Redis queues and real
// workers sending through the outbox provider. PUBLIC_URL is the server's own address, so the links
// in the emails the workers write open this server.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { freePort } from '../../src/cli/redis.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { importPaths } from '../../src/content/import.ts';
import { enqueueNotice } from '../../src/enqueue.ts';
import { startWorkers, type Workers } from '../../src/workers.ts';
import { outboxPath } from '../../src/send/outbox.ts';
import { createToken, type TokenClaims } from '../../src/lib/reader-links.ts';
import { createServer } from '../../src/web/app.ts';
import type { TestDb } from './db.ts';
import { eventually } from './eventually.ts';
import { parseEml, type ParsedEml } from './mail.ts';
import { createHarness, testConfig, type Harness } from './pipeline.ts';

export const SITE_SECRET = 'browser-test-secret-0123456789abcdefghij';

export interface ReaderSite {
  /** http://127.0.0.1:PORT, also the configured PUBLIC_URL. */
  url: string;
  config: Config;
  harness: Harness;
  app: FastifyInstance;
  /** A signed link path of this site (`/preferences?t=…`), as the server would make it. */
  link(pathname: string, claims: TokenClaims): string;
  /**
   * The email to `to` in an outbox folder (`notices`: the latest notice to `to`; or an issue id), once
   * it is there. The test timeout bounds the wait.
   */
  email(folder: string, to: string): Promise<ParsedEml>;
  close(): Promise<void>;
}

export async function startReaderSite(t: TestDb): Promise<ReaderSite> {
  const imported = await importPaths(t.db, [path.resolve('content')]);
  if (imported.errors.length > 0) throw new Error(`content did not import: ${imported.errors.map((e) => e.message).join('; ')}`);

  // The port is chosen before the server exists, because PUBLIC_URL (in every link, and the origin
  // the CSRF check compares) must name it. Another process taking it in between is retried.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = loadConfig({ PUBLIC_URL: url, SECRET: SITE_SECRET, LOG_LEVEL: 'silent', MAIL_FROM: 'tagcast <digest@example.test>', SUBSCRIBE_TAG_WEEKS: '520' }, '/nonexistent');
    const harness = await createHarness(t.db);
    const log = pino({ level: 'silent' });
    const app = await createServer({
      db: t.db,
      config,
      log,
      // A test reader posts more forms in a minute than a person would.
      rateLimits: { global: { max: 100_000, timeWindow: 60_000 }, publicPost: { max: 10_000, timeWindow: 60_000 } },
      enqueueNotice: (id) => enqueueNotice(harness.queues, id),
    });
    try {
      await app.listen({ port, host: '127.0.0.1' });
    } catch (e) {
      await app.close();
      await harness.close();
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
      throw e;
    }
    // The harness's own workers sign links for testConfig.publicUrl; these sign them for this server.
    const workers: Workers = startWorkers({
      db: t.db,
      config: { ...testConfig, secret: config.secret, publicUrl: config.publicUrl, mailFrom: config.mailFrom },
      provider: harness.provider,
      queues: harness.queues,
      log,
      now: () => new Date(),
      batchSize: 100,
      leaseMs: 60_000,
    });
    return {
      url,
      config,
      harness,
      app,
      link: (pathname, claims) => `${pathname}?t=${createToken(config.secret, claims)}`,
      async email(folder, to) {
        const base = outboxPath(harness.outboxDir, folder, to);
        // The outbox writes by rename, so a file that exists is whole.
        const file = await eventually(
          () => {
            const f = folder === 'notices' ? latestNotice(base) : `${base}.eml`;
            return f && existsSync(f) ? f : undefined;
          },
          { what: `an email to ${to} in the outbox's ${folder}`, every: 50 },
        );
        return parseEml(readFileSync(file, 'utf8'));
      },
      async close() {
        await app.close();
        await workers.close();
        await harness.close();
      },
    };
  }
}

/** The .eml of the highest notice id in an address's notices folder, if any. */
function latestNotice(folder: string): string | undefined {
  if (!existsSync(folder)) return undefined;
  const ids = readdirSync(folder).filter((f) => /^\d+\.eml$/.test(f)).map((f) => Number.parseInt(f, 10));
  return ids.length > 0 ? path.join(folder, `${Math.max(...ids)}.eml`) : undefined;
}

/** The link in an email's text part that starts with `${site}${pathname}?`. */
export function linkIn(mail: ParsedEml, site: string, pathname: string): string {
  const escaped = `${site}${pathname}?`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}[^\\s>"]+`).exec(mail.text);
  if (!m) throw new Error(`no ${pathname} link in the email's text part:\n${mail.text}`);
  return m[0];
}
