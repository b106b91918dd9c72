// `tagcast preview` (/api/v1/preview, the admin issue page's preview): one reader's digest, rendered as
// it would be sent, without sending it. The same for every face; the assembly is src/digest/, the
// rendering src/render/.
import type { Engine } from '../config.ts';
import { getIssue, type Issue } from '../db/issues.ts';
import { deliverySections, subscriberForPreview } from '../db/report.ts';
import { summariesForWeek } from '../db/summaries.ts';
import { assembleDigest, indexIssue, type IssueContent } from '../digest/assemble.ts';
import { isValidWeek } from '../digest/week.ts';
import { normaliseEmail } from '../lib/mail.ts';
import type { DigestRenderer } from '../render/index.ts';
import type { OutgoingEmail } from '../send/provider.ts';
import type { EditorDeps } from './deps.ts';
import { conflict, invalid, notFound } from './errors.ts';

/** Which part of the email: its HTML, its plain text, or the whole RFC 5322 message. */
export type PreviewFormat = 'html' | 'text' | 'eml';

/** Whose digest of what: a week (the reader's tags now), or an issue (as that issue sends it). */
export interface PreviewOf {
  /** An ISO week: the week's summaries, the reader's tags now, the publication as it is now. */
  week?: string | undefined;
  /**
   * An issue: a planned one as planned (the reader's frozen sections and the issue's frozen summaries),
   * a draft from the reader's tags and the week's summaries now; with the issue's note and subject.
   */
  issue?: number | undefined;
  /** The reader's address, as typed. */
  subscriber: string;
  /** Default: the issue's engine, or TEMPLATE_ENGINE for a week. */
  engine?: Engine | undefined;
}

export interface PreviewInput extends PreviewOf {
  format: PreviewFormat;
}

interface About {
  email: string;
  week: string;
  /** The issue previewed, or null for a week with none asked. */
  issue: number | null;
  engine: Engine;
  /** Whether the digest is the one the issue froze when it was planned. */
  frozen: boolean;
}

/** The whole email, or (message null) why this reader would get none. */
export type PreviewEmail = (About & { message: OutgoingEmail }) | (About & { message: null; tags: string[] });

/** The rendered part, or (subject and body null) why this reader would get no email. */
export type Preview = (About & { subject: string; body: string }) | (About & { subject: null; body: null; tags: string[] });

export interface PreviewOps {
  /** One part of the email, as text: what the CLI prints and the API answers. */
  digest(input: PreviewInput): Promise<Preview>;
}

/**
 * The email as it would be sent, whole: the operation itself, for the admin page, which shows several
 * of its parts at once (its subject, its text and, in a frame, its HTML). `digest` is one part of it.
 */
export async function previewEmail(deps: Pick<EditorDeps, 'db' | 'config' | 'now'>, input: PreviewOf): Promise<PreviewEmail> {
  if ((input.week === undefined) === (input.issue === undefined)) throw invalid('give either a week or an issue to preview');
  let issue: Issue | undefined;
  if (input.issue !== undefined) {
    issue = await getIssue(deps.db, input.issue);
    if (!issue) throw notFound(`there is no issue ${input.issue}`);
  } else if (!isValidWeek(input.week!)) throw invalid(`--week must be an ISO week like 2026-W48, got "${input.week}"`);
  const week = issue?.week ?? input.week!;
  const addr = normaliseEmail(input.subscriber);
  if ('error' in addr) throw invalid(`not an email address: ${addr.error}`);
  const engine = input.engine ?? issue?.engine ?? deps.config.templateEngine;
  const reader = await subscriberForPreview(deps.db, addr.email);
  if (!reader) throw notFound(`there is no subscriber ${addr.email}`);
  const frozen = issue !== undefined && issue.plannedAt !== null;
  const about: About = { email: addr.email, week, issue: issue?.id ?? null, engine, frozen };

  // Loaded here, not at start-up: every CLI command imports the editor, few render.
  const [{ composeEmail }, { draftRenderer, issueRendering }] = await Promise.all([import('../send/compose.ts'), import('../render/cache.ts')]);
  let sections: string[];
  let content: IssueContent;
  let renderer: DigestRenderer;
  if (issue && frozen) {
    const s = await deliverySections(deps.db, issue.id, reader.id);
    if (!s) throw notFound(`${addr.email} has no delivery in this issue: they were not an active subscriber when it was planned`);
    sections = s;
    ({ content, renderer } = await issueRendering(deps, { ...issue, engine }));
  } else {
    sections = reader.tags;
    content = indexIssue(week, await summariesForWeek(deps.db, week), issue?.subject ?? null);
    // The publication as it is now, with the issue's note when there is an issue.
    renderer = await draftRenderer(deps, { id: issue?.id ?? null, engine });
  }
  const digest = assembleDigest(content, sections);
  if (!digest) return { ...about, message: null, tags: reader.tags };
  try {
    const { config } = deps;
    const message = await composeEmail(
      {
        secret: config.secret,
        publicUrl: config.publicUrl,
        mailFrom: config.mailFrom,
        issueId: issue?.id ?? 0,
        renderer,
        date: issue?.plannedAt ?? deps.now(),
      },
      { subscriberId: reader.id, email: reader.email, name: reader.name },
      digest,
    );
    return { ...about, message };
  } catch (e) {
    // What an editor can act on is which digest and why (the summary to fix), not our stack.
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim().slice(0, 300);
    throw conflict(`the ${engine} digest of ${addr.email} for ${week} cannot be rendered: ${why}`);
  }
}

export function previewOps(deps: EditorDeps): PreviewOps {
  return {
    async digest(input) {
      const { message, ...about } = await previewEmail(deps, input);
      if (message === null) return { ...about, subject: null, body: null } as Preview;
      const { HeaderError, toMime } = await import('../send/mime.ts');
      let body: string;
      try {
        body = input.format === 'eml' ? toMime(message) : input.format === 'text' ? message.text : message.html;
      } catch (e) {
        if (e instanceof HeaderError) throw conflict(e.message);
        throw e;
      }
      return { ...about, subject: message.subject, body } as Preview;
    },
  };
}
