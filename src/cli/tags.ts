// `tagcast tags list|show|rename|merge|describe|hide|unhide`: tags as the editor manages them. A tag
// is named by its name or slug, case-insensitively.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { MergeCounts } from '../db/tags.ts';
import type { TagView } from '../editor/tags.ts';
import { withEditor } from './editor.ts';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line of `tags list`, tab-separated: name, slug, followers, summaries, last week, visibility. */
export function tagLine(t: TagView): string {
  return [t.name, t.slug, plural(t.followers, 'follower'), plural(t.summaries, 'summary', 'summaries'), t.lastWeek ? `last ${t.lastWeek}` : 'no content', t.hidden ? 'hidden' : 'shown'].join('\t');
}

export function describeTag(t: TagView): string {
  return [
    `${t.name} (${t.slug})${t.hidden ? ' · hidden from new readers' : ''}`,
    `  followers:   ${t.followers} (${t.activeFollowers} active)`,
    `  summaries:   ${t.summaries}${t.lastWeek ? `, the last in ${t.lastWeek}` : ''}`,
    `  description: ${t.description ?? '(none)'}`,
    ...(t.changedAt ? [`  changed:     ${t.changedAt.toISOString()} by ${t.changedBy ?? '?'}`] : []),
  ].join('\n');
}

export function mergeText(from: string, into: string, c: MergeCounts): string {
  return (
    `${plural(c.followersMoved, 'follower')} and ${plural(c.summariesMoved, 'summary', 'summaries')} move from "${from}" to "${into}"` +
    ` (${c.followersKept} followed both, ${c.summariesKept} had both)`
  );
}

async function confirmed(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerTags(program: Command): void {
  const cmd = program.command('tags').description('tags: list, show, rename, merge, describe, hide');

  cmd
    .command('list')
    .description('every tag: name, slug, followers, summaries, last week with content, shown or hidden')
    .action(async () => {
      const tags = await withEditor((ed) => ed.tags.list());
      for (const t of tags) process.stdout.write(`${tagLine(t)}\n`);
      process.stdout.write(`${plural(tags.length, 'tag')}\n`);
    });

  cmd
    .command('show')
    .argument('<tag>', 'name or slug')
    .description('one tag: its numbers, description and last change')
    .action(async (tag: string) => {
      process.stdout.write(`${describeTag(await withEditor((ed) => ed.tags.show({ tag })))}\n`);
    });

  cmd
    .command('rename')
    .argument('<tag>', 'name or slug')
    .argument('<name>', 'the new name (the slug follows it)')
    .description('rename a tag; a name another tag has is refused (merge instead)')
    .action(async (tag: string, name: string) => {
      const t = await withEditor((ed) => ed.tags.rename({ tag, name }));
      process.stdout.write(`renamed to ${t.name} (${t.slug})\n`);
    });

  cmd
    .command('merge')
    .argument('<from>', 'the tag that disappears')
    .argument('<into>', 'the tag that stays')
    .option('--yes', 'do not ask (asked only on a terminal)')
    .description('merge one tag into another: followers and summaries move, readers are not mailed; cannot be undone')
    .action(async (from: string, into: string, o: { yes?: boolean }) => {
      const done = await withEditor(async (ed) => {
        if (!o.yes && process.stdin.isTTY) {
          const p = await ed.tags.mergePlan({ from, into });
          const ok = await confirmed(`${mergeText(p.from.name, p.into.name, p)}; "${p.from.name}" disappears and this cannot be undone. Merge? [y/N] `);
          if (!ok) return undefined;
        }
        return ed.tags.merge({ from, into });
      });
      if (!done) {
        process.stdout.write('nothing merged\n');
        return;
      }
      process.stdout.write(`merged: ${mergeText(done.from.name, done.into.name, done)}; "${done.from.name}" is gone\n`);
    });

  cmd
    .command('describe')
    .argument('<tag>', 'name or slug')
    .argument('<text>', `plain text shown under the tag on the subscribe page ("" removes it)`)
    .description('describe a tag for readers choosing what to follow')
    .action(async (tag: string, text: string) => {
      const t = await withEditor((ed) => ed.tags.describe({ tag, description: text }));
      process.stdout.write(t.description ? `${t.name}: ${t.description}\n` : `${t.name}: no description\n`);
    });

  for (const hidden of [true, false]) {
    cmd
      .command(hidden ? 'hide' : 'unhide')
      .argument('<tag>', 'name or slug')
      .description(hidden ? 'stop offering a tag on the subscribe and preferences pages (its followers keep it)' : 'offer a hidden tag again')
      .action(async (tag: string) => {
        const t = await withEditor((ed) => ed.tags.hide({ tag, hidden }));
        process.stdout.write(hidden ? `${t.name} is hidden from new readers (${plural(t.followers, 'follower')} ${t.followers === 1 ? 'keeps' : 'keep'} it)\n` : `${t.name} is offered again\n`);
      });
  }
}
