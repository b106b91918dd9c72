// The editor's operations: one implementation of every editor action, which the CLI, the admin
// pages and the API call (docs/editor-operations.md). Each area is a file of its own; this file only
// puts them together. The CLI talks to the same `Editor` through the API when a running server owns
// the embedded database (src/cli/clients/).
import type { EditorDeps } from './deps.ts';
import { issueOps, type IssueOps } from './issues.ts';
import { scheduleOps, type ScheduleOps } from './schedule.ts';

export type { EditorDeps } from './deps.ts';
export { EditorError } from './errors.ts';

export interface Editor {
  schedule: ScheduleOps;
  issues: IssueOps;
}

/** The operations run in this process, on its database and queues. */
export function localEditor(deps: EditorDeps): Editor {
  return {
    schedule: scheduleOps(deps),
    issues: issueOps(deps),
  };
}
