// /api/v1/settings: the publication's identity (name, logo, accent, sender, footer, postal address).
import type { FastifyInstance } from 'fastify';
import { settingsBody } from '../../publication.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';

export function settingsRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'settings';
  defineRoute(scope, registry, { method: 'GET', url: '/settings', tag, summary: 'The publication settings, defaults filled in; `set` names the fields an editor set' }, async (_input, req) =>
    deps.editor(req).settings.show(),
  );

  defineRoute(
    scope,
    registry,
    { method: 'PUT', url: '/settings', tag, summary: 'Set some settings ("" clears one back to its default); a low-contrast accent or a non-https logo is refused with the reason', body: settingsBody },
    async ({ body }, req) => deps.editor(req).settings.set(body),
  );
}
