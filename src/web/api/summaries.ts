// /api/v1/summaries and /api/v1/weeks: what has been imported, by week, and importing files sent as
// JSON. Each file is parsed and stored on its own, as `tagcast import` does: a bad file is reported as
// FILE:LINE: problem and the others are kept.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { parseSummaryFile } from '../../content/import.ts';
import { ContentError } from '../../content/summary.ts';
import type { Db } from '../../db/connection.ts';
import { summariesForWeek, upsertSummary, weeksWithContent } from '../../db/summaries.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { IMPORT_LIMITS, importSummariesBody, weekQuery } from './schemas.ts';

export interface FileResult {
  name: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'error';
  /** "FILE:LINE: problem", as the CLI prints it; only on an error. */
  error?: string;
}

export interface TextImportResult {
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** One line per failed file: FILE:LINE: problem. */
  errors: string[];
  results: FileResult[];
}

/** Imports summary files given as text (name + content); the same outcome per file as importPaths. */
export async function importTexts(db: Db, files: { name: string; content: string }[], now: Date): Promise<TextImportResult> {
  const r: TextImportResult = { files: files.length, created: 0, updated: 0, unchanged: 0, failed: 0, errors: [], results: [] };
  for (const f of files) {
    try {
      const summary = parseSummaryFile(f.content, f.name, now);
      // The hash of the file's bytes, as importPaths takes it: the same file imported either way is unchanged.
      const hash = createHash('sha256').update(f.content, 'utf8').digest('hex');
      let outcome;
      try {
        outcome = await upsertSummary(db, summary, hash, f.name);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        throw new ContentError(f.name, 0, `could not be stored: the database refused it${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}`);
      }
      r[outcome]++;
      r.results.push({ name: f.name, outcome });
    } catch (e) {
      const err = e instanceof ContentError ? e : new ContentError(f.name, 0, 'could not be imported');
      r.failed++;
      r.errors.push(err.message);
      r.results.push({ name: f.name, outcome: 'error', error: err.message });
    }
  }
  return r;
}

export function summaryRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'summaries';
  defineRoute(scope, registry, { method: 'GET', url: '/weeks', tag, summary: 'Weeks that have summaries, newest first, with counts' }, async () => ({
    weeks: await weeksWithContent(deps.db),
  }));

  defineRoute(scope, registry, { method: 'GET', url: '/summaries', tag, summary: "One week's summaries", query: weekQuery }, async ({ query }) => ({
    week: query.week,
    summaries: await summariesForWeek(deps.db, query.week),
  }));

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/summaries/import',
      tag,
      summary: 'Import summary files (.md with front matter, .txt in the Signal format); bad files are reported, good ones kept',
      description: `At most ${IMPORT_LIMITS.files} files and ${IMPORT_LIMITS.bodyBytes / 1024 / 1024} MiB per request. The answer is 200 even when some files failed: see failed and errors.`,
      body: importSummariesBody,
      bodyLimit: IMPORT_LIMITS.bodyBytes,
    },
    async ({ body }) => importTexts(deps.db, body.files, deps.now()),
  );
}
