import type { Command } from 'commander';
import { getIssue, listIssues, readersForWeek, WeekTakenError, type IssueStatus } from '../db/issues.ts';
import { againReasonProblem, cancelIssue, createWeekIssue, IssueStateError, pauseIssue, resumeIssue, scheduleIssue, scheduleIssueLocal, sendIssueNow } from '../issues.ts';
import { parseEngine, parseId, parseSubject, parseWeek } from './args.ts';
import { createContext, UsageError, type Context } from './context.ts';
import { registerIssueTest } from './issue-test.ts';
import { registerIssueNote } from './note.ts';
import { issueLine, issueReport } from './report.ts';
import { waitForIssue } from './wait.ts';

async function withContext(fn: (ctx: Context) => Promise<void>): Promise<void> {
  const ctx = await createContext({ logLevel: 'warn' });
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** `--again --reason R` checked before any work: a bad or missing reason is a usage error (exit 2). */
export function parseAgain(o: { again?: boolean; reason?: string }): { reason: string } | undefined {
  if (!o.again) {
    if (o.reason !== undefined) throw new UsageError('--reason goes with --again (sending a week already sent, on purpose)');
    return undefined;
  }
  const problem = againReasonProblem(o.reason);
  if (problem) throw new UsageError(`--again: ${problem.replace('needs a reason', 'needs --reason "what changed"')}`);
  return { reason: o.reason!.trim() };
}

/** One line naming the issue that holds the week and what to do instead (exit 1). */
export function weekTakenLine(week: string, existing: { id: number; status: IssueStatus } | undefined): string {
  if (!existing) return `week ${week} already has an issue (tagcast issue list shows it)`;
  const head = `week ${week} already has issue ${existing.id} (${existing.status})`;
  if (existing.status === 'sent') return `${head}; to send that week again on purpose: tagcast issue create --week ${week} --again --reason "what changed"`;
  return `${head}; send that one (tagcast issue send ${existing.id}), or cancel it first (tagcast issue cancel ${existing.id})`;
}

/** What `issue send` and `issue schedule` say before the work: how many readers the issue reaches. */
export function readersLine(n: number): string {
  return `reaches ${n} reader${n === 1 ? '' : 's'} (active, following a tag with content that week)`;
}

export function registerIssue(program: Command): void {
  const cmd = program.command('issue').description('create, schedule, send and watch issues');

  cmd
    .command('create')
    .description('create a draft issue for a week')
    .requiredOption('--week <week>', 'ISO week, e.g. 2026-W48')
    .option('--engine <engine>', 'react or mjml (default: TEMPLATE_ENGINE)')
    .option('--subject <subject>', 'one subject for every reader (default: a per-reader subject naming their top tags)')
    .option('--again', 'a week already sent, again on purpose (recorded; a correction in the archive); needs --reason')
    .option('--reason <reason>', 'with --again: why, one line (shown in the archive)')
    .action(async (o: { week: string; engine?: string; subject?: string; again?: boolean; reason?: string }) => {
      const week = parseWeek(o.week);
      const subject = parseSubject(o.subject);
      const again = parseAgain(o);
      await withContext(async (ctx) => {
        try {
          const issue = await createWeekIssue(ctx.db, { week, engine: parseEngine(o.engine, ctx.config.templateEngine), subject, ...(again ? { again } : {}) });
          const of = issue.againOf !== null ? `, correction of issue ${issue.againOf}` : '';
          process.stdout.write(`created issue ${issue.id} for ${issue.week} (${issue.engine}, draft${of})\n`);
        } catch (e) {
          if (e instanceof WeekTakenError) throw new IssueStateError(weekTakenLine(e.week, e.existing));
          throw e;
        }
      });
    });

  cmd
    .command('schedule')
    .description("schedule an issue: at one time for everyone (--at), or at each reader's local time (--local with --date)")
    .argument('<id>')
    .option('--at <time>', 'ISO 8601 time with offset, e.g. 2026-11-30T08:00:00+01:00')
    .option('--local <HH:MM>', "each reader gets it at this time in their own time zone (DEFAULT_TIME_ZONE when they never chose one)")
    .option('--date <YYYY-MM-DD>', 'with --local: the day')
    .action(async (raw: string, o: { at?: string; local?: string; date?: string }) => {
      const id = parseId(raw);
      if ((o.at === undefined) === (o.local === undefined)) throw new UsageError('give either --at TIME or --local HH:MM --date YYYY-MM-DD');
      if (o.local !== undefined) {
        if (o.date === undefined) throw new UsageError('--local needs --date YYYY-MM-DD (the day readers get it)');
        const local = { localTime: o.local, date: o.date };
        await withContext(async (ctx) => {
          const issue = await scheduleIssueLocal(ctx.db, await ctx.queues(), id, local);
          process.stdout.write(`${readersLine(await readersForWeek(ctx.db, issue.week))}\n`);
          process.stdout.write(`issue ${issue.id} scheduled for ${o.date} at ${o.local} in each reader's time zone (planned at ${issue.sendAt?.toISOString()}, an hour before the first readers get it)\n`);
        });
        return;
      }
      const at = new Date(o.at!);
      if (Number.isNaN(at.getTime()) || !/T.*(Z|[+-]\d\d:?\d\d)$/i.test(o.at!)) {
        throw new UsageError(`--at must be an ISO 8601 time with a zone, e.g. 2026-11-30T08:00:00Z, got "${o.at}"`);
      }
      await withContext(async (ctx) => {
        const issue = await scheduleIssue(ctx.db, await ctx.queues(), id, at);
        process.stdout.write(`${readersLine(await readersForWeek(ctx.db, issue.week))}\n`);
        process.stdout.write(`issue ${issue.id} scheduled for ${issue.sendAt?.toISOString()}\n`);
      });
    });

  cmd
    .command('send')
    .description('send an issue now')
    .argument('<id>')
    .option('--wait', 'run a worker in this process and wait until the issue is sent')
    .action(async (raw: string, o: { wait?: boolean }) => {
      const id = parseId(raw);
      await withContext(async (ctx) => {
        const sending = await sendIssueNow(ctx.db, await ctx.queues(), id);
        process.stdout.write(`issue ${id} ${readersLine(await readersForWeek(ctx.db, sending.week))}\n`);
        if (!o.wait) {
          process.stdout.write(`issue ${id} queued; a running worker (tagcast worker or start) sends it\n`);
          return;
        }
        await ctx.startWorkers();
        const issue = await waitForIssue(ctx, id);
        process.stdout.write(`${await issueReport(ctx.db, ctx.config, issue)}\n`);
        if (issue.status !== 'sent') process.exitCode = 1;
      });
    });

  registerIssueTest(cmd);
  registerIssueNote(cmd);

  cmd
    .command('status')
    .description('show an issue and its delivery counts')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      await withContext(async (ctx) => {
        const issue = await getIssue(ctx.db, id);
        if (!issue) throw new UsageError(`issue ${id} does not exist`);
        process.stdout.write(`${await issueReport(ctx.db, ctx.config, issue)}\n`);
      });
    });

  cmd
    .command('pause')
    .description('pause a scheduled or sending issue (batches in flight finish; nothing new starts)')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      await withContext(async (ctx) => {
        const issue = await pauseIssue(ctx.db, id);
        process.stdout.write(`issue ${issue.id} paused\n`);
      });
    });

  cmd
    .command('resume')
    .description('resume a paused issue, or rebuild a sending issue’s jobs from the ledger (after Redis lost them)')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      await withContext(async (ctx) => {
        const { issue, batches } = await resumeIssue(ctx.db, await ctx.queues(), id);
        process.stdout.write(`issue ${issue.id} ${issue.status}: ${batches} batches re-enqueued\n`);
      });
    });

  cmd
    .command('cancel')
    .description('cancel an issue; deliveries not yet sent are skipped')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      await withContext(async (ctx) => {
        const issue = await cancelIssue(ctx.db, id);
        process.stdout.write(`issue ${issue.id} cancelled\n`);
      });
    });

  cmd
    .command('list')
    .description('list issues, newest first')
    .action(async () => {
      await withContext(async (ctx) => {
        for (const i of await listIssues(ctx.db)) process.stdout.write(`${issueLine(i)}\n`);
      });
    });
}
