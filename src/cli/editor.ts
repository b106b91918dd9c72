// How a CLI command reaches the editor's operations: in this process on its own database, or, when a
// running server (tagcast start/serve) owns the embedded database, through that server's API. A
// command is written once against `Editor` and prints the same either way.
import { loadConfig } from '../config.ts';
import { DbLockedError } from '../db/connection.ts';
import { localEditor, type Editor } from '../editor/index.ts';
import { apiEditor } from './clients/index.ts';
import { findLocalApi, type ApiClient } from './clients/http.ts';
import { createContext, type Context, type ContextOptions } from './context.ts';

/** Where the operations ran: here (with the context, e.g. to start a worker) or on the server. */
export type Where = { local: Context; api?: undefined } | { local?: undefined; api: ApiClient };

export async function withEditor<T>(fn: (editor: Editor, where: Where) => Promise<T>, opts: ContextOptions = { logLevel: 'warn' }): Promise<T> {
  let ctx: Context;
  try {
    ctx = await createContext(opts);
  } catch (e) {
    if (!(e instanceof DbLockedError)) throw e;
    const api = await findLocalApi(loadConfig().dataDir);
    if (!api) throw e;
    return fn(apiEditor(api), { api });
  }
  try {
    return await fn(localEditor({ db: ctx.db, config: ctx.config, now: () => new Date(), queues: () => ctx.queues(), actor: 'cli' }), { local: ctx });
  } finally {
    await ctx.close();
  }
}
