// `tagcast schedule set|show|clear`: the recurring weekly issue.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import type { ScheduleInput, ScheduleView } from '../schedule.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';

const DAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/** "monday", "Mon" or "1" (ISO: 1 = Monday … 7 = Sunday). */
export function parseWeekday(raw: string): number {
  const n = DAYS[raw.trim().toLowerCase().slice(0, 3)] ?? (/^[1-7]$/.test(raw.trim()) ? Number(raw) : NaN);
  if (Number.isNaN(n)) throw new UsageError(`--weekday must be a day such as monday (or 1 = Monday … 7 = Sunday), got "${raw}"`);
  return n;
}

export function describeSchedule(s: ScheduleView | undefined): string {
  if (!s) return 'no weekly schedule (set one with: tagcast schedule set --weekday monday --time 08:00 --tz Europe/Berlin [--local])';
  return [`weekly: ${s.describe}`, `  engine:   ${s.engine ?? 'TEMPLATE_ENGINE'}`, `  next run: ${s.nextRun.toISOString()}`].join('\n');
}

export function registerSchedule(program: Command): void {
  const cmd = program.command('schedule').description('the recurring weekly issue: set, show or clear it');

  cmd
    .command('set')
    .description("send an issue every week by itself: at a time in a time zone, or (--local) at that time in each reader's zone")
    .requiredOption('--weekday <day>', 'monday … sunday (or 1 … 7)')
    .requiredOption('--time <HH:MM>', '24-hour time')
    .option('--tz <zone>', 'IANA time zone of --time (default: DEFAULT_TIME_ZONE)')
    .option('--local', "each reader gets it at --time in their own time zone")
    .option('--engine <engine>', 'react or mjml (default: TEMPLATE_ENGINE when the run happens)')
    .option('--previous-week', "send the previous ISO week's summaries (default: the week the run falls in)")
    .action(async (o: { weekday: string; time: string; tz?: string; local?: boolean; engine?: string; previousWeek?: boolean }) => {
      const weekday = parseWeekday(o.weekday);
      const input: ScheduleInput = {
        weekday,
        time: o.time,
        timeZone: o.tz ?? loadConfig().defaultTimeZone,
        local: o.local ?? false,
        engine: (o.engine ?? null) as ScheduleInput['engine'],
        week: o.previousWeek ? 'previous' : 'current',
      };
      const s = await withEditor((ed) => ed.schedule.set(input));
      process.stdout.write(`${describeSchedule(s)}\n`);
    });

  cmd
    .command('show')
    .description('the weekly schedule, its next run and what recent runs did')
    .action(async () => {
      const { schedule, runs } = await withEditor((ed) => ed.schedule.show());
      process.stdout.write(`${describeSchedule(schedule ?? undefined)}\n`);
      for (const r of runs) process.stdout.write(`  ${r.week}  ${r.outcome}  (${r.ranAt.toISOString()})\n`);
    });

  cmd
    .command('clear')
    .description('stop sending by schedule (issues already scheduled stay)')
    .action(async () => {
      const had = await withEditor((ed) => ed.schedule.clear());
      process.stdout.write(had ? 'weekly schedule cleared\n' : 'there was no weekly schedule\n');
    });
}
