// `tagcast preview`: one reader's digest of a week or of an issue, without sending it. The operation is
// src/editor/preview.ts: here, or through a running server's API (withEditor).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { parseEngine, parseId, parseWeek } from './args.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description("render one reader's digest of a week (or of an issue) without sending it")
    .option('--week <week>', "ISO week, e.g. 2026-W48: the week's summaries and the reader's tags now")
    .option('--issue <id>', 'an issue as it sends: a planned one with the sections and summaries it froze')
    .requiredOption('--subscriber <email>', 'the reader whose tags decide the digest')
    .option('--engine <engine>', 'react or mjml (default: TEMPLATE_ENGINE)')
    .option('--text', 'print the plain-text part instead of HTML')
    .option('--eml', 'print the whole RFC 5322 message')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (o: { week?: string; issue?: string; subscriber: string; engine?: string; text?: boolean; eml?: boolean; out?: string }) => {
      if ((o.week === undefined) === (o.issue === undefined)) throw new UsageError('give --week W or --issue ID (one of them)');
      const week = o.week === undefined ? undefined : parseWeek(o.week);
      const issue = o.issue === undefined ? undefined : parseId(o.issue);
      const engine = o.engine === undefined ? undefined : parseEngine(o.engine, loadConfig().templateEngine);
      const format = o.eml ? 'eml' : o.text ? 'text' : 'html';
      const p = await withEditor((ed) => ed.preview.digest({ week, issue, subscriber: o.subscriber, engine, format }), { logLevel: 'warn', signsLinks: true });
      if (p.body === null) {
        process.stderr.write(`${p.email} would get no email for ${p.issue === null ? p.week : `issue ${p.issue} (${p.week})`}: none of their tags (${p.tags.join(', ') || 'none'}) has content\n`);
        process.exitCode = 1;
        return;
      }
      if (o.out) {
        await writeFile(o.out, p.body);
        process.stderr.write(`wrote ${o.out} (${Buffer.byteLength(p.body)} bytes) · subject: ${p.subject}\n`);
      } else process.stdout.write(p.body);
    });
}
