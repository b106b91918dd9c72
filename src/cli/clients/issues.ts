// The issue operations through the API (/api/v1/issues).
import type { IssueOps, NamedIssue } from '../../editor/issues.ts';
import type { ApiClient } from './http.ts';

export function issuesClient(api: ApiClient): IssueOps {
  const post = <T>(id: number, action: string, body?: unknown) => api.request<T>('POST', `/issues/${id}/${action}`, body);
  return {
    list: async () => (await api.request<{ issues: NamedIssue[] }>('GET', '/issues')).issues,
    get: (id) => api.request('GET', `/issues/${id}`),
    create: async (input) => {
      const { again, ...rest } = input;
      return (await api.request<{ issue: NamedIssue }>('POST', '/issues', { ...rest, ...(again ? { again: true, reason: again.reason } : {}) })).issue;
    },
    schedule: (id, input) => post(id, 'schedule', { at: input.at.toISOString(), ...(input.timeZone ? { timeZone: input.timeZone } : {}) }),
    scheduleLocal: (id, input) => post(id, 'schedule-local', input),
    send: (id) => post(id, 'send'),
    pause: async (id) => (await post<{ issue: NamedIssue }>(id, 'pause')).issue,
    resume: (id) => post(id, 'resume'),
    cancel: async (id) => (await post<{ issue: NamedIssue }>(id, 'cancel')).issue,
    test: (id, input) => post(id, 'test', input),
    readers: (id) => api.request('GET', `/issues/${id}/readers`),
    combinations: (id) => api.request('GET', `/issues/${id}/combinations`),
    weeks: () => api.request('GET', '/issue-weeks'),
  };
}
