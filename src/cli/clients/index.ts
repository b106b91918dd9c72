// The editor's operations through a running server's API: the same `Editor` the CLI runs locally,
// one binding per area, so each command is declared once (src/cli/<area>.ts) and runs either way.
import type { Editor } from '../../editor/index.ts';
import type { ApiClient } from './http.ts';
import { previewClient } from './preview.ts';
import { issuesClient } from './issues.ts';
import { scheduleClient } from './schedule.ts';
import { summariesClient } from './summaries.ts';
import { tagsClient } from './tags.ts';
import { subscribersClient } from './subscribers.ts';
import { tokensClient } from './tokens.ts';
import { notesClient, settingsClient } from './settings.ts';

export function apiEditor(api: ApiClient): Editor {
  return {
    schedule: scheduleClient(api),
    summaries: summariesClient(api),
    tags: tagsClient(api),
    subscribers: subscribersClient(api),
    tokens: tokensClient(api),
    preview: previewClient(api),
    settings: settingsClient(api),
    notes: notesClient(api),
    issues: issuesClient(api),
  };
}
