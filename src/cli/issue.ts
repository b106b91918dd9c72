import type { Command } from 'commander';
import type { Engine } from '../config.ts';
import { createIssue, getIssue, listIssues } from '../db/issues.ts';
import { validateSubject } from '../digest/subject.ts';
import { isValidWeek } from '../digest/week.ts';
import { cancelIssue, pauseIssue, resumeIssue, scheduleIssue, sendIssueNow } from '../issues.ts';
import { createContext, UsageError, type Context } from './context.ts';
import { issueLine, issueReport } from './report.ts';
import { waitForIssue } from './wait.ts';

export function parseId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`"${raw}" is not an issue id`);
  return id;
}

export function parseEngine(raw: string | undefined, fallback: Engine): Engine {
  if (raw === undefined) return fallback;
  if (raw !== 'react' && raw !== 'mjml') throw new UsageError(`--engine must be react or mjml, got "${raw}"`);
  return raw;
}

export function parseWeek(raw: string): string {
  if (!isValidWeek(raw)) throw new UsageError(`--week must be an ISO week like 2026-W48, got "${raw}"`);
  return raw;
}

/** No --subject, or one of only spaces, means the per-reader subject; anything else must be one line of text. */
export function parseSubject(raw: string | undefined): string | null {
  if (raw === undefined || /^ *$/.test(raw)) return null;
  const v = validateSubject(raw);
  // The message never echoes the value: it may hold the very line break being refused.
  if ('error' in v) throw new UsageError(v.error);
  return v.subject;
}

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
    .description('schedule an issue to send at a time')
    .argument('<id>')
    .requiredOption('--at <time>', 'ISO 8601 time with offset, e.g. 2026-11-30T08:00:00+01:00')
    .action(async (raw: string, o: { at: string }) => {
      const id = parseId(raw);
      const at = new Date(o.at);
      if (Number.isNaN(at.getTime()) || !/T.*(Z|[+-]\d\d:?\d\d)$/i.test(o.at)) {
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
