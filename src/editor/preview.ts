// `tagcast preview` (/api/v1/preview): one reader's digest for a week, rendered as it would be sent,
// without sending it. The same for every face; the assembly is src/digest/, the rendering src/render/.
import type { Engine } from '../config.ts';
import { readerByEmail } from '../db/readers.ts';
import { summariesForWeek } from '../db/summaries.ts';
import { assembleDigest, indexIssue } from '../digest/assemble.ts';
import { isValidWeek } from '../digest/week.ts';
import { normaliseEmail } from '../lib/mail.ts';
import type { EditorDeps } from './deps.ts';
import { conflict, invalid, notFound } from './errors.ts';

/** Which part of the email: its HTML, its plain text, or the whole RFC 5322 message. */
export type PreviewFormat = 'html' | 'text' | 'eml';

export interface PreviewInput {
  week: string;
  /** The reader's address, as typed; their tags decide the digest. */
  subscriber: string;
  /** Default: TEMPLATE_ENGINE. */
  engine?: Engine | undefined;
  format: PreviewFormat;
}

/** The rendered part, or (email null) why this reader would get no email that week. */
export type Preview =
  | { email: string; week: string; engine: Engine; subject: string; body: string }
  | { email: string; week: string; engine: Engine; subject: null; body: null; tags: string[] };

export interface PreviewOps {
  digest(input: PreviewInput): Promise<Preview>;
}

export function previewOps(deps: EditorDeps): PreviewOps {
  return {
    async digest(input) {
      const { week } = input;
      if (!isValidWeek(week)) throw invalid(`--week must be an ISO week like 2026-W48, got "${week}"`);
      const addr = normaliseEmail(input.subscriber);
      if ('error' in addr) throw invalid(addr.error);
      const engine = input.engine ?? deps.config.templateEngine;
      const reader = await readerByEmail(deps.db, addr.email);
      if (!reader) throw notFound(`no subscriber ${addr.email}`);
      const digest = assembleDigest(indexIssue(week, await summariesForWeek(deps.db, week)), reader.tags);
      if (!digest) return { email: addr.email, week, engine, subject: null, body: null, tags: reader.tags };
      // Loaded here, not at start-up: every CLI command imports the editor, few render.
      const [{ composeEmail }, { createDigestRenderer }, { HeaderError, toMime }] = await Promise.all([import('../send/compose.ts'), import('../render/index.ts'), import('../send/mime.ts')]);
      let email;
      try {
        const { config } = deps;
        email = await composeEmail(
          { secret: config.secret, publicUrl: config.publicUrl, mailFrom: config.mailFrom, issueId: 0, renderer: createDigestRenderer(engine), date: deps.now() },
          { subscriberId: reader.id, email: reader.email, name: reader.name },
          digest,
        );
      } catch (e) {
        // What an editor can act on is which digest and why (the summary to fix), not our stack.
        const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
        throw conflict(`the ${engine} digest of ${addr.email} for ${week} cannot be rendered: ${why}`);
      }
      let body: string;
      try {
        body = input.format === 'eml' ? toMime(email) : input.format === 'text' ? email.text : email.html;
      } catch (e) {
        if (e instanceof HeaderError) throw conflict(e.message);
        throw e;
      }
      return { email: addr.email, week, engine, subject: email.subject, body };
    },
  };
}
