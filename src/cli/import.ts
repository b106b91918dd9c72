// `tagcast import PATH…`: files are found and read here, then handed to the editor's import operation,
// in this process or through a running server's API (the same operation the upload form and the API
// call). Bad files are reported as FILE:LINE: problem and the good ones kept; exit 1 if any failed.
import path from 'node:path';
import type { Command } from 'commander';
import { findContentFiles, importLine, readContentText } from '../content/import.ts';
import { ContentError } from '../content/summary.ts';
import type { SummaryImport } from '../editor/summaries.ts';
import { IMPORT_LIMITS } from '../web/api/schemas.ts';
import { withEditor } from './editor.ts';

/** The files read, in batches a server takes in one request. */
export async function readBatches(paths: string[]): Promise<{ files: number; batches: { name: string; content: string }[][]; problems: string[] }> {
  const { files, errors } = await findContentFiles(paths);
  const problems = errors.map((e) => e.message);
  const batches: { name: string; content: string }[][] = [[]];
  let bytes = 0;
  for (const file of files) {
    const name = path.relative(process.cwd(), file.path) || file.path;
    let content: string;
    try {
      content = await readContentText(file);
    } catch (e) {
      problems.push(e instanceof ContentError ? e.message : `${name}: could not be read`);
      continue;
    }
    // JSON may take up to six bytes per character; stay well inside the server's body limit.
    const size = Buffer.byteLength(content) * 2 + name.length + 64;
    if (batches.at(-1)!.length >= IMPORT_LIMITS.files || bytes + size > IMPORT_LIMITS.bodyBytes / 2) {
      batches.push([]);
      bytes = 0;
    }
    batches.at(-1)!.push({ name, content });
    bytes += size;
  }
  return { files: files.length, batches: batches.filter((b) => b.length > 0), problems };
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import summaries from files or folders (.md with front matter, .txt in the Signal format)')
    .argument('<paths...>', 'files or folders')
    .option('--week <week>', 'the week of files whose folder and content name none (default: this week)')
    .action(async (paths: string[], o: { week?: string }) => {
      const { files, batches, problems } = await readBatches(paths);
      const total = { files, created: 0, updated: 0, unchanged: 0, failed: files - batches.reduce((n, b) => n + b.length, 0) };
      await withEditor(async (ed) => {
        for (const files of batches) {
          const r: SummaryImport = await ed.summaries.import({ files, week: o.week });
          total.created += r.created;
          total.updated += r.updated;
          total.unchanged += r.unchanged;
          total.failed += r.failed;
          problems.push(...r.errors);
        }
      });
      for (const p of problems) process.stderr.write(`${p}\n`);
      process.stdout.write(`${importLine(total, problems.length)}\n`);
      if (problems.length > 0) process.exitCode = 1;
    });
}
