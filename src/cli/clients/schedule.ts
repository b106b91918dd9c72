// The schedule operations through the API (/api/v1/schedule).
import type { ScheduleOps } from '../../editor/schedule.ts';
import type { ApiClient } from './http.ts';

export function scheduleClient(api: ApiClient): ScheduleOps {
  return {
    show: (input = {}) => api.request('GET', input.runs === undefined ? '/schedule' : `/schedule?runs=${input.runs}`),
    set: async (input) => (await api.request<{ schedule: Awaited<ReturnType<ScheduleOps['set']>> }>('PUT', '/schedule', input)).schedule,
    clear: async () => (await api.request<{ cleared: boolean }>('DELETE', '/schedule')).cleared,
  };
}
