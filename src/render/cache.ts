// The fragment cache shared by everything that renders an issue's digests in this process: send-batch
// jobs and the web versions readers open. An issue's frozen content is indexed and its fragments are
// rendered once per process and engine, not per batch or per page view.
import type { Db } from '../db/connection.ts';
import type { Issue } from '../db/issues.ts';
import { summariesForIssue } from '../db/summaries.ts';
import { indexIssue, type IssueContent } from '../digest/assemble.ts';
import { createDigestRenderer, type DigestRenderer } from './index.ts';

export interface IssueRendering {
  content: IssueContent;
  renderer: DigestRenderer;
}

/** Issues kept at once: the few being sent, and the recent ones whose web versions readers open. */
const KEEP = 8;
const cache = new Map<string, Promise<IssueRendering>>();

export function issueRendering(db: Db, issue: Pick<Issue, 'id' | 'week' | 'engine' | 'subject'>): Promise<IssueRendering> {
  const key = `${issue.id}:${issue.engine}`;
  let c = cache.get(key);
  if (c) {
    // Most recently used last, so the oldest is the one let go.
    cache.delete(key);
    cache.set(key, c);
    return c;
  }
  c = summariesForIssue(db, issue.id).then((s) => ({
    content: indexIssue(issue.week, s, issue.subject),
    renderer: createDigestRenderer(issue.engine),
  }));
  c.catch(() => cache.delete(key));
  cache.set(key, c);
  if (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return c;
}
