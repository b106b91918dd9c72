// Bull Board at /admin/queues: the job queues as editors and operators see them, read-only.
//
// Behind the admin login: the caller hands in the guard (`requireAdmin`), which runs before anything
// else on every route here, the UI's static files and its API included. Read-only twice over: every
// queue is added with Bull Board's `readOnlyMode` (its actions answer 405), and any request but
// GET/HEAD is refused here before it reaches Bull Board at all, so a route Bull Board adds in a later
// version cannot change a queue either. The UI gets its own Content-Security-Policy (BULL_BOARD_CSP),
// only under /admin/queues.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queues } from '../../queue.ts';
import { HttpError } from './errors.ts';
import { BULL_BOARD_CSP, cspRoute } from './security.ts';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardOptions {
  /** The queues, or a function that connects to them on first use (the first request after login). */
  queues: Queues | (() => Promise<Queues>);
  /** The login check, run first on every request (`requireAdmin`). */
  preHandler: (req: FastifyRequest, reply: FastifyReply) => Promise<void> | void;
}

export async function bullBoardPlugin(app: FastifyInstance, opts: BullBoardOptions): Promise<void> {
  await app.register(async (scope) => {
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(BULL_BOARD_PATH);
    const board = createBullBoard({
      queues: [],
      serverAdapter,
      options: { uiConfig: { boardTitle: 'tagcast queues', hideRedisDetails: false } },
    });
    let added: Promise<void> | undefined;
    const addQueues = async () => {
      const q = typeof opts.queues === 'function' ? await opts.queues() : opts.queues;
      for (const queue of [q.issues, q.send]) board.addQueue(new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false }));
    };

    // Forced, not a default: registered inside the admin pages' scope, their policy (set by an
    // earlier onRoute hook) would otherwise win and the board would not render.
    const helmet = cspRoute(BULL_BOARD_CSP);
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), helmet } as typeof route.config;
    });
    scope.addHook('preHandler', opts.preHandler);
    scope.addHook('preHandler', async (req) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'the queue board is read-only');
      // A failed connection is not kept: the next request tries again.
      await (added ??= addQueues().catch((e: unknown) => ((added = undefined), Promise.reject(e))));
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: BULL_BOARD_PATH });
  });
}
