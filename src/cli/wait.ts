import { SingleBar } from 'cli-progress';
import { issueProgress } from '../db/deliveries.ts';
import { getIssue, type Issue } from '../db/issues.ts';
import type { Context } from './context.ts';

const DONE = new Set(['sent', 'paused', 'cancelled', 'failed']);

export interface WaitOptions {
  pollMs?: number;
  /** Where progress goes (stderr: stdout is the report). */
  stream?: NodeJS.WritableStream;
  /** A terminal gets a bar that redraws in place; a pipe or a file gets a few whole lines. */
  tty?: boolean;
  /** On a pipe, a line when the count moved and this long has passed since the last one. */
  lineEveryMs?: number;
}

/**
 * Waits until an issue is sent (or stops), showing its progress: a bar on a terminal; on a pipe, a line
 * when sending starts, one now and then while the count moves, and one at the end, so a log reads
 * "sending issue 1 to 7 readers … sent 7 of 7" rather than a "0/7" that looks stuck.
 */
export async function waitForIssue(ctx: Context, id: number, opts: WaitOptions = {}): Promise<Issue> {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean((stream as NodeJS.WriteStream).isTTY);
  const pollMs = opts.pollMs ?? 200;
  const lineEveryMs = opts.lineEveryMs ?? 5000;
  const bar = new SingleBar({ format: `sending issue ${id}  [{bar}] {value} of {total} readers`, stream, hideCursor: true });
  const handed = ctx.config.emailProvider === 'outbox' ? 'written to the outbox' : `handed to ${ctx.config.emailProvider}`;
  let started = false;
  let lastLine = 0;
  let lastDone = -1;
  for (;;) {
    const issue = (await getIssue(ctx.db, id))!;
    const p = await issueProgress(ctx.db, id);
    const total = p.submitted + p.failed + p.pending;
    const done = p.submitted + p.failed;
    const finished = DONE.has(issue.status);
    if (issue.plannedAt && total > 0) {
      if (tty) {
        if (!started) bar.start(total, done);
        bar.update(done);
      } else {
        if (!started) stream.write(`sending issue ${id} to ${total} reader${total === 1 ? '' : 's'}…\n`);
        else if (!finished && done !== lastDone && Date.now() - lastLine >= lineEveryMs) {
          stream.write(`  ${done} of ${total} ${handed}\n`);
          lastLine = Date.now();
          lastDone = done;
        }
        if (finished) stream.write(`  ${issue.status}: ${p.submitted} of ${total} ${handed}${p.failed > 0 ? `, ${p.failed} failed` : ''}\n`);
      }
      if (!started) lastLine = Date.now();
      started = true;
    }
    if (finished) {
      if (started && tty) bar.stop();
      return issue;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
