// The commands not yet written against the editor's operations (`import`, `subscribers`), through
// the running server's API when that server owns the embedded database: main.ts hands their arguments
// here on DbLockedError. Commands on the operations reach the server through withEditor
// (src/cli/editor.ts) instead; the server publishes its API with src/cli/clients/publish.ts.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { decodeUtf8, findContentFiles, readContentFile } from '../content/import.ts';
import { ContentError } from '../content/summary.ts';
import { IMPORT_LIMITS } from '../web/api/schemas.ts';
import { findLocalApi, type ApiClient as Client } from './clients/http.ts';
import { UsageError } from './context.ts';
import { subscriberFromArgs } from './subscribers.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** The mapped commands, as the local ones parse them; each action calls the API. */
function remoteProgram(client: Client): Command {
  const program = new Command('tagcast').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });

  program
    .command('import')
    .argument('<paths...>')
    .action(async (paths: string[]) => {
      await importRemote(client, paths);
    });

  const subs = program.command('subscribers');
  subs
    .command('add')
    .argument('<email>')
    .requiredOption('--tags <tags>')
    .option('--tz <zone>')
    .option('--name <name>')
    .action(async (email: string, o: { tags: string; tz?: string; name?: string }) => {
      // Checked here first, so a mistake reads exactly as it does locally.
      const v = subscriberFromArgs(email, o);
      const r = await client.request<{ created: boolean; email: string; tags: string[] }>('POST', '/subscribers', {
        email: v.email,
        tags: v.tags,
        ...(v.timeZone ? { timeZone: v.timeZone } : {}),
        ...(v.name ? { name: v.name } : {}),
      });
      out(`${r.created ? 'added' : 'updated'} ${r.email} (tags: ${r.tags.join(', ')})`);
    });
  subs
    .command('import')
    .argument('<file>')
    .action(async (file: string) => {
      const text = await readFile(file, 'utf8').catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      const r = await client.request<{ rows: number; created: number; updated: number; erased: number; errors: { line: number; problem: string }[] }>(
        'POST',
        '/subscribers/import',
        { csv: text, name: file },
      );
      for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.problem}\n`);
      const erased = r.erased ? `, ${r.erased} left out (erased at their owners' request)` : '';
      out(`${r.rows} rows: ${r.created} added, ${r.updated} updated${erased}, ${r.errors.length} rejected`);
      if (r.errors.length > 0) process.exitCode = 1;
    });
  subs
    .command('export')
    .argument('[file]')
    .action(async (file?: string) => {
      const csv = await client.text('/subscribers/export');
      if (file) await writeFile(file, csv);
      else process.stdout.write(csv);
    });
  subs.command('list').action(async () => {
    let offset = 0;
    let total = 0;
    do {
      const r = await client.request<{ subscribers: { id: number; email: string; status: string; timeZone: string | null; tags: string[] }[]; total: number }>(
        'GET',
        `/subscribers?limit=1000&offset=${offset}`,
      );
      for (const s of r.subscribers) out(`${s.id}\t${s.email}\t${s.status}\t${s.timeZone}\t${s.tags.join(', ')}`);
      total = r.total;
      offset += r.subscribers.length;
      if (r.subscribers.length === 0) break;
    } while (offset < total);
    out(`${total} subscribers`);
  });

  return program;
}

/** `tagcast import` through the API: files are found and read here, parsed and stored by the server. */
async function importRemote(client: Client, paths: string[]): Promise<void> {
  const { files, errors } = await findContentFiles(paths);
  const lines: string[] = errors.map((e) => e.message);
  const total = { files: files.length, created: 0, updated: 0, unchanged: 0, failed: 0 };
  let batch: { name: string; content: string }[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const r = await client.request<{ created: number; updated: number; unchanged: number; failed: number; errors: string[] }>('POST', '/summaries/import', {
      files: batch,
    });
    total.created += r.created;
    total.updated += r.updated;
    total.unchanged += r.unchanged;
    total.failed += r.failed;
    lines.push(...r.errors);
    batch = [];
    bytes = 0;
  };
  for (const file of files) {
    const name = path.relative(process.cwd(), file.path) || file.path;
    let content: string;
    try {
      content = decodeUtf8(await readContentFile(file), name);
    } catch (e) {
      total.failed++;
      lines.push(e instanceof ContentError ? e.message : `${name}: could not be read`);
      continue;
    }
    // JSON may take up to six bytes per character; stay well inside the server's body limit.
    const size = Buffer.byteLength(content) * 2 + name.length + 64;
    if (batch.length >= IMPORT_LIMITS.files || bytes + size > IMPORT_LIMITS.bodyBytes / 2) await flush();
    batch.push({ name, content });
    bytes += size;
  }
  await flush();
  for (const l of lines) process.stderr.write(`${l}\n`);
  out(
    `imported ${total.files - total.failed} of ${total.files} files: ${total.created} new, ${total.updated} updated, ${total.unchanged} unchanged` +
      (lines.length > 0 ? `; ${lines.length} failed` : ''),
  );
  if (lines.length > 0) process.exitCode = 1;
}

/** Which commands go through the API here: `group sub` or a lone command (the others use withEditor). */
const MAPPED = new Set([
  'import',
  'subscribers add',
  'subscribers list',
  'subscribers import',
  'subscribers export',
]);

/** Whether argv (process.argv: node, script, args…) names a command the API can run. */
export function isMapped(argv: string[]): boolean {
  const [a, b] = argv.slice(2).filter((x) => !x.startsWith('-'));
  return a === 'import' || MAPPED.has(`${a} ${b}`);
}

/**
 * Runs argv through the published API. 'unmapped': not an editor command; 'absent': no server
 * answers at api.json. Otherwise the command ran (its exit code is in process.exitCode) or threw.
 */
export async function runRemote(argv: string[]): Promise<'ran' | 'unmapped' | 'absent'> {
  const config = loadConfig();
  const client = await findLocalApi(config.dataDir);
  if (!client) return 'absent';
  if (!isMapped(argv)) return 'unmapped';
  // A refusal comes back as the operation's EditorError (src/cli/clients/http.ts), printed as locally.
  await remoteProgram(client).parseAsync(argv);
  return 'ran';
}
