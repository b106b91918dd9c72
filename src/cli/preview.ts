import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { summariesForWeek } from '../db/summaries.ts';
import { assembleDigest, indexIssue } from '../digest/assemble.ts';
import { normaliseEmail } from '../lib/mail.ts';
import { toMime } from '../send/mime.ts';
import { createContext, UsageError } from './context.ts';
import { parseEngine, parseWeek } from './args.ts';

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description("render one reader's digest for a week without sending it")
    .requiredOption('--week <week>', 'ISO week, e.g. 2026-W48')
    .requiredOption('--subscriber <email>', 'the reader whose tags decide the digest')
    .option('--engine <engine>', 'react or mjml (default: TEMPLATE_ENGINE)')
    .option('--text', 'print the plain-text part instead of HTML')
    .option('--eml', 'print the whole RFC 5322 message')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (o: { week: string; subscriber: string; engine?: string; text?: boolean; eml?: boolean; out?: string }) => {
      const week = parseWeek(o.week);
      const addr = normaliseEmail(o.subscriber);
      if ('error' in addr) throw new UsageError(addr.error);
      const ctx = await createContext({ logLevel: 'warn', signsLinks: true });
      try {
        const [reader] = await ctx.db.query<{ id: number; email: string; name: string | null; tags: string[] }>(
          `select s.id, s.email, s.name, array(select t.slug from subscriptions x join tags t on t.id = x.tag_id where x.subscriber_id = s.id) as tags
           from subscribers s where s.email = $1`,
          [addr.email],
        );
        if (!reader) throw new UsageError(`no subscriber ${addr.email}`);
        const content = indexIssue(week, await summariesForWeek(ctx.db, week));
        const digest = assembleDigest(content, reader.tags);
        if (!digest) {
          process.stderr.write(`${addr.email} would get no email for ${week}: none of their tags (${reader.tags.join(', ') || 'none'}) has content\n`);
          process.exitCode = 1;
          return;
        }
        const engine = parseEngine(o.engine, ctx.config.templateEngine);
        let email;
        try {
          const [{ composeEmail }, { createDigestRenderer }] = await Promise.all([import('../send/compose.ts'), import('../render/index.ts')]);
          email = await composeEmail(
            { secret: ctx.config.secret, publicUrl: ctx.config.publicUrl, mailFrom: ctx.config.mailFrom, issueId: 0, renderer: createDigestRenderer(engine), date: new Date() },
            { subscriberId: reader.id, email: reader.email, name: reader.name },
            digest,
          );
        } catch (e) {
          // What an editor can act on is which digest and why (the summary to fix), not our stack.
          const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
          process.stderr.write(`tagcast: the ${engine} digest of ${addr.email} for ${week} cannot be rendered: ${why}\n`);
          process.exitCode = 1;
          return;
        }
        const out = o.eml ? toMime(email) : o.text ? email.text : email.html;
        if (o.out) {
          await writeFile(o.out, out);
          process.stderr.write(`wrote ${o.out} (${Buffer.byteLength(out)} bytes) · subject: ${email.subject}\n`);
        } else process.stdout.write(out);
      } finally {
        await ctx.close();
      }
    });
}
