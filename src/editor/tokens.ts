// API tokens (`tagcast tokens`, /api/v1/tokens): create (the secret is shown once, only its hash is
// stored), list, revoke. The same for every face; the storage is src/db/api-tokens.ts.
import { createApiToken, listApiTokens, revokeApiToken, revokeApiTokensNamed, type ApiToken } from '../db/api-tokens.ts';
import { controlCharacter } from '../lib/text.ts';
import type { EditorDeps } from './deps.ts';
import { invalid, notFound } from './errors.ts';

export type { ApiToken } from '../db/api-tokens.ts';

/** The longest token name. */
export const TOKEN_NAME_MAX = 100;

/** What revoke did: one token by its id, or every active token of a name. */
export type Revoked = { by: 'id'; token: ApiToken } | { by: 'name'; name: string; count: number };

export interface TokenOps {
  /** A new token; `token` is the secret, returned here and never again. */
  create(input: { name: string }): Promise<{ token: string; row: ApiToken }>;
  list(): Promise<ApiToken[]>;
  /** Requests with a revoked token are refused from then on; an unknown id or name is 'not-found'. */
  revoke(target: { id: number } | { name: string }): Promise<Revoked>;
}

/** The name trimmed, or an 'invalid' refusal: empty, not one line, too long, or reserved ("@…" is tagcast's own). */
export function tokenName(raw: string | undefined): string {
  const name = raw?.trim() ?? '';
  if (name === '') throw invalid('a token needs a name saying who or what uses it: tokens create --name NAME');
  const control = controlCharacter(name);
  if (control) throw invalid(`the token name contains a control character (${control}); it must be one line of text`);
  if (name.length > TOKEN_NAME_MAX) throw invalid(`the token name is longer than ${TOKEN_NAME_MAX} characters`);
  if (name.startsWith('@')) throw invalid('token names starting with "@" are reserved for tagcast itself');
  return name;
}

export function tokenOps(deps: EditorDeps): TokenOps {
  return {
    create: (input) => createApiToken(deps.db, tokenName(input.name)),
    list: () => listApiTokens(deps.db),
    async revoke(target) {
      if ('id' in target) {
        const token = await revokeApiToken(deps.db, target.id);
        if (!token) throw notFound(`token ${target.id} does not exist`);
        return { by: 'id', token };
      }
      const count = await revokeApiTokensNamed(deps.db, target.name);
      if (count === 0) throw notFound(`no active token is named "${target.name}"`);
      return { by: 'name', name: target.name, count };
    },
  };
}
