import { SingleBar } from 'cli-progress';
import { issueProgress } from '../db/deliveries.ts';
import { getIssue, type Issue } from '../db/issues.ts';
import type { Context } from './context.ts';

const DONE = new Set(['sent', 'paused', 'cancelled', 'failed']);

/** Waits until an issue is sent (or stops), showing a progress bar on a terminal. */
export async function waitForIssue(ctx: Context, id: number, pollMs = 200): Promise<Issue> {
  const tty = process.stderr.isTTY;
  const bar = new SingleBar({ format: 'sending  [{bar}] {value}/{total} readers  {eta_formatted} left', stream: process.stderr, hideCursor: true });
  let started = false;
  let lastLine = 0;
  for (;;) {
    const issue = (await getIssue(ctx.db, id))!;
    const p = await issueProgress(ctx.db, id);
    const total = p.submitted + p.failed + p.pending;
    const done = p.submitted + p.failed;
    if (issue.plannedAt && total > 0) {
      if (tty) {
        if (!started) bar.start(total, done);
        started = true;
        bar.update(done);
      } else if (Date.now() - lastLine > 2000 || DONE.has(issue.status)) {
        process.stderr.write(`sending: ${done}/${total} readers\n`);
        lastLine = Date.now();
      }
    }
    if (DONE.has(issue.status)) {
      if (started) bar.stop();
      return issue;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
