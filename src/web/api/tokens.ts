// /api/v1/tokens: the API's own bearer tokens: create (the secret is in this answer only), list, revoke.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TOKEN_NAME_MAX } from '../../editor/tokens.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { idParams } from './schemas.ts';

const name = z.string().max(TOKEN_NAME_MAX, `is longer than ${TOKEN_NAME_MAX} characters`);

export function tokenRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'tokens';
  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/tokens', tag, summary: 'Every token: id, name, created, last used, revoked (never the secret)' },
    async (_input, req) => ({ tokens: await deps.editor(req).tokens.list() }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/tokens',
      tag,
      summary: 'Create a token; the secret (token) is in this answer and never again',
      body: z.strictObject({ name: name.describe('who or what uses it, e.g. "ci"; names starting with "@" are reserved') }),
    },
    async ({ body }, req) => deps.editor(req).tokens.create(body),
  );

  defineRoute(
    scope,
    registry,
    { method: 'DELETE', url: '/tokens/:id', tag, summary: 'Revoke one token; requests with it are refused from then on', params: idParams, errors: { 404: 'no such token' } },
    async ({ params }, req) => deps.editor(req).tokens.revoke({ id: params.id }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'DELETE',
      url: '/tokens/named/:name',
      tag,
      summary: 'Revoke every active token of that name',
      params: z.strictObject({ name: name.min(1, 'is empty') }),
      errors: { 404: 'no active token of that name' },
    },
    async ({ params }, req) => deps.editor(req).tokens.revoke({ name: params.name }),
  );
}
