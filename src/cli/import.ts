import type { Command } from 'commander';
import { importPaths } from '../content/import.ts';
import { createContext } from './context.ts';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import summaries from files or folders (.md with front matter, .txt in the Signal format)')
    .argument('<paths...>', 'files or folders')
    .action(async (paths: string[]) => {
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        const r = await importPaths(ctx.db, paths);
        for (const e of r.errors) process.stderr.write(`${e.message}\n`);
        process.stdout.write(
          `imported ${r.files - r.failed} of ${r.files} files: ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged` +
            (r.errors.length > 0 ? `; ${r.errors.length} failed` : '') +
            '\n',
        );
        if (r.errors.length > 0) process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}
