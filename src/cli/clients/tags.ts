// The tag operations through the API (/api/v1/tags).
import type { TagOps, TagView } from '../../editor/tags.ts';
import type { ApiClient } from './http.ts';

const at = (tag: string) => `/tags/${encodeURIComponent(tag)}`;

export function tagsClient(api: ApiClient): TagOps {
  const put = async (tag: string, body: Record<string, unknown>) => (await api.request<{ tag: TagView }>('PUT', at(tag), body)).tag;
  return {
    list: async () => (await api.request<{ tags: TagView[] }>('GET', '/tags')).tags,
    show: async ({ tag }) => (await api.request<{ tag: TagView }>('GET', at(tag))).tag,
    rename: ({ tag, name }) => put(tag, { name }),
    describe: ({ tag, description }) => put(tag, { description }),
    hide: ({ tag, hidden }) => put(tag, { hidden }),
    mergePlan: ({ from, into }) => api.request('GET', `${at(from)}/merge?into=${encodeURIComponent(into)}`),
    merge: ({ from, into }) => api.request('POST', `${at(from)}/merge`, { into }),
  };
}
