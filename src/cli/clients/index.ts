// The editor's operations through a running server's API: the same `Editor` the CLI runs locally,
// one binding per area, so each command is declared once (src/cli/<area>.ts) and runs either way.
import type { Editor } from '../../editor/index.ts';
import type { ApiClient } from './http.ts';
import { issuesClient } from './issues.ts';
import { scheduleClient } from './schedule.ts';

export function apiEditor(api: ApiClient): Editor {
  return {
    schedule: scheduleClient(api),
    issues: issuesClient(api),
  };
}
