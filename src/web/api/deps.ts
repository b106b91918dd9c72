// What the API routes need, and the answers every route group shares (no queues, unknown issue…).
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connection.ts';
import { getIssue, type Issue } from '../../db/issues.ts';
import { IssueStateError } from '../../issues.ts';
import { RedisUnavailableError, type Queues, type RedisClient } from '../../queue.ts';
import type { Provider } from '../../send/provider.ts';
import { localEditor, type Editor } from '../../editor/index.ts';
import { HttpError } from '../plugins/errors.ts';

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
  return (req) => localEditor({ db: deps.db, config: deps.config, now: deps.now, queues: deps.queues, provider: deps.provider, actor: `api:${tokenName(req) ?? '?'}` });
}

/** The queues, or 503: this server was started without them, or Redis is not answering. */
export async function queuesOf(deps: ApiDeps): Promise<Queues> {
  if (!deps.queues) throw new HttpError(503, 'this server has no job queues (start it with `tagcast serve` or `tagcast start`)');
  try {
    return await deps.queues();
  } catch (e) {
    if (e instanceof RedisUnavailableError) throw new HttpError(503, 'the job queues are not reachable (Redis is not answering); try again shortly');
    throw e;
  }
}

export async function issueOr404(deps: ApiDeps, id: number): Promise<Issue> {
  const issue = await getIssue(deps.db, id);
  if (!issue) throw new HttpError(404, `issue ${id} does not exist`);
  return issue;
}

/** Runs an editor operation on an issue: unknown → 404, wrong state → 409 with the reason. */
export async function onIssue<T>(deps: ApiDeps, id: number, op: () => Promise<T>): Promise<T> {
  await issueOr404(deps, id);
  try {
    return await op();
  } catch (e) {
    if (e instanceof IssueStateError) throw new HttpError(/does not exist/.test(e.message) ? 404 : 409, e.message);
    throw e;
  }
}
