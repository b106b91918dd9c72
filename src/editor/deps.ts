// What every editor operation receives: the same deps whichever face calls it (CLI, admin pages, API).
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import type { Queues, RedisClient } from '../queue.ts';
import type { Provider } from '../send/provider.ts';
import { EditorError } from './errors.ts';

export interface EditorDeps {
  db: Db;
  config: Config;
  now: () => Date;
  /** The job queues, connected on first use; unset on a face that has none (an operation needing them refuses). */
  queues?: (() => Promise<Queues>) | undefined;
  provider?: Provider | undefined;
  /** Shares limits (test sends per issue) across server processes; unset: counted in this process. */
  redis?: RedisClient | undefined;
  /** Who acts, recorded with what they change: "cli", "admin", or "api:<token name>". */
  actor: string;
}

/**
 * The queues, or a refusal. Redis not answering stays a RedisUnavailableError: the CLI prints its
 * advice (how to start Redis), the web faces answer 503 without the URL (src/web/plugins/errors.ts).
 */
export async function queuesOf(deps: Pick<EditorDeps, 'queues'>): Promise<Queues> {
  if (!deps.queues) throw new EditorError('unavailable', 'this server has no job queues (start it with `tagcast serve` or `tagcast start`)');
  return deps.queues();
}
