// The token operations through the API (/api/v1/tokens).
import type { ApiToken, Revoked, TokenOps } from '../../editor/tokens.ts';
import type { ApiClient } from './http.ts';

export function tokensClient(api: ApiClient): TokenOps {
  return {
    create: (input) => api.request('POST', '/tokens', input),
    list: async () => (await api.request<{ tokens: ApiToken[] }>('GET', '/tokens')).tokens,
    revoke: (target) => api.request<Revoked>('DELETE', 'id' in target ? `/tokens/${target.id}` : `/tokens/named/${encodeURIComponent(target.name)}`),
  };
}
