// `tagcast subscribers add|import|export|list|show|edit|unsubscribe|erase`: the editor's subscriber
// operations (src/editor/subscribers.ts), here or through a running server's API (withEditor).
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { SUBSCRIBER_FILTERS, type SubscriberFilter, type SubscriberRow } from '../db/subscribers.ts';
import { controlCharacter } from '../lib/text.ts';
import type { ReaderPage, ReaderRef } from '../editor/subscribers.ts';
import { LIST_LIMIT } from '../editor/subscribers.ts';
import { splitTags } from '../subscriptions/subscribers.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** An argument is one line of text: a line break in --name or --tags is a mistake or an attempt to add a header. */
function oneLine(flag: string, value: string | undefined): void {
  const control = value === undefined ? null : controlCharacter(value);
  if (control) throw new UsageError(`${flag} contains a control character (${control}); it must be one line of text`);
}

/** `<email|id>`: digits are an id, anything else an address (checked by the operation). */
export function parseReaderRef(raw: string): ReaderRef {
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
}

function parseFilter(raw: string | undefined): SubscriberFilter | null {
  if (raw === undefined) return null;
  if (!(SUBSCRIBER_FILTERS as readonly string[]).includes(raw)) throw new UsageError(`--status must be one of ${SUBSCRIBER_FILTERS.join(', ')}, got "${raw}"`);
  return raw as SubscriberFilter;
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '-');

/** One line of `subscribers list`, under its header; an absent value is "-", never "null". */
export const LIST_HEADER = ['id', 'email', 'status', 'time_zone', 'paused_until', 'tags'].join('\t');
export function listLine(s: SubscriberRow): string {
  return [s.id, s.email, s.status, s.timeZone ?? '-', day(s.pausedUntil), s.tags.join(', ') || '-'].join('\t');
}

export function formatReader(p: ReaderPage): string[] {
  const s = p.subscriber;
  const lines = [
    `subscriber ${s.id} · ${s.email}${s.name ? ` (${s.name})` : ''}`,
    `  status:    ${s.status}${s.pausedUntil ? ` (paused until ${s.pausedUntil.toISOString()})` : ''}${s.suppressed ? ` · suppressed: ${s.suppressed}` : ''}`,
    `  tags:      ${s.tags.join(', ') || '-'}`,
    `  time zone: ${s.timeZone ?? 'default'}`,
    `  added:     ${s.createdAt.toISOString()} (${s.source ?? '-'})${s.confirmedAt ? ` · confirmed ${s.confirmedAt.toISOString()}` : ''}`,
    `deliveries (${p.deliveries.length}):`,
  ];
  for (const d of p.deliveries) {
    const events = d.events.map((e) => `${e.type} ${e.receivedAt.toISOString()}`).join(', ');
    lines.push(`  issue ${d.issueId} ${d.week}  ${d.status}${d.submittedAt ? ` ${d.submittedAt.toISOString()}` : ''}${d.outcome ? ` · ${d.outcome}` : ''}${d.error ? ` · ${d.error}` : ''}${events ? ` · events: ${events}` : ''}`);
  }
  lines.push(`notices (${p.notices.length}):`);
  for (const n of p.notices) lines.push(`  ${n.kind}  ${n.createdAt.toISOString()}  ${n.sentAt ? 'sent' : n.error ? `failed: ${n.error}` : 'not sent yet'}${n.usedAt ? ' · used' : ''}`);
  return lines;
}

export function registerSubscribers(program: Command): void {
  const cmd = program.command('subscribers').description('add, import, export, list, show, edit, unsubscribe and erase subscribers');

  cmd
    .command('add')
    .description('add a subscriber (an existing address gains the tags); a tag that does not exist is refused unless --create-tags')
    .argument('<email>')
    .requiredOption('--tags <tags>', 'comma-separated tags to follow, e.g. Rust,Databases')
    .option('--tz <zone>', 'time zone, e.g. Europe/Berlin')
    .option('--name <name>', 'display name')
    .option('--create-tags', 'create tags that do not exist yet')
    .action(async (email: string, o: { tags: string; tz?: string; name?: string; createTags?: boolean }) => {
      oneLine('--name', o.name);
      oneLine('--tags', o.tags);
      const tags = splitTags(o.tags);
      if (tags.length === 0) throw new UsageError('--tags needs at least one tag');
      const r = await withEditor((ed) => ed.subscribers.add({ email, tags, timeZone: o.tz, name: o.name, createTags: o.createTags ?? false }));
      out(`${r.created ? 'added' : 'updated'} ${r.email} (tags: ${r.tags.join(', ')})`);
    });

  cmd
    .command('import')
    .description('import subscribers from CSV (header: email, name, tags, time_zone, status); bad rows are reported, good ones kept')
    .argument('<file>')
    .option('--create-tags', 'create tags that do not exist yet (else a row naming one is refused)')
    .action(async (file: string, o: { createTags?: boolean }) => {
      const csv = await readFile(file, 'utf8').catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      const r = await withEditor((ed) => ed.subscribers.import({ csv, name: file, createTags: o.createTags ?? false }));
      for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.problem}\n`);
      const erased = r.erased ? `, ${r.erased} left out (erased at their owners' request)` : '';
      out(`${r.rows} rows: ${r.created} added, ${r.updated} updated${erased}, ${r.errors.length} rejected`);
      if (r.errors.length > 0) process.exitCode = 1;
    });

  cmd
    .command('export')
    .description('export every subscriber as CSV (to FILE, or standard output)')
    .argument('[file]')
    .action(async (file?: string) => {
      const csv = await withEditor((ed) => ed.subscribers.export());
      if (file) await writeFile(file, csv);
      else process.stdout.write(csv);
    });

  cmd
    .command('list')
    .description('list subscribers (tab-separated, with a header row)')
    .option('--status <status>', `only ${SUBSCRIBER_FILTERS.join(', ')} (paused: active but paused by the reader)`)
    .option('-q, --search <text>', 'part of an address or name')
    .action(async (o: { status?: string; search?: string }) => {
      const status = parseFilter(o.status);
      const total = await withEditor(async (ed) => {
        out(LIST_HEADER);
        let offset = 0;
        for (;;) {
          const page = await ed.subscribers.list({ status, q: o.search, limit: LIST_LIMIT.max, offset });
          for (const s of page.subscribers) out(listLine(s));
          offset += page.subscribers.length;
          if (page.subscribers.length === 0 || offset >= page.total) return page.total;
        }
      });
      out(total === 1 ? '1 subscriber' : `${total} subscribers`);
    });

  cmd
    .command('show')
    .description("one reader: status, tags, time zone, pause, every delivery with the provider's events, the notices sent")
    .argument('<reader>', 'address or id')
    .action(async (raw: string) => {
      const p = await withEditor((ed) => ed.subscribers.show(parseReaderRef(raw)));
      for (const l of formatReader(p)) out(l);
    });

  cmd
    .command('edit')
    .description("change a reader's tags (exactly these) or time zone")
    .argument('<reader>', 'address or id')
    .option('--tags <tags>', 'comma-separated: the tags the reader follows from now on')
    .option('--tz <zone>', 'time zone, e.g. Europe/Berlin; "default" for DEFAULT_TIME_ZONE')
    .option('--create-tags', 'create tags that do not exist yet')
    .action(async (raw: string, o: { tags?: string; tz?: string; createTags?: boolean }) => {
      oneLine('--tags', o.tags);
      if (o.tags === undefined && o.tz === undefined) throw new UsageError('give --tags or --tz (or both)');
      const timeZone = o.tz === undefined ? undefined : o.tz === 'default' ? null : o.tz;
      const tags = o.tags === undefined ? undefined : splitTags(o.tags);
      const s = await withEditor((ed) => ed.subscribers.edit(parseReaderRef(raw), { tags, timeZone, createTags: o.createTags ?? false }));
      out(`updated ${s.email} (tags: ${s.tags.join(', ')}; time zone: ${s.timeZone ?? 'default'})`);
    });

  cmd
    .command('unsubscribe')
    .description('unsubscribe a reader from everything (they can resubscribe from their preferences)')
    .argument('<reader>', 'address or id')
    .action(async (raw: string) => {
      const r = await withEditor((ed) => ed.subscribers.unsubscribe(parseReaderRef(raw)));
      out(r.changed ? `unsubscribed ${r.subscriber.email}` : `${r.subscriber.email} was not subscribed (status: ${r.subscriber.status}); nothing changed`);
    });

  cmd
    .command('erase')
    .description("erase a reader as their own delete-my-data does: everything held goes; the address is kept only as a hash, so no import adds it back")
    .argument('<reader>', 'address or id')
    .requiredOption('--yes', 'confirm: erasing cannot be undone')
    .action(async (raw: string) => {
      const r = await withEditor((ed) => ed.subscribers.erase(parseReaderRef(raw)));
      out(`erased subscriber ${r.id} (${r.email})`);
    });
}
