// The fragment cache shared by everything that renders an issue's digests in this process: send-batch
// jobs and the web versions readers open. An issue's frozen content is indexed and its fragments are
// rendered once per process, engine and publication identity, not per batch or per page view. The
// identity (settings and the issue's note) is read on each use, one small query, and is part of the key:
// an editor's change is seen by the next batch or page view, never half-way through one reader's email.
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import type { Issue } from '../db/issues.ts';
import { summariesForIssue } from '../db/summaries.ts';
import { indexIssue, type IssueContent } from '../digest/assemble.ts';
import { issuePublication } from '../publication.ts';
import { createDigestRenderer, type DigestRenderer } from './index.ts';
import { publicationKey } from './publication.ts';

export interface IssueRendering {
  content: IssueContent;
  renderer: DigestRenderer;
}

/** Issues kept at once: the few being sent, and the recent ones whose web versions readers open. */
const KEEP = 8;
const cache = new Map<string, Promise<IssueRendering>>();

export async function issueRendering(deps: { db: Db; config: Pick<Config, 'mailFrom'> }, issue: Pick<Issue, 'id' | 'week' | 'engine' | 'subject'>): Promise<IssueRendering> {
  const publication = await issuePublication(deps.db, deps.config, issue.id);
  const key = `${issue.id}:${issue.engine}:${publicationKey(publication)}`;
  let c = cache.get(key);
  if (c) {
    // Most recently used last, so the oldest is the one let go.
    cache.delete(key);
    cache.set(key, c);
    return c;
  }
  c = summariesForIssue(deps.db, issue.id).then((s) => ({
    content: indexIssue(issue.week, s, issue.subject),
    renderer: createDigestRenderer(issue.engine, { publication }),
  }));
  c.catch(() => cache.delete(key));
  cache.set(key, c);
  if (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return c;
}

/** Lets every cached rendering go, as a fresh process has none (tests that share one process between databases). */
export function forgetIssueRenderings(): void {
  cache.clear();
}

/**
 * A renderer with nothing cached for an issue not yet planned (a preview, a test send of a draft): its
 * identity and note now. No issue (id null: a week's preview): the identity alone.
 */
export async function draftRenderer(deps: { db: Db; config: Pick<Config, 'mailFrom'> }, issue: { id: number | null; engine: Issue['engine'] }): Promise<DigestRenderer> {
  return createDigestRenderer(issue.engine, { publication: await issuePublication(deps.db, deps.config, issue.id) });
}
