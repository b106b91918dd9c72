// `tagcast summaries list|show|hide|unhide|delete`: what has been imported, and an editor's hand on one
// summary. Each is the editor's operation (src/editor/summaries.ts), here or through a running server.
import type { Command } from 'commander';
import type { SummaryDetail } from '../editor/summaries.ts';
import { parseWeek } from './args.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

function parseSummaryId(raw: string): number {
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2_147_483_647) throw new UsageError(`"${raw}" is not a summary id (see tagcast summaries list)`);
  return Number(raw);
}

const when = (at: Date, by: string | null) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC${by ? ` by ${by}` : ''}`;

/** One summary in full, as `summaries show` prints it. */
export function describeSummary(s: SummaryDetail): string {
  const lines = [
    `summary ${s.id}: ${s.title}`,
    `  week:       ${s.week}${s.date ? ` (dated ${s.date})` : ''}`,
    `  state:      ${s.hiddenAt ? `hidden since ${when(s.hiddenAt, s.hiddenBy)}: left out of new issues and the archive` : 'in digests'}`,
    `  tags:       ${s.tags.join(', ')}`,
    `  time saved: ${s.timeSavedMinutes === null ? 'not given' : `${s.timeSavedMinutes} min`}`,
    `  source:     ${s.sourceUrl ?? 'none'}`,
    `  identity:   ${s.sourceKey}${s.sourceFile ? ` (last imported from ${s.sourceFile})` : ''}`,
    `  imported:   ${when(s.importedAt, s.importedBy)}`,
    `  changed:    ${when(s.updatedAt, s.updatedBy)}`,
    `  issues:     ${s.issues.length === 0 ? 'none yet' : s.issues.map((i) => `${i.id} (${i.status})`).join(', ')}`,
    '',
    'The Signal',
    `  ${s.signal}`,
    'The Case',
    ...s.casePoints.map((p) => `  - ${p}`),
    'The 1 Minute Signal Take',
    `  ${s.take}`,
  ];
  return lines.join('\n');
}

export function registerSummaries(program: Command): void {
  const cmd = program.command('summaries').description('imported summaries: list a week, show one, hide it from digests, show it again, delete it');

  cmd
    .command('list')
    .description("a week's summaries (default: the newest week with summaries), and every week with counts")
    .option('--week <week>', 'ISO week, e.g. 2026-W48')
    .action(async (o: { week?: string }) => {
      const week = o.week === undefined ? undefined : parseWeek(o.week);
      const r = await withEditor((ed) => ed.summaries.list({ week }));
      if (r.week === null) {
        out('no summaries yet (tagcast import content/)');
        return;
      }
      out(`weeks: ${r.weeks.map((w) => `${w.week} (${w.summaries}${w.hidden ? ` + ${w.hidden} hidden` : ''})`).join(', ')}`);
      out(`${r.week}: ${r.summaries.length} ${r.summaries.length === 1 ? 'summary' : 'summaries'}`);
      if (r.summaries.length > 0) out('id\tstate\ttags\ttitle');
      for (const s of r.summaries) out(`${s.id}\t${s.hiddenAt ? 'hidden' : 'shown'}\t${s.tags.join(', ')}\t${s.title}`);
    });

  cmd
    .command('show')
    .description('one summary: every field, its identity, the issues holding it, who changed it and when')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseSummaryId(raw);
      out(describeSummary(await withEditor((ed) => ed.summaries.show(id))));
    });

  cmd
    .command('hide')
    .description('leave a summary out of issues planned from now on and out of the archive (issues already planned keep it)')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseSummaryId(raw);
      const s = await withEditor((ed) => ed.summaries.hide(id));
      out(`summary ${s.id} hidden: "${s.title}" is left out of new issues and the archive (tagcast summaries unhide ${s.id} shows it again)`);
    });

  cmd
    .command('unhide')
    .description('show a hidden summary again: in issues planned from now on and in the archive')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseSummaryId(raw);
      const s = await withEditor((ed) => ed.summaries.unhide(id));
      out(`summary ${s.id} shown again: "${s.title}" is in new issues of ${s.week} and in the archive`);
    });

  cmd
    .command('delete')
    .description('delete a summary no issue holds (one that went out stays: hide it instead)')
    .argument('<id>')
    .action(async (raw: string) => {
      const id = parseSummaryId(raw);
      await withEditor((ed) => ed.summaries.delete(id));
      out(`summary ${id} deleted (importing its file again brings it back)`);
    });
}
