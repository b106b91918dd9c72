// The preview operation through the API (/api/v1/preview).
import type { PreviewOps } from '../../editor/preview.ts';
import type { ApiClient } from './http.ts';

export function previewClient(api: ApiClient): PreviewOps {
  return {
    digest: (input) => {
      const q = new URLSearchParams({ subscriber: input.subscriber, format: input.format });
      if (input.week !== undefined) q.set('week', input.week);
      if (input.issue !== undefined) q.set('issue', String(input.issue));
      if (input.engine) q.set('engine', input.engine);
      return api.request('GET', `/preview?${q}`);
    },
  };
}
