// `tagcast issue note ID (--text T | --file NOTE.md)`: the editor's note at the top of an issue's digests.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseId } from './args.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';

export function registerIssueNote(issue: Command): void {
  issue
    .command('note')
    .description("set the editor's note shown at the top of this issue's digests (Markdown; --text '' removes it)")
    .argument('<id>', 'issue id')
    .option('--text <markdown>', 'the note')
    .option('--file <path>', 'read the note from a file')
    .option('--show', 'print the note instead of setting it')
    .action(async (rawId: string, o: { text?: string; file?: string; show?: boolean }) => {
      const id = parseId(rawId);
      if (o.show) {
        const n = await withEditor((ed) => ed.notes.show(id));
        process.stdout.write(n.note === null ? `issue ${id} has no note\n` : `${n.note}\n`);
        return;
      }
      if ((o.text === undefined) === (o.file === undefined)) throw new UsageError('give the note with --text "…" or --file NOTE.md (one of them)');
      let text = o.text;
      if (o.file !== undefined) {
        try {
          text = await readFile(o.file, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${o.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
      }
      const n = await withEditor((ed) => ed.notes.set(id, text!));
      process.stdout.write(n.note === null ? `issue ${id}: note removed\n` : `issue ${id}: note saved (${[...n.note].length} characters)\n`);
    });
}
