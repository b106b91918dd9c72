// The preview operation through the API (/api/v1/preview).
import type { PreviewOps } from '../../editor/preview.ts';
import type { ApiClient } from './http.ts';

export function previewClient(api: ApiClient): PreviewOps {
  return {
    digest: (input) => {
      const q = new URLSearchParams({ week: input.week, subscriber: input.subscriber, format: input.format, ...(input.engine ? { engine: input.engine } : {}) });
      return api.request('GET', `/preview?${q}`);
    },
  };
}
