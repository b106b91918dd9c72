import type { Command } from 'commander';
import { createIssue, getIssue, listIssues } from '../db/issues.ts';
import { cancelIssue, pauseIssue, resumeIssue, scheduleIssue, scheduleIssueLocal, sendIssueNow } from '../issues.ts';
import { parseEngine, parseId, parseSubject, parseWeek } from './args.ts';
import { createContext, UsageError, type Context } from './context.ts';
import { registerIssueTest } from './issue-test.ts';
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

export function registerIssue(program: Command): void {
  const cmd = program.command('issue').description('create, schedule, send and watch issues');

  cmd
    .command('create')
    .description('create a draft issue for a week')
    .requiredOption('--week <week>', 'ISO week, e.g. 2026-W48')
    .option('--engine <engine>', 'react or mjml (default: TEMPLATE_ENGINE)')
    .option('--subject <subject>', 'one subject for every reader (default: a per-reader subject naming their top tags)')
    .action(async (o: { week: string; engine?: string; subject?: string }) => {
      const week = parseWeek(o.week);
      const subject = parseSubject(o.subject);
      await withContext(async (ctx) => {
        const issue = await createIssue(ctx.db, { week, engine: parseEngine(o.engine, ctx.config.templateEngine), subject });
        process.stdout.write(`created issue ${issue.id} for ${issue.week} (${issue.engine}, draft)\n`);
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
        await sendIssueNow(ctx.db, await ctx.queues(), id);
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
