// `tagcast tokens`: bearer tokens for the editor JSON API. A token is printed once, when created, and
// stored only as its SHA-256 hash; list shows what each was for and when it was last used. The
// operations are src/editor/tokens.ts: here, or through a running server's API (withEditor).
import type { Command } from 'commander';
import type { ApiToken, Revoked } from '../editor/tokens.ts';
import { withEditor } from './editor.ts';

/** Names starting with "@" belong to tagcast itself (the server's local token, see processes.ts). */
export const LOCAL_TOKEN_NAME = '@local';

const when = (d: Date | null, none: string) => (d ? d.toISOString() : none);

/** "1 token", "2 tokens". */
export const tokenCount = (n: number) => `${n} token${n === 1 ? '' : 's'}`;

export function tokenLine(t: ApiToken): string {
  return `${t.id}\t${t.name}\tcreated ${when(t.createdAt, '-')}\tlast used ${when(t.lastUsedAt, 'never')}\t${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'}`;
}

/** The revoke command's argument: an id revokes that token; a name revokes every active token of that name. */
export function revokeTarget(raw: string): { id: number } | { name: string } {
  return /^\d+$/.test(raw) ? { id: Number(raw) } : { name: raw };
}

export function revokedLine(r: Revoked): string {
  return r.by === 'id' ? `revoked token ${r.token.id} (${r.token.name})` : `revoked ${tokenCount(r.count)} named ${r.name}`;
}

export function registerTokens(program: Command): void {
  const cmd = program.command('tokens').description('bearer tokens for the editor JSON API (/api/v1)');

  cmd
    .command('create')
    .description('create a token and print it (once: only its hash is stored)')
    .argument('[name]', 'who or what uses it (or --name)')
    .option('--name <name>', 'who or what uses it, e.g. "ci" or "Anna\'s laptop"')
    .action(async (arg: string | undefined, o: { name?: string }) => {
      const { token, row } = await withEditor((ed) => ed.tokens.create({ name: o.name ?? arg ?? '' }));
      // The token alone on standard output, so a script can capture it; the note goes to stderr.
      process.stdout.write(`${token}\n`);
      process.stderr.write(`tagcast: token ${row.id} (${row.name}) created; copy it now, it is not shown again\n`);
    });

  cmd
    .command('list')
    .description('list tokens: id, name, created, last used, revoked')
    .action(async () => {
      const rows = await withEditor((ed) => ed.tokens.list());
      for (const t of rows) process.stdout.write(`${tokenLine(t)}\n`);
      process.stdout.write(`${tokenCount(rows.length)}\n`);
    });

  cmd
    .command('revoke')
    .description('revoke a token by id (or every active token of a name); requests with it are refused from then on')
    .argument('<id-or-name>')
    .action(async (raw: string) => {
      const r = await withEditor((ed) => ed.tokens.revoke(revokeTarget(raw)));
      process.stdout.write(`${revokedLine(r)}\n`);
    });
}
