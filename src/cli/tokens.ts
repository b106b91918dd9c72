// `tagcast tokens`: bearer tokens for the editor JSON API. A token is printed once, when created, and
// stored only as its SHA-256 hash; list shows what each was for and when it was last used.
import type { Command } from 'commander';
import { createApiToken, listApiTokens, revokeApiToken, revokeApiTokensNamed, type ApiToken } from '../db/api-tokens.ts';
import type { Db } from '../db/connection.ts';
import { controlCharacter } from '../lib/text.ts';
import { createContext, UsageError } from './context.ts';

/** Names starting with "@" belong to tagcast itself (the server's local token, see processes.ts). */
export const LOCAL_TOKEN_NAME = '@local';

export function parseTokenName(raw: string | undefined): string {
  const name = raw?.trim() ?? '';
  if (name === '') throw new UsageError('a token needs a name saying who or what uses it: tokens create --name NAME');
  const control = controlCharacter(name);
  if (control) throw new UsageError(`the token name contains a control character (${control}); it must be one line of text`);
  if (name.length > 100) throw new UsageError('the token name is longer than 100 characters');
  if (name.startsWith('@')) throw new UsageError('token names starting with "@" are reserved for tagcast itself');
  return name;
}

const when = (d: Date | null, none: string) => (d ? d.toISOString() : none);

export function tokenLine(t: ApiToken): string {
  return `${t.id}\t${t.name}\tcreated ${when(t.createdAt, '-')}\tlast used ${when(t.lastUsedAt, 'never')}\t${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'}`;
}

/** The revoke command: an id revokes that token; a name revokes every live token of that name. */
export async function revokeTokens(db: Db, raw: string): Promise<string> {
  if (/^\d+$/.test(raw)) {
    const t = await revokeApiToken(db, Number(raw));
    if (!t) throw new UsageError(`token ${raw} does not exist`);
    return `revoked token ${t.id} (${t.name})`;
  }
  const n = await revokeApiTokensNamed(db, raw);
  if (n === 0) throw new UsageError(`no active token is named "${raw}"`);
  return `revoked ${n} token${n === 1 ? '' : 's'} named ${raw}`;
}

export function registerTokens(program: Command): void {
  const cmd = program.command('tokens').description('bearer tokens for the editor JSON API (/api/v1)');

  cmd
    .command('create')
    .description('create a token and print it (once: only its hash is stored)')
    .argument('[name]', 'who or what uses it (or --name)')
    .option('--name <name>', 'who or what uses it, e.g. "ci" or "Anna\'s laptop"')
    .action(async (arg: string | undefined, o: { name?: string }) => {
      const name = parseTokenName(o.name ?? arg);
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        const { token, row } = await createApiToken(ctx.db, name);
        // The token alone on standard output, so a script can capture it; the note goes to stderr.
        process.stdout.write(`${token}\n`);
        process.stderr.write(`tagcast: token ${row.id} (${row.name}) created; copy it now, it is not shown again\n`);
      } finally {
        await ctx.close();
      }
    });

  cmd
    .command('list')
    .description('list tokens: id, name, created, last used, revoked')
    .action(async () => {
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        const rows = await listApiTokens(ctx.db);
        for (const t of rows) process.stdout.write(`${tokenLine(t)}\n`);
        process.stdout.write(`${rows.length} tokens\n`);
      } finally {
        await ctx.close();
      }
    });

  cmd
    .command('revoke')
    .description('revoke a token by id (or every active token of a name); requests with it are refused from then on')
    .argument('<id-or-name>')
    .action(async (raw: string) => {
      const ctx = await createContext({ logLevel: 'warn' });
      try {
        process.stdout.write(`${await revokeTokens(ctx.db, raw)}\n`);
      } finally {
        await ctx.close();
      }
    });
}
