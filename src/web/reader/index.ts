// The reader pages, registered on the web baseline (src/web/app.ts): subscribe and confirm,
// preferences, unsubscribe, unfollow and density (from a digest), web versions, the archive and the feeds, and the pages' static files.
import type { FastifyInstance } from 'fastify';
import { assetRoutes } from '../assets.ts';
import { archiveRoutes } from './archive.tsx';
import type { ReaderDeps } from './common.tsx';
import { densityRoutes } from './density.tsx';
import { preferencesRoutes } from './preferences.tsx';
import { subscribeRoutes } from './subscribe.tsx';
import { unfollowRoutes } from './unfollow.tsx';
import { testLinkRoutes } from './test-links.tsx';
import { unsubscribeRoutes } from './unsubscribe.tsx';
import { webVersionRoutes } from './web-version.tsx';

export type { ReaderDeps };

export async function readerRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  await app.register(assetRoutes);
  app.get('/', async (_req, reply) => reply.redirect(deps.config.archive ? '/archive' : '/subscribe', 302));
  for (const routes of [subscribeRoutes, preferencesRoutes, unsubscribeRoutes, webVersionRoutes, testLinkRoutes, archiveRoutes, unfollowRoutes, densityRoutes]) {
    // Each group in its own scope: the one-click route's multipart parser stays with it.
    await app.register(async (scope) => routes(scope, deps));
  }
}
