// The settings and note operations through the API (/api/v1/settings, /api/v1/issues/:id/note).
import type { NoteOps } from '../../editor/notes.ts';
import type { SettingsOps } from '../../editor/settings.ts';
import type { ApiClient } from './http.ts';

export function settingsClient(api: ApiClient): SettingsOps {
  return {
    show: () => api.request('GET', '/settings'),
    set: (input) => api.request('PUT', '/settings', input),
  };
}

export function notesClient(api: ApiClient): NoteOps {
  return {
    show: (issueId) => api.request('GET', `/issues/${issueId}/note`),
    set: (issueId, text) => api.request('PUT', `/issues/${issueId}/note`, { text }),
  };
}
