// Reads summary files (Markdown with front matter, or the plain Signal format) from files and folders.
// Every file is parsed on its own: a bad file is reported as FILE:LINE: problem and the rest import.
// Nothing a file holds ends the import; only losing the database does (ImportStoppedError).
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/connection.ts';
import { IdentityClashError, upsertSummary, type UpsertOutcome } from '../db/summaries.ts';
import { isValidWeek, isoWeek, WEEK_PATTERN } from '../digest/week.ts';
import { parseMarkdown } from './markdown.ts';
import { parseSignal, splitLines } from './signal.ts';
import { CONTENT_LIMITS, ContentError, describeControl, truncate, type Summary } from './summary.ts';

const EXTENSIONS = new Set(['.md', '.markdown', '.txt']);

export interface ImportResult {
  /** Summary files found: regular files of a summary type within the size limit. */
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Of those files, how many were not imported (each has an entry in errors). */
  failed: number;
  /** Every problem, one per file or path: those files plus paths that were never read. */
  errors: ContentError[];
  /** Weeks that received new or changed summaries. */
  weeks: string[];
}

/** One file to import. */
export interface ContentFile {
  /** The path as reached from the paths given: it names the file in reports and gives its identity. */
  path: string;
  /** The path with every link resolved: one real file is imported once per run. */
  real: string;
}

/** The database went away mid-import: the one failure that ends an import. Its message is one line. */
export class ImportStoppedError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ImportStoppedError';
  }
}

/** How a path is named in reports: relative to the working folder, as a person typed it. */
function shown(p: string): string {
  return path.relative(process.cwd(), p) || p;
}

/** A file-system failure in words (never a stack trace). */
function fsProblem(e: unknown, reachedFromFolder = false): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      // A name listed in a folder whose target is missing is a dangling link.
      return reachedFromFolder ? 'is a broken symbolic link (its target does not exist)' : 'no such file or folder';
    case 'ENOTDIR':
      return 'no such file or folder';
    case 'ELOOP':
      return 'is a symbolic link loop';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return `cannot be read (${code ?? unexpected(e)})`;
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function notRegular(st: Stats): string {
  return `is not a regular file (it is ${kindOf(st)}); not read`;
}

function tooLarge(bytes: number): string {
  const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
  return `is ${size}; a summary file may be at most ${CONTENT_LIMITS.fileBytes / 1024} KiB`;
}

/** An error nobody foresaw, in one short line: its type and the first line of its message. */
function unexpected(e: unknown): string {
  if (!(e instanceof Error)) return `unexpected error: ${truncate(String(e), 100)}`;
  return `unexpected ${e.name}: ${truncate(e.message.split('\n')[0] ?? '', 100)}`;
}

/**
 * Lists summary files below the given paths, sorted, so imports are repeatable. Special files (a FIFO,
 * a device, a socket) and files over the size limit are reported, never opened. Links are followed,
 * but by real path: a folder reached again through a link is not walked twice (and a link back into
 * a folder being walked is reported as a loop), a file reached twice is listed once, under the first
 * path that reached it.
 */
export async function findContentFiles(paths: string[]): Promise<{ files: ContentFile[]; errors: ContentError[] }> {
  const files: ContentFile[] = [];
  const errors: ContentError[] = [];
  const seenFiles = new Set<string>();
  const seenFolders = new Set<string>();
  const walk = async (p: string, explicit: boolean, ancestors: string[]): Promise<void> => {
    let st: Stats;
    let real: string;
    try {
      st = await stat(p);
      real = await realpath(p);
    } catch (e) {
      errors.push(new ContentError(shown(p), 0, fsProblem(e, !explicit)));
      return;
    }
    if (st.isDirectory()) {
      if (ancestors.includes(real)) {
        errors.push(new ContentError(shown(p), 0, `is a symbolic link loop (it leads back to ${shown(real)}); not followed`));
        return;
      }
      if (seenFolders.has(real)) return; // reached again through a link: its files are listed already
      seenFolders.add(real);
      let entries: string[];
      try {
        entries = (await readdir(p)).filter((e) => !e.startsWith('.')).sort();
      } catch (e) {
        errors.push(new ContentError(shown(p), 0, fsProblem(e)));
        return;
      }
      for (const e of entries) await walk(path.join(p, e), false, [...ancestors, real]);
      return;
    }
    if (!EXTENSIONS.has(path.extname(p).toLowerCase())) {
      if (explicit) errors.push(new ContentError(shown(p), 0, 'not a summary file (expected .md, .markdown or .txt)'));
      return;
    }
    if (!st.isFile()) errors.push(new ContentError(shown(p), 0, notRegular(st)));
    else if (st.size > CONTENT_LIMITS.fileBytes) errors.push(new ContentError(shown(p), 0, tooLarge(st.size)));
    else if (!seenFiles.has(real)) {
      seenFiles.add(real);
      files.push({ path: p, real });
    }
  };
  for (const p of paths) await walk(p, true, []);
  return { files, errors };
}

/** A file's bytes, at most the size limit; never waits on a FIFO that replaced the file since the walk. */
export async function readContentFile(file: ContentFile): Promise<Buffer> {
  const name = shown(file.path);
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    handle = await open(file.real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new ContentError(name, 0, fsProblem(e));
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ContentError(name, 0, notRegular(st));
    if (st.size > CONTENT_LIMITS.fileBytes) throw new ContentError(name, 0, tooLarge(st.size));
    // One byte more than the limit allows, so a file that grew since stat is still caught.
    const buf = Buffer.alloc(Math.min(st.size, CONTENT_LIMITS.fileBytes) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.length) break;
    }
    if (n > CONTENT_LIMITS.fileBytes) throw new ContentError(name, 0, tooLarge(n));
    return buf.subarray(0, n);
  } catch (e) {
    throw e instanceof ContentError ? e : new ContentError(name, 0, fsProblem(e));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The 1-based line holding a byte offset (CRLF, CR and LF each end a line). */
function lineOfByte(raw: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (raw[i] === 0x0a || (raw[i] === 0x0d && raw[i + 1] !== 0x0a)) line++;
  }
  return line;
}

/** UTF-8 text, or a ContentError naming the line of the first byte that is not UTF-8. */
export function decodeUtf8(raw: Buffer, file: string): string {
  if ((raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff)) {
    throw new ContentError(file, 1, 'is UTF-16 text; save it as UTF-8');
  }
  const text = raw.toString('utf8');
  // Each invalid sequence decodes to U+FFFD; a U+FFFD written in the file (EF BF BD) is fine.
  let at = text.indexOf('\uFFFD');
  let from = 0;
  let offset = 0;
  while (at >= 0) {
    offset += Buffer.byteLength(text.slice(from, at));
    if (!(raw[offset] === 0xef && raw[offset + 1] === 0xbf && raw[offset + 2] === 0xbd)) {
      throw new ContentError(file, lineOfByte(raw, offset), 'is not valid UTF-8 text (save it as UTF-8)');
    }
    from = at;
    at = text.indexOf('\uFFFD', at + 1);
  }
  return text;
}

/** The nearest enclosing ISO-week folder (content/2026-W48/x.md → 2026-W48). */
export function folderWeek(file: string): string | undefined {
  const parts = path.resolve(file).split(path.sep).slice(0, -1).reverse();
  return parts.find((p) => WEEK_PATTERN.test(p) && isValidWeek(p));
}

/** A file's name as part of its identity: without folders or its extension, in Unicode NFC. */
export function nameKey(file: string): string {
  return path.basename(file).replace(/\.(md|markdown|txt)$/i, '').normalize('NFC');
}

/**
 * A summary's identity (docs/summaries.md): its front-matter id, else its week and file name, so it
 * is the same whichever folder, upload form or API request it came by. (The week of the summary itself,
 * not of the folder: a file dated into another week is that week's.)
 */
export function sourceKey(file: string, week: string): string {
  return `${week}/${nameKey(file)}`;
}

/** C0 controls but tab, CR and LF (line ends); DEL; C1 controls. PostgreSQL refuses NUL outright. */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * Parses one summary file's text. Returns a Summary that passed the schema and CONTENT_LIMITS, or
 * throws a ContentError naming the line to look at; it throws nothing else.
 */
export function parseSummaryFile(text: string, file: string, now: Date, fallbackWeek?: string): Summary {
  try {
    const control = CONTROL_IN_TEXT.exec(text);
    if (control) {
      const line = splitLines(text.slice(0, control.index)).length;
      const utf16 = control[0] === '\u0000' && control.index < 2 ? ' (is it UTF-16? save it as UTF-8)' : '';
      throw new ContentError(
        file,
        line,
        `contains a control character (${describeControl(control[0])}); only tab and line ends are allowed${utf16}`,
      );
    }
    // A week folder in the path names the week; else the one the editor gave; else this week.
    const ctx = { file, key: nameKey(file), fallbackWeek: folderWeek(file) ?? fallbackWeek ?? isoWeek(now) };
    const ext = path.extname(file).toLowerCase();
    if (ext === '.txt') {
      const summary = parseSignal(text, ctx);
      return { ...summary, key: sourceKey(file, summary.week) };
    }
    const { id, ...summary } = parseMarkdown(text, ctx);
    return id === null ? { ...summary, key: sourceKey(file, summary.week) } : summary;
  } catch (e) {
    if (e instanceof ContentError) throw e;
    throw new ContentError(file, 0, `could not be read: ${unexpected(e)}`);
  }
}

/** Reads, checks and parses one file; throws only ContentError. */
export async function loadSummaryFile(file: ContentFile, now: Date): Promise<{ summary: Summary; hash: string }> {
  const name = shown(file.path);
  const summary = parseSummaryFile(await readContentText(file), name, now);
  return { summary, hash: contentHash(summary) };
}

/** A file's text as the importer reads it (size-limited, UTF-8 checked); throws only ContentError. */
export async function readContentText(file: ContentFile): Promise<string> {
  return decodeUtf8(await readContentFile(file), shown(file.path));
}

/**
 * What a summary says, as a hash: the same content gives the same hash whichever way it came (CLI,
 * upload, API) and however its file ends its lines; a changed field changes it. Not its identity.
 */
export function contentHash(s: Summary): string {
  const { key: _key, ...content } = s;
  const fields = Object.keys(content).sort() as (keyof typeof content)[];
  return createHash('sha256')
    .update(JSON.stringify(fields.map((f) => [f, content[f]])))
    .digest('hex');
}

/** A PostgreSQL (or PGlite) server error carries a SQLSTATE code and a severity. */
function sqlState(e: unknown): string | undefined {
  const err = e as { code?: unknown; severity?: unknown } | undefined;
  return typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === 'string' ? err.code : undefined;
}

/** SQLSTATEs that mean the connection is gone: class 08, and the server shutting down. */
function isConnectionState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** A per-file database failure in words: the SQLSTATE for whoever debugs it, never the server's message. */
function storeProblem(e: unknown): string {
  const code = sqlState(e);
  if (!code) return `could not be stored: ${unexpected(e)}`;
  const why = code.startsWith('22')
    ? 'the database refused a value in it'
    : code.startsWith('23')
      ? 'it conflicts with what the database holds'
      : code.startsWith('54')
        ? 'it is too large for the database'
        : 'the database refused it';
  return `could not be stored: ${why} (SQLSTATE ${code})`;
}

/** Whether a failed write lost the connection: by SQLSTATE, else by trying an empty transaction. */
async function connectionLost(db: Db, e: unknown): Promise<boolean> {
  const code = sqlState(e);
  if (code) return isConnectionState(code);
  try {
    await db.tx(async () => undefined);
    return false;
  } catch {
    return true;
  }
}

/** How an outcome is said to the editor, the same on every face. */
export const OUTCOME_WORDS: Record<UpsertOutcome, string> = { created: 'new', updated: 'updated', unchanged: 'unchanged' };

/** The one-line summary of an import, as the CLI prints it; `problems`: files and paths that failed. */
export function importLine(r: Pick<ImportResult, 'files' | 'created' | 'updated' | 'unchanged' | 'failed'>, problems: number): string {
  return `imported ${r.files - r.failed} of ${r.files} files: ${r.created} ${OUTCOME_WORDS.created}, ${r.updated} updated, ${r.unchanged} unchanged` +
    (problems > 0 ? `; ${problems} failed` : '');
}

export interface ImportOptions {
  now?: Date;
  /** Who imports ("cli", "admin", "api:<token>"), recorded with the summary. */
  actor?: string;
  /** The week of files whose name and content give none (the upload form's week). */
  week?: string | undefined;
  onFile?: (file: string, outcome: UpsertOutcome | 'error', error?: ContentError) => void;
}

/** One import run: counts, and the identities already taken in it. */
class ImportRun {
  readonly result: ImportResult;
  private readonly weeks = new Set<string>();
  private readonly taken = new Map<string, string>();
  constructor(
    private readonly db: Db,
    private readonly opts: ImportOptions,
    files: number,
    errors: ContentError[] = [],
  ) {
    this.result = { files, created: 0, updated: 0, unchanged: 0, failed: 0, errors, weeks: [] };
  }

  /** Parses and stores one file's text; a problem is counted and reported, losing the database throws. */
  async file(name: string, text: () => Promise<string> | string): Promise<UpsertOutcome | 'error'> {
    const now = this.opts.now ?? new Date();
    let outcome: UpsertOutcome | 'error';
    let error: ContentError | undefined;
    try {
      const summary = parseSummaryFile(await text(), name, now, this.opts.week);
      // Two files of one run that are one summary: the second would overwrite the first.
      const same = this.taken.get(summary.key) ?? this.taken.get(`${summary.week}\n${summary.title.trim().replace(/\s+/g, ' ').toLowerCase()}`);
      if (same !== undefined) throw new ContentError(name, 0, `is the same summary as ${same} (the same ${summary.key.startsWith('id:') ? 'id' : 'week and file name, or week and title'}); only the first was imported`);
      this.taken.set(summary.key, name);
      this.taken.set(`${summary.week}\n${summary.title.trim().replace(/\s+/g, ' ').toLowerCase()}`, name);
      outcome = await this.store(name, summary);
      this.result[outcome]++;
      if (outcome !== 'unchanged') this.weeks.add(summary.week);
    } catch (e) {
      if (e instanceof ImportStoppedError) throw e;
      error = e instanceof ContentError ? e : new ContentError(name, 0, `could not be imported: ${unexpected(e)}`);
      this.result.errors.push(error);
      this.result.failed++;
      outcome = 'error';
    }
    this.opts.onFile?.(name, outcome, error);
    return outcome;
  }

  private async store(name: string, summary: Summary): Promise<UpsertOutcome> {
    try {
      return await upsertSummary(this.db, summary, contentHash(summary), name, this.opts.actor ?? 'cli');
    } catch (e) {
      if (e instanceof IdentityClashError) {
        throw new ContentError(name, 0, `matches two stored summaries: ${e.message}; delete one of them (tagcast summaries delete ID) and import again`);
      }
      if (await connectionLost(this.db, e)) {
        const why = truncate(String((e as Error)?.message ?? e).split('\n')[0] ?? '', 120);
        const r = this.result;
        throw new ImportStoppedError(
          `import stopped: the database connection was lost while storing ${name} (${why}); ` +
            `${r.created + r.updated + r.unchanged} of ${r.files} files were imported before it. Run the import again once the database is back.`,
          { cause: e },
        );
      }
      throw new ContentError(name, 0, storeProblem(e));
    }
  }

  done(): ImportResult {
    this.result.weeks = [...this.weeks].sort();
    return this.result;
  }
}

/** Imports summary files given as text (the upload form, the API, the CLI through the editor's operation). */
export async function importTexts(db: Db, files: { name: string; content: string }[], opts: ImportOptions = {}): Promise<ImportResult> {
  const run = new ImportRun(db, opts, files.length);
  for (const f of files) await run.file(f.name, () => f.content);
  return run.done();
}

/** Imports the summary files below these paths (tagcast digest's content folder). */
export async function importPaths(db: Db, paths: string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const { files, errors } = await findContentFiles(paths);
  const run = new ImportRun(db, opts, files.length, errors);
  for (const file of files) await run.file(shown(file.path), () => readContentText(file));
  return run.done();
}
