// `tagcast`: one binary, one file per command group. Every error is printed as one line (no stack
// traces, unless LOG_LEVEL=debug or trace asks for them); bad configuration exits 2, other failures exit 1.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig, wantsStackTraces } from '../config.ts';
import { ImportStoppedError } from '../content/import.ts';
import { DatabaseUnavailableError, DbLockedError } from '../db/connection.ts';
import { EditorError } from '../editor/errors.ts';
import { IssueStateError } from '../issues.ts';
import { RedisUnavailableError } from '../queue.ts';
import { HeaderError } from '../send/mime.ts';
import { UsageError } from './context.ts';
import { registerDigest } from './digest.ts';
import { registerImport } from './import.ts';
import { registerIssue } from './issue.ts';
import { registerPreview } from './preview.ts';
import { registerProcesses } from './processes.ts';
import { findLocalApi } from './clients/http.ts';
import { registerSubscribers } from './subscribers.ts';
import { registerSchedule } from './schedule.ts';
import { registerSummaries } from './summaries.ts';
import { registerTags } from './tags.ts';
import { registerSettings } from './settings.ts';
import { registerTokens } from './tokens.ts';

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
  registerSchedule(program);
  registerTags(program);
  registerProcesses(program);
  registerTokens(program);
  registerSummaries(program);
  registerSettings(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.exitCode = reportError(e instanceof DbLockedError ? await explainLocked(e) : e);
  }
}

/**
 * An editor command reaches a running server's API by itself (withEditor); a command that needs the
 * database in this process (digest, worker, serve) stops, saying where editor commands go.
 */
async function explainLocked(locked: DbLockedError): Promise<DbLockedError> {
  if (await findLocalApi(loadConfig().dataDir).catch(() => undefined)) locked.message += ' (tagcast start owns it; editor commands go through its API)';
  return locked;
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof ConfigError) {
    for (const p of e.problems) process.stderr.write(`config: ${p}\n`);
    return 2;
  }
  if (e instanceof EditorError) {
    process.stderr.write(`tagcast: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`tagcast: ${e.message}\n`);
    return 2;
  }
  if (
    e instanceof RedisUnavailableError || e instanceof DbLockedError || e instanceof IssueStateError || e instanceof DatabaseUnavailableError ||
    e instanceof ImportStoppedError || e instanceof HeaderError
  ) {
    process.stderr.write(`tagcast: ${e.message}\n`);
    return 1;
  }
  // The last resort, for failures nobody foresaw: still one line; the stack when debugging.
  const err = e as Error | undefined;
  if (wantsStackTraces() && err?.stack) {
    process.stderr.write(`tagcast: ${err.stack}\n`);
    return 1;
  }
  const message = (err instanceof Error ? `${err.message || err.name}` : String(e)).replace(/\s*\n\s*/g, ' ').trim();
  process.stderr.write(`tagcast: unexpected error: ${message} (LOG_LEVEL=debug shows where)\n`);
  return 1;
}
