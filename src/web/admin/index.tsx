// The editor pages at /admin, registered on the web baseline (src/web/app.ts): the login, then issues,
// summaries, subscribers, the recurring schedule and tags behind `requireAdmin`. ADMIN_PASSWORD unset: every
// /admin address answers 503 with how to set it. Pages allow `connect-src 'self'` (the progress
// refresh) and `frame-src 'self'` (the sandboxed digest preview) on top of the site's policy.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { bullBoardPlugin } from '../plugins/bull-board.ts';
import { errorAnswer } from '../plugins/errors.ts';
import { ErrorReason } from '../reader/common.tsx';
import { cspRoute, PAGE_CSP, useScopeCsp } from '../plugins/security.ts';
import { renderPage } from '../views/layout.tsx';
import { AdminMessagePage } from '../views/admin/layout.tsx';
import { LoginPage } from '../views/admin/login.tsx';
import { field, sendAdmin, type AdminDeps } from './common.tsx';
import { issueRoutes } from './issues.tsx';
import { scheduleRoutes } from './schedule.tsx';
import { settingsRoutes } from './settings.tsx';
import { noteRoutes } from './notes.tsx';
import { createAdminAuth, requireAdmin, safeNext } from './session.ts';
import { subscriberRoutes } from './subscribers.tsx';
import { summaryRoutes } from './summaries.tsx';
import { tagRoutes } from './tags.tsx';

export type { AdminDeps };
export { requireAdmin };

/** Login attempts per client a minute: enough for typos, too few to guess (each also costs a scrypt). */
export const LOGIN_LIMIT = { max: 5, timeWindow: 60_000 };

export const ADMIN_CSP = { ...PAGE_CSP, 'connect-src': ["'self'"], 'frame-src': ["'self'"] };

const adminErrorPage = (p: { status: number; title: string; reason: string; requestId?: string | undefined }) =>
  renderPage(
    <AdminMessagePage title={p.title} back={{ href: '/admin', label: 'Back to the admin pages' }}>
      <ErrorReason {...p} />
    </AdminMessagePage>,
  );

export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const password = deps.config.adminPassword;
  const auth = password ? createAdminAuth({ db: deps.db, password, secret: deps.config.secret, publicUrl: deps.config.publicUrl, now: deps.now }) : null;
  // On the root instance, so requireAdmin finds it from any scope (Bull Board's included).
  app.decorate('adminAuth', auth);

  await app.register(async (scope) => {
    useScopeCsp(scope, cspRoute(ADMIN_CSP));
    // Errors on editor pages keep the editor's layout; JSON clients still get JSON.
    scope.setErrorHandler(errorAnswer(adminErrorPage));
    await scope.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: 1024, files: 0, fields: 10, parts: 10 } });

    if (!auth) {
      const off = (_req: unknown, reply: Parameters<typeof sendAdmin>[0]) =>
        sendAdmin(
          reply,
          <AdminMessagePage title="The admin pages are off" kind="warn">
            <p>
              Set <code>ADMIN_PASSWORD</code> (at least 12 characters) in the server&rsquo;s environment or its <code>.env</code> file, then restart <code>tagcast serve</code> (or{' '}
              <code>start</code>).
            </p>
          </AdminMessagePage>,
          503,
        );
      scope.all('/admin', off);
      scope.all('/admin/*', off);
      return;
    }

    scope.get('/admin', async (_req, reply) => reply.redirect('/admin/issues', 302));

    scope.get('/admin/login', async (req, reply) => {
      if (!(await auth.sessionProblem(req))) return reply.redirect(safeNext(field(req.query, 'next')), 303);
      return sendAdmin(reply, <LoginPage csrf={deps.csrf.token(req, reply)} next={safeNext(field(req.query, 'next'))} loggedOut={field(req.query, 'done') === 'out'} />);
    });

    scope.post('/admin/login', { config: { rateLimit: LOGIN_LIMIT } }, async (req, reply) => {
      const next = safeNext(field(req.query, 'next'));
      const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
      if (csrfProblem) return sendAdmin(reply, <LoginPage csrf={deps.csrf.token(req, reply)} next={next} error={`Not logged in: ${csrfProblem}.`} />, 403);
      if (!auth.checkPassword(field(req.body, 'password') ?? '')) {
        req.log.info('admin login refused: wrong password');
        return sendAdmin(reply, <LoginPage csrf={deps.csrf.token(req, reply)} next={next} error="That is not the password. Try again." />, 401);
      }
      req.log.info('admin login');
      return reply.header('set-cookie', await auth.startSession()).redirect(next, 303);
    });

    // Logging out needs the form's CSRF field (a forged form must not log the editor out) but no session.
    scope.post('/admin/logout', async (req, reply) => {
      const csrfProblem = deps.csrf.check(req, field(req.body, '_csrf'));
      if (csrfProblem) {
        return sendAdmin(
          reply,
          <AdminMessagePage title="Not logged out" back={{ href: '/admin', label: 'Back to the admin pages' }}>
            <p>Not logged out: {csrfProblem}.</p>
          </AdminMessagePage>,
          403,
        );
      }
      return reply.header('set-cookie', await auth.endSession(req)).redirect('/admin/login?done=out', 303);
    });

    await scope.register(async (editor) => {
      editor.addHook('preHandler', requireAdmin);
      for (const routes of [issueRoutes, summaryRoutes, subscriberRoutes, scheduleRoutes, tagRoutes, settingsRoutes, noteRoutes]) await routes(editor, deps);
    });
    // The job queues in Bull Board, read-only, behind the same login; connected on first use.
    const queues = deps.queues;
    if (queues) await bullBoardPlugin(scope as unknown as FastifyInstance, { queues, preHandler: requireAdmin });
  });
}
