// The summaries operations through the API (/api/v1/summaries).
import type { SummariesOps, SummaryDetail } from '../../editor/summaries.ts';
import type { ApiClient } from './http.ts';

export function summariesClient(api: ApiClient): SummariesOps {
  const one = async (method: 'GET' | 'POST', url: string) => (await api.request<{ summary: SummaryDetail }>(method, url)).summary;
  return {
    import: (input) => api.request('POST', '/summaries/import', input.week === undefined ? { files: input.files } : input),
    list: (input = {}) => api.request('GET', input.week === undefined ? '/summaries' : `/summaries?week=${encodeURIComponent(input.week)}`),
    show: (id) => one('GET', `/summaries/${id}`),
    edit: (id, edit) => api.request('PUT', `/summaries/${id}`, edit),
    hide: (id) => one('POST', `/summaries/${id}/hide`),
    unhide: (id) => one('POST', `/summaries/${id}/show`),
    delete: (id) => api.request('DELETE', `/summaries/${id}`),
  };
}
