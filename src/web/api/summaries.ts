// /api/v1/summaries and /api/v1/weeks: what has been imported, by week; importing files sent as JSON
// (each file parsed and stored on its own, as `tagcast import` does); one summary: show, edit, hide,
// show again, delete. Every route is the editor's operation (src/editor/summaries.ts).
import type { FastifyInstance } from 'fastify';
import { weeksWithContent } from '../../db/summaries.ts';
import type { ApiDeps } from './deps.ts';
import { defineRoute, type Registry } from './route.ts';
import { editSummaryBody, idParams, IMPORT_LIMITS, importSummariesBody, summariesQuery } from './schemas.ts';

export function summaryRoutes(scope: FastifyInstance, registry: Registry, deps: ApiDeps): void {
  const tag = 'summaries';
  const notFound = { 404: 'no such summary' };
  defineRoute(scope, registry, { method: 'GET', url: '/weeks', tag, summary: 'Weeks that have summaries in digests (hidden ones not counted), newest first' }, async () => ({
    weeks: await weeksWithContent(deps.db),
  }));

  defineRoute(
    scope,
    registry,
    { method: 'GET', url: '/summaries', tag, summary: "One week's summaries, hidden ones too, and every week with counts", query: summariesQuery },
    async ({ query }, req) => deps.editor(req).summaries.list({ week: query.week }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'POST',
      url: '/summaries/import',
      tag,
      summary: 'Import summary files (.md with front matter, .txt in the Signal format); bad files are reported, good ones kept',
      description:
        `At most ${IMPORT_LIMITS.files} files and ${IMPORT_LIMITS.bodyBytes / 1024 / 1024} MiB per request. The answer is 200 even when some files failed: see failed and errors. ` +
        'A file is the same summary as one stored with the same front-matter id, or the same week and file name, or the same week and title: that one is updated (or unchanged).',
      body: importSummariesBody,
      bodyLimit: IMPORT_LIMITS.bodyBytes,
    },
    async ({ body }, req) => deps.editor(req).summaries.import(body),
  );

  defineRoute(scope, registry, { method: 'GET', url: '/summaries/:id', tag, summary: 'One summary: every field, the issues holding it, who changed it and when', params: idParams, errors: notFound }, async ({ params }, req) => ({
    summary: await deps.editor(req).summaries.show(params.id),
  }));

  defineRoute(
    scope,
    registry,
    {
      method: 'PUT',
      url: '/summaries/:id',
      tag,
      summary: "Edit a summary's fields (absent ones stay), with the importer's checks",
      description: 'Re-importing its file unchanged keeps the edit; importing a changed file replaces it.',
      params: idParams,
      body: editSummaryBody,
      errors: { ...notFound, 409: 'another summary of that week has this title' },
    },
    async ({ params, body }, req) => deps.editor(req).summaries.edit(params.id, body),
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/summaries/:id/hide', tag, summary: 'Hide a summary: left out of issues planned from now on and of the archive (issues already planned keep it)', params: idParams, errors: notFound },
    async ({ params }, req) => ({ summary: await deps.editor(req).summaries.hide(params.id) }),
  );

  defineRoute(
    scope,
    registry,
    { method: 'POST', url: '/summaries/:id/show', tag, summary: 'Show a hidden summary again', params: idParams, errors: notFound },
    async ({ params }, req) => ({ summary: await deps.editor(req).summaries.unhide(params.id) }),
  );

  defineRoute(
    scope,
    registry,
    {
      method: 'DELETE',
      url: '/summaries/:id',
      tag,
      summary: 'Delete a summary that no issue holds',
      params: idParams,
      errors: { ...notFound, 409: 'an issue holds it (it went out, or is going out): hide it instead' },
    },
    async ({ params }, req) => deps.editor(req).summaries.delete(params.id),
  );
}
