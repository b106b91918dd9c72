// `tagcast`: one binary, one file per command group. Errors a person can act on are printed as one
// line each (no stack traces); bad configuration exits 2, other failures exit 1.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { DbLockedError } from '../db/connection.ts';
import { IssueStateError } from '../issues.ts';
import { RedisUnavailableError } from '../queue.ts';
import { UsageError } from './context.ts';
import { registerDigest } from './digest.ts';
import { registerImport } from './import.ts';
import { registerIssue } from './issue.ts';
import { registerPreview } from './preview.ts';
import { registerProcesses } from './processes.ts';
import { registerSubscribers } from './subscribers.ts';

export function buildProgram(): Command {
  const program = new Command('tagcast')
    .description('Weekly tag-digest newsletters: import summaries, send each reader the tags they follow.')
    .showHelpAfterError()
    .exitOverride();
  registerImport(program);
  registerSubscribers(program);
  registerIssue(program);
  registerPreview(program);
  registerDigest(program);
  registerProcesses(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof ConfigError) {
    for (const p of e.problems) process.stderr.write(`config: ${p}\n`);
    return 2;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`tagcast: ${e.message}\n`);
    return 2;
  }
  if (e instanceof RedisUnavailableError || e instanceof DbLockedError || e instanceof IssueStateError) {
    process.stderr.write(`tagcast: ${e.message}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ECONNREFUSED' || /database .* does not exist|password authentication|connect ECONNREFUSED/.test(String(err?.message))) {
    process.stderr.write(`tagcast: cannot reach the database: ${err.message}. Check DATABASE_URL.\n`);
    return 1;
  }
  process.stderr.write(`tagcast: ${err?.stack ?? String(e)}\n`);
  return 1;
}
