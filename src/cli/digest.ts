// `tagcast digest`: the weekly main job. Import content/, make sure there are readers (demo ones on a
// fresh embedded database), create or reuse this week's issue, send it through the queue, report.
// Re-running it for a week that was already sent reports that issue instead of sending again.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { importPaths } from '../content/import.ts';
import { createIssue, currentIssueForWeek, lastSentIssueOfWeek, WeekTakenError, type Issue } from '../db/issues.ts';
import { countSubscribers, upsertSubscribers } from '../db/subscribers.ts';
import { weeksWithContent } from '../db/summaries.ts';
import { isoWeek } from '../digest/week.ts';
import { enqueueTo } from '../enqueue.ts';
import { IssueStateError, rebuildJobs, sendIssueNow } from '../issues.ts';
import { demoSubscribers } from '../subscriptions/demo.ts';
import { createContext, UsageError } from './context.ts';
import { parseEngine, parseWeek } from './args.ts';
import { issueReport } from './report.ts';
import { waitForIssue } from './wait.ts';

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description("the main job: import content/, create and send this week's issue, wait, report")
    .option('--week <week>', 'ISO week (default: this week, or the latest week with content)')
    .option('--engine <engine>', 'react or mjml (default: TEMPLATE_ENGINE)')
    .option('--content <dir>', 'folder of summaries to import', 'content')
    .action(async (o: { week?: string; engine?: string; content: string }) => {
      const requestedWeek = o.week ? parseWeek(o.week) : undefined;
      const ctx = await createContext({ logLevel: 'warn' });
      const out = (s: string) => process.stdout.write(`${s}\n`);
      try {
        const engine = parseEngine(o.engine, ctx.config.templateEngine);
        await ctx.queues(); // fail early, before any work, when Redis is missing

        if (existsSync(o.content)) {
          const r = await importPaths(ctx.db, [o.content]);
          for (const e of r.errors) process.stderr.write(`${e.message}\n`);
          out(`content: ${r.files} files in ${path.resolve(o.content)}: ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.errors.length} failed`);
        } else out(`content: no ${o.content}/ folder here; sending what the database holds`);

        if (ctx.db.kind === 'pglite' && (await countSubscribers(ctx.db)) === 0) {
          await upsertSubscribers(ctx.db, demoSubscribers);
          out(`subscribers: none yet, so added ${demoSubscribers.length} demo readers at example.com (tagcast subscribers list)`);
        }

        const weeks = await weeksWithContent(ctx.db);
        let week = requestedWeek ?? isoWeek(new Date());
        if (!weeks.some((w) => w.week === week)) {
          if (requestedWeek) throw new UsageError(`no summaries for ${requestedWeek}; weeks with content: ${weeks.map((w) => w.week).join(', ') || 'none'}`);
          if (weeks.length === 0) throw new UsageError('no summaries at all: put some in content/ (see README) and run again');
          out(`week: ${week} has no summaries; using the latest week with content, ${weeks[0]!.week}`);
          week = weeks[0]!.week;
        }

        let issue = await currentIssueForWeek(ctx.db, week);
        const queues = await ctx.queues();
        let created = false;
        if (!issue) {
          try {
            issue = await createIssue(ctx.db, { week, engine, subject: null });
            created = true;
          } catch (e) {
            // Another command made the week's issue a moment ago (the database keeps one): use that one.
            if (!(e instanceof WeekTakenError)) throw e;
            issue = await currentIssueForWeek(ctx.db, week);
            if (!issue) throw new IssueStateError(`week ${week}'s issue changed meanwhile; run tagcast digest again`);
          }
        }
        if (created) out(`issue: created issue ${issue.id} for ${week} (${engine})`);
        else out(`issue: using issue ${issue.id} for ${week} (${issue.status})`);

        // A correction goes out only when an editor sends it (issue send): the weekly job reports the
        // week's sent issue instead.
        if (issue.againOf !== null && !created && ['draft', 'scheduled'].includes(issue.status)) {
          out(`issue ${issue.id} is a correction of issue ${issue.againOf}, not sent yet: send it on purpose with tagcast issue send ${issue.id}`);
          issue = (await lastSentIssueOfWeek(ctx.db, week)) ?? issue;
        }
        if (issue.status === 'paused') throw new UsageError(`issue ${issue.id} is paused (${issue.statusReason ?? 'no reason given'}); run tagcast issue resume ${issue.id}`);
        if (issue.status === 'draft') await sendIssueNow(ctx.db, queues, issue.id);
        else if (issue.status !== 'sent') await rebuildJobs(ctx.db, enqueueTo(queues), issue);
        if (issue.status !== 'sent') {
          await ctx.startWorkers();
          issue = await waitForIssue(ctx, issue.id);
        } else out(`issue ${issue.id} was already sent; nothing sent again`);
        out('');
        out(await issueReport(ctx.db, ctx.config, issue));
        if (issue.status !== 'sent') process.exitCode = 1;
        else {
          out('');
          out(nextSteps(ctx.config, issue).join('\n'));
        }
      } finally {
        await ctx.close();
      }
    });
}

/** What a first run leads to: where the emails are, the site to open, and how next week goes out. */
export function nextSteps(config: Pick<Config, 'emailProvider' | 'outboxDir' | 'publicUrl' | 'adminPassword'>, issue: Pick<Issue, 'id' | 'submitted'>): string[] {
  const lines = ['next:'];
  if (config.emailProvider === 'outbox') {
    if (issue.submitted > 0) lines.push(`  read the emails:   open ${path.join(config.outboxDir, String(issue.id))}${path.sep} and any .html file in a browser (.eml: the whole message)`);
  } else lines.push(`  the emails went to ${config.emailProvider}: delivery, open and click counts arrive through its webhook (tagcast issue status ${issue.id})`);
  lines.push(`  open the site:     npm start, then ${config.publicUrl}/subscribe (readers) and ${config.publicUrl}/admin (editors)`);
  if (!config.adminPassword) lines.push('                     /admin needs ADMIN_PASSWORD (12 characters or more) in .env first');
  lines.push('  next week:         npm run digest again, or let npm start send it: tagcast schedule set --help');
  return lines;
}
