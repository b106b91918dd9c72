// The subscriber operations through the API (/api/v1/subscribers). A reader named by address is
// found first (?email=), then reached by id, as the routes name readers.
import type { ReaderRef, SubscriberOps } from '../../editor/subscribers.ts';
import { EditorError } from '../../editor/errors.ts';
import type { ApiClient } from './http.ts';

type Answer<K extends keyof SubscriberOps> = Awaited<ReturnType<SubscriberOps[K]>>;

export function subscribersClient(api: ApiClient): SubscriberOps {
  const list: SubscriberOps['list'] = (input = {}) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(input)) if (v !== undefined && v !== null) q.set(k, String(v));
    const query = q.toString();
    return api.request('GET', `/subscribers${query ? `?${query}` : ''}`);
  };
  const idOf = async (ref: ReaderRef): Promise<number> => {
    if (typeof ref === 'number') return ref;
    const { subscribers } = await list({ email: ref, limit: 1 });
    if (!subscribers[0]) throw new EditorError('not-found', `no subscriber has the address ${ref.trim().toLowerCase()}`);
    return subscribers[0].id;
  };
  return {
    list,
    add: (input) => api.request<Answer<'add'>>('POST', '/subscribers', input),
    import: (input) => api.request<Answer<'import'>>('POST', '/subscribers/import', input),
    export: () => api.text('/subscribers/export'),
    show: async (ref) => api.request<Answer<'show'>>('GET', `/subscribers/${await idOf(ref)}`),
    edit: async (ref, input) => {
      const id = await idOf(ref);
      // A PUT names both fields; one left out keeps what the reader has.
      let { tags, timeZone } = input;
      if (tags === undefined || timeZone === undefined) {
        const { subscriber } = await api.request<Answer<'show'>>('GET', `/subscribers/${id}`);
        tags ??= subscriber.tags;
        if (timeZone === undefined) timeZone = subscriber.timeZone;
      }
      const body = { tags: typeof tags === 'string' ? tags.split(',') : tags, timeZone, ...(input.createTags ? { createTags: true } : {}) };
      return (await api.request<{ subscriber: Answer<'edit'> }>('PUT', `/subscribers/${id}`, body)).subscriber;
    },
    unsubscribe: async (ref) => api.request<Answer<'unsubscribe'>>('POST', `/subscribers/${await idOf(ref)}/unsubscribe`),
    erase: async (ref) => api.request<Answer<'erase'>>('DELETE', `/subscribers/${await idOf(ref)}`),
  };
}
