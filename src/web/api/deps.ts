// What the API routes need: the server's deps and, per request, the editor's operations.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connection.ts';
import type { Queues, RedisClient } from '../../queue.ts';
import type { Provider } from '../../send/provider.ts';
import { localEditor, type Editor } from '../../editor/index.ts';

export interface ApiDeps {
  db: Db;
  config: Config;
  now: () => Date;
  queues?: (() => Promise<Queues>) | undefined;
  provider?: Provider | undefined;
  redis?: RedisClient | undefined;
  /** The editor's operations for a request, acting as its token ("api:<token name>"). */
  editor(req: FastifyRequest): Editor;
}

/** What `ApiDeps.editor` is built from: the operations, recorded as the request's token. */
export function apiEditorOf(deps: Omit<ApiDeps, 'editor'>, tokenName: (req: FastifyRequest) => string | undefined): (req: FastifyRequest) => Editor {
  return (req) => localEditor({ db: deps.db, config: deps.config, now: deps.now, queues: deps.queues, provider: deps.provider, redis: deps.redis, actor: `api:${tokenName(req) ?? '?'}` });
}
