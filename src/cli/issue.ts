import type { Command } from 'commander';
import type { Issue, IssueStatus } from '../db/issues.ts';
import { EditorError } from '../editor/errors.ts';
import { againReasonProblem } from '../issues.ts';
import { parseEngine, parseId, parseSubject, parseWeek } from './args.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';
import { registerIssueTest } from './issue-test.ts';
import { registerIssueNote } from './note.ts';
import { issueLine, reportOf } from './report.ts';
import { waitFor } from './wait.ts';
import { loadConfig } from '../config.ts';

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

/** "1 batch", "2 batches". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What `issue resume` gives the editor: when the issue goes out, or how much of it is still to go. */
export function resumedLine(issue: Pick<Issue, 'id' | 'status' | 'sendAt' | 'plannedAt'>, batches: number): string {
  if (!issue.plannedAt) return `issue ${issue.id} ${issue.status}: it goes out at ${issue.sendAt?.toISOString() ?? 'its time'}`;
  if (batches === 0) return `issue ${issue.id} ${issue.status}: every reader has been sent it; it is marked sent shortly`;
  return `issue ${issue.id} ${issue.status} again: ${plural(batches, 'batch', 'batches')} of readers still to go`;
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
      const engine = parseEngine(o.engine, loadConfig().templateEngine);
      const issue = await withEditor((ed) => ed.issues.create({ week, engine, subject, again })).catch((e: unknown) => {
        if (e instanceof EditorError && e.details.existing !== undefined) {
          throw new EditorError(e.kind, weekTakenLine(week, (e.details.existing ?? undefined) as { id: number; status: IssueStatus } | undefined), e.details);
        }
        throw e;
      });
      const of = issue.againOf ? `, correction of issue ${issue.againOf}` : '';
      process.stdout.write(`created issue ${issue.id} for ${issue.week} (${issue.engine}, draft${of})\n`);
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
        const { issue, readers } = await withEditor((ed) => ed.issues.scheduleLocal(id, local));
        process.stdout.write(`${readersLine(readers)}\n`);
        process.stdout.write(`issue ${issue.id} scheduled for ${o.date} at ${o.local} in each reader's time zone (planned at ${issue.sendAt?.toISOString()}, an hour before the first readers get it)\n`);
        return;
      }
      const at = new Date(o.at!);
      if (Number.isNaN(at.getTime()) || !/T.*(Z|[+-]\d\d:?\d\d)$/i.test(o.at!)) {
        throw new UsageError(`--at must be an ISO 8601 time with a zone, e.g. 2026-11-30T08:00:00Z, got "${o.at}"`);
      }
      const { issue, readers } = await withEditor((ed) => ed.issues.schedule(id, { at }));
      process.stdout.write(`${readersLine(readers)}\n`);
      process.stdout.write(`issue ${issue.id} scheduled for ${issue.sendAt?.toISOString()}\n`);
    });

  cmd
    .command('send')
    .description('send an issue now')
    .argument('<id>')
    .option('--wait', 'wait until the issue is sent, with its progress (a worker in this process sends it, or the running server’s)')
    .action(async (raw: string, o: { wait?: boolean }) => {
      const id = parseId(raw);
      await withEditor(async (ed, where) => {
        const { readers } = await ed.issues.send(id);
        process.stdout.write(`issue ${id} ${readersLine(readers)}\n`);
        if (!o.wait) {
          process.stdout.write(`issue ${id} queued; a running worker (tagcast worker or start) sends it\n`);
          return;
        }
        // Here a worker of this process sends it; through the API the server's workers do, and this only watches.
        if (where.local) await where.local.startWorkers();
        const d = await waitFor(ed.issues, id, { pollMs: where.local ? 200 : 500, provider: loadConfig().emailProvider });
        process.stdout.write(`${reportOf(loadConfig(), d)}\n`);
        if (d.issue.status !== 'sent') process.exitCode = 1;
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
      const d = await withEditor((ed) => ed.issues.get(id));
      process.stdout.write(`${reportOf(loadConfig(), d)}\n`);
    });

  cmd
    .command('pause')
    .description('pause a scheduled or sending issue (batches in flight finish; nothing new starts)')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      const issue = await withEditor((ed) => ed.issues.pause(id));
      process.stdout.write(`issue ${issue.id} paused\n`);
    });

  cmd
    .command('resume')
    .description('resume a paused issue, or restart a scheduled or sending one that stopped (after Redis lost its jobs)')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      const { issue, batches } = await withEditor((ed) => ed.issues.resume(id));
      process.stdout.write(`${resumedLine(issue, batches)}\n`);
    });

  cmd
    .command('cancel')
    .description('cancel an issue; deliveries not yet sent are skipped')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseId(raw);
      const issue = await withEditor((ed) => ed.issues.cancel(id));
      process.stdout.write(`issue ${issue.id} cancelled\n`);
    });

  cmd
    .command('list')
    .description('list issues, newest first')
    .action(async () => {
      for (const i of await withEditor((ed) => ed.issues.list())) process.stdout.write(`${issueLine(i)}\n`);
    });
}
