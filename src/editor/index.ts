// The editor's operations: one implementation of every editor action, which the CLI, the admin
// pages and the API call (docs/editor-operations.md). Each area is a file of its own; this file only
// puts them together. The CLI talks to the same `Editor` through the API when a running server owns
// the embedded database (src/cli/clients/).
import type { EditorDeps } from './deps.ts';
import { previewOps, type PreviewOps } from './preview.ts';
import { issueOps, type IssueOps } from './issues.ts';
import { scheduleOps, type ScheduleOps } from './schedule.ts';
import { summariesOps, type SummariesOps } from './summaries.ts';
import { tagOps, type TagOps } from './tags.ts';
import { subscriberOps, type SubscriberOps } from './subscribers.ts';
import { tokenOps, type TokenOps } from './tokens.ts';
import { settingsOps, type SettingsOps } from './settings.ts';
import { noteOps, type NoteOps } from './notes.ts';

export type { EditorDeps } from './deps.ts';
export { EditorError } from './errors.ts';

export interface Editor {
  schedule: ScheduleOps;
  summaries: SummariesOps;
  tags: TagOps;
  subscribers: SubscriberOps;
  tokens: TokenOps;
  preview: PreviewOps;
  settings: SettingsOps;
  notes: NoteOps;
  issues: IssueOps;
}

/** The operations run in this process, on its database and queues. */
export function localEditor(deps: EditorDeps): Editor {
  return {
    schedule: scheduleOps(deps),
    summaries: summariesOps(deps),
    tags: tagOps(deps),
    subscribers: subscriberOps(deps),
    tokens: tokenOps(deps),
    preview: previewOps(deps),
    settings: settingsOps(deps),
    notes: noteOps(deps),
    issues: issueOps(deps),
  };
}
