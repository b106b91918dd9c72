// Waiting for an issue to go out, with a progress bar on a terminal: the same loop whether the issue
// is read in this process (a worker started here sends it) or through a running server's API.
import { SingleBar } from 'cli-progress';
import type { Issue } from '../db/issues.ts';
import { issueOps, type IssueDetail, type IssueOps } from '../editor/issues.ts';
import type { Context } from './context.ts';

const DONE = new Set(['sent', 'paused', 'cancelled', 'failed']);

/** Waits until an issue is sent (or stops), showing its progress on stderr; the last reading. */
export async function waitFor(ops: Pick<IssueOps, 'get'>, id: number, pollMs = 200): Promise<IssueDetail> {
  const tty = process.stderr.isTTY;
  const bar = new SingleBar({ format: 'sending  [{bar}] {value}/{total} readers  {eta_formatted} left', stream: process.stderr, hideCursor: true });
  let started = false;
  let lastLine = 0;
  for (;;) {
    const d = await ops.get(id);
    const { issue, progress: p } = d;
    const done = p.submitted + p.failed;
    if (issue.plannedAt && p.total > 0) {
      if (tty) {
        if (!started) bar.start(p.total, done);
        started = true;
        bar.update(done);
      } else if (Date.now() - lastLine > 2000 || DONE.has(issue.status)) {
        process.stderr.write(`sending: ${done}/${p.total} readers\n`);
        lastLine = Date.now();
      }
    }
    if (DONE.has(issue.status)) {
      if (started) bar.stop();
      return d;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `waitFor` on this process's database (tagcast digest). */
export async function waitForIssue(ctx: Context, id: number, pollMs = 200): Promise<Issue> {
  const ops = issueOps({ db: ctx.db, config: ctx.config, now: () => new Date(), actor: 'cli' });
  return (await waitFor(ops, id, pollMs)).issue;
}
