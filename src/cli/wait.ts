// Waiting for an issue to go out, showing its progress: the same loop whether the issue is read in this
// process (a worker started here sends it) or through a running server's API.
import { SingleBar } from 'cli-progress';
import type { Config } from '../config.ts';
import type { Issue } from '../db/issues.ts';
import { issueOps, type IssueDetail, type IssueOps } from '../editor/issues.ts';
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
  /** Which provider takes the emails, for the words ("written to the outbox", "handed to resend"). */
  provider?: Config['emailProvider'];
}

/**
 * Waits until an issue is sent (or stops), showing its progress: a bar on a terminal; on a pipe, a line
 * when sending starts, one now and then while the count moves, and one at the end, so a log reads
 * "sending issue 1 to 7 readers … sent 7 of 7" rather than a "0/7" that looks stuck. The last reading.
 */
export async function waitFor(ops: Pick<IssueOps, 'get'>, id: number, opts: WaitOptions = {}): Promise<IssueDetail> {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean((stream as NodeJS.WriteStream).isTTY);
  const pollMs = opts.pollMs ?? 200;
  const lineEveryMs = opts.lineEveryMs ?? 5000;
  const bar = new SingleBar({ format: `sending issue ${id}  [{bar}] {value} of {total} readers`, stream, hideCursor: true });
  const handed = !opts.provider || opts.provider === 'outbox' ? (opts.provider ? 'written to the outbox' : 'sent') : `handed to ${opts.provider}`;
  let started = false;
  let lastLine = 0;
  let lastDone = -1;
  for (;;) {
    const d = await ops.get(id);
    const { issue, progress: p } = d;
    const total = p.total;
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
      return d;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `waitFor` on this process's database (tagcast digest). */
export async function waitForIssue(ctx: Context, id: number, opts: WaitOptions = {}): Promise<Issue> {
  const ops = issueOps({ db: ctx.db, config: ctx.config, now: () => new Date(), actor: 'cli' });
  return (await waitFor(ops, id, { provider: ctx.config.emailProvider, ...opts })).issue;
}
