import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listSubscribers, upsertSubscribers, type SubscriberInput } from '../db/subscribers.ts';
import { controlCharacter } from '../lib/text.ts';
import { exportSubscribersCsv, importSubscribersCsv, validateSubscriber } from '../subscriptions/subscribers.ts';
import { createContext, UsageError } from './context.ts';

/** `subscribers add`'s arguments as a subscriber, or a UsageError (also used when it runs through the API). */
export function subscriberFromArgs(email: string, o: { tags: string; tz?: string; name?: string }): SubscriberInput {
  // An argument is one line of text: a line break in --name or --tags is a mistake or an attempt to
  // add a header, never a wrapped cell as it can be in a CSV file, so it is refused, not folded.
  for (const [flag, value] of [['--name', o.name], ['--tags', o.tags]] as const) {
    const control = value === undefined ? null : controlCharacter(value);
    if (control) throw new UsageError(`${flag} contains a control character (${control}); it must be one line of text`);
  }
  const v = validateSubscriber({ email, tags: o.tags, timeZone: o.tz, name: o.name }, 'cli');
  if ('errors' in v) throw new UsageError(v.errors.join('; '));
  if (v.tags.length === 0) throw new UsageError('--tags needs at least one tag');
  return v;
}

export function registerSubscribers(program: Command): void {
  const cmd = program.command('subscribers').description('add, import, export and list subscribers');

  cmd
    .command('add')
    .description('add a subscriber (an existing address gains the tags)')
    .argument('<email>')
    .requiredOption('--tags <tags>', 'comma-separated tags to follow, e.g. Rust,Databases')
    .option('--tz <zone>', 'time zone, e.g. Europe/Berlin')
    .option('--name <name>', 'display name')
    .action(async (email: string, o: { tags: string; tz?: string; name?: string }) => {
      const v = subscriberFromArgs(email, o);
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        const r = await upsertSubscribers(ctx.db, [v]);
        if (r.erased) throw new UsageError(`${v.email} was erased at its owner's request; only they can subscribe again (on the subscribe page)`);
        process.stdout.write(`${r.created ? 'added' : 'updated'} ${v.email} (tags: ${v.tags.join(', ')})\n`);
      } finally {
        await ctx.close();
      }
    });

  cmd
    .command('import')
    .description('import subscribers from CSV (header: email, name, tags, time_zone, status); bad rows are reported, good ones kept')
    .argument('<file>')
    .action(async (file: string) => {
      const text = await readFile(file, 'utf8').catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        const r = await importSubscribersCsv(ctx.db, text, file);
        for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.problem}\n`);
        const erased = r.erased ? `, ${r.erased} left out (erased at their owners' request)` : '';
        process.stdout.write(`${r.rows} rows: ${r.created} added, ${r.updated} updated${erased}, ${r.errors.length} rejected\n`);
        if (r.errors.length > 0) process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });

  cmd
    .command('export')
    .description('export every subscriber as CSV (to FILE, or standard output)')
    .argument('[file]')
    .action(async (file?: string) => {
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        const csv = await exportSubscribersCsv(ctx.db);
        if (file) await writeFile(file, csv);
        else process.stdout.write(csv);
      } finally {
        await ctx.close();
      }
    });

  cmd
    .command('list')
    .description('list subscribers')
    .action(async () => {
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        const rows = await listSubscribers(ctx.db);
        for (const r of rows) process.stdout.write(`${r.id}\t${r.email}\t${r.status}\t${r.timeZone ?? '-'}\t${r.tags.join(', ')}\n`);
        process.stdout.write(`${rows.length} subscribers\n`);
      } finally {
        await ctx.close();
      }
    });
}
