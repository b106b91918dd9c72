// Where the links of an editor's test email lead (src/send/test-send.ts): /test/<issue> shows the
// test's digest as its web version, /test/<issue>/preferences what a reader's "Choose your tags" opens,
// /test/<issue>/unsubscribe what their unsubscribe link does. Every page says it is a test and
// changes nothing; none talks about erased data (a test is signed for no reader, so the reader pages
// would). The token is a `test` one: it opens these pages and nothing else, and these open no other.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { draftRenderer, issueRendering } from '../../render/cache.ts';
import { mailDomain } from '../../lib/mail.ts';
import { testDigest, TestSendError } from '../../send/test-send.ts';
import { TEST_PATH, testLinksOf } from '../../lib/reader-links.ts';
import { cspRoute, EMAIL_PAGE_CSP } from '../plugins/security.ts';
import { readLink, sendHtml, sendLinkProblem, sendMessage, type ReaderDeps } from './common.tsx';

const ISSUE_ID = /^[1-9]\d{0,9}$/;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Test = { issueId: number; asReader: number | undefined; token: string; url: string };

/** The test link's claims for the issue in the path, or the answer already sent. */
function readTest(req: FastifyRequest<{ Params: { issue: string } }>, reply: FastifyReply, deps: ReaderDeps): Test | FastifyReply {
  reply.header('x-robots-tag', 'noindex, nofollow');
  const link = readLink(req, deps.config.secret, 'test', deps.now());
  if ('problem' in link) return sendLinkProblem(reply, deps, link.problem);
  const { issueId, ref } = link.claims;
  if (issueId === undefined || !ISSUE_ID.test(req.params.issue) || Number(req.params.issue) !== issueId) return sendLinkProblem(reply, deps, 'invalid');
  const token = (req.query as { t: string }).t;
  return { issueId, asReader: ref, token, url: `${TEST_PATH}/${issueId}?t=${token}` };
}

const isTest = (x: Test | FastifyReply): x is Test => 'issueId' in x;

/** The issue's test digest, or a page that says why there is none (the issue or reader went since). */
async function digestOr(reply: FastifyReply, deps: ReaderDeps, test: Test) {
  try {
    return await testDigest(deps.db, test.issueId, test.asReader);
  } catch (e) {
    if (!(e instanceof TestSendError)) throw e;
    sendMessage(reply, deps, { status: 404, title: 'Test email: nothing to show', kind: 'warn', message: `This link is from a test email. Its digest cannot be shown any more: ${e.message}.` });
    return null;
  }
}

export async function testLinkRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  // The email's own HTML, as the web version: inline styles allowed, no script.
  app.get<{ Params: { issue: string } }>(`${TEST_PATH}/:issue`, { helmet: cspRoute(EMAIL_PAGE_CSP) }, async (req, reply) => {
    const test = readTest(req, reply, deps);
    if (!isTest(test)) return test;
    const found = await digestOr(reply, deps, test);
    if (!found) return reply;
    const { issue, digest, planned } = found;
    const renderer = planned ? (await issueRendering(deps, issue)).renderer : await draftRenderer(deps, issue);
    const links = testLinksOf({ publicUrl: deps.config.publicUrl, mailDomain: mailDomain(deps.config.mailFrom), issueId: issue.id, token: test.token });
    const rendered = await renderer.render({ ...digest, subject: `[Test] ${digest.subject}` }, links, { budget: Number.POSITIVE_INFINITY });
    const banner =
      `<div role="note" style="margin:0;padding:12px 16px;background:#fff4ce;color:#3b2f00;border-bottom:2px solid #c9a400;font:16px/1.4 system-ui,sans-serif">` +
      `<strong>This is a test.</strong> It shows the web version of issue ${issue.id} (${escapeHtml(issue.week)}) as the test email had it${test.asReader === undefined ? ', with every tag of the week' : ", as the reader it was made for gets it"}. ` +
      `A reader's own "Web version" link opens their digest of the issue.</div>`;
    const html = rendered.html.replace(/<head([^>]*)>/i, '<head$1><meta name="robots" content="noindex, nofollow">').replace(/<body([^>]*)>/i, `<body$1>${banner}`);
    return sendHtml(reply, html);
  });

  app.get<{ Params: { issue: string } }>(`${TEST_PATH}/:issue/preferences`, async (req, reply) => {
    const test = readTest(req, reply, deps);
    if (!isTest(test)) return test;
    const found = await digestOr(reply, deps, test);
    if (!found) return reply;
    const tags = found.digest.sections.map((s) => s.tag);
    return sendMessage(reply, deps, {
      title: 'Test email: your preferences',
      kind: 'warn',
      message: (
        <>
          <p>
            <strong>This is a test.</strong> In a reader's email, this link opens their own preferences page. There they see their address, tick the tags they follow, pick their
            time zone, pause digests for a few weeks, unsubscribe, and find the issues they were sent and a private feed.
          </p>
          <p>
            This test's digest has {tags.length === 1 ? 'one tag' : `${tags.length} tags`}: {tags.join(', ')}.
          </p>
          <p>Nothing here belongs to a reader, so nothing can be changed.</p>
          <p>
            <a href={test.url}>The test's web version</a>
          </p>
        </>
      ),
    });
  });

  // The footer link. A mail client's one-click POST (List-Unsubscribe-Post) finds no route: a test
  // email has nobody to unsubscribe.
  app.get<{ Params: { issue: string } }>(`${TEST_PATH}/:issue/unsubscribe`, async (req, reply) => {
    const test = readTest(req, reply, deps);
    if (!isTest(test)) return test;
    return sendMessage(reply, deps, {
      title: 'Test email: unsubscribe',
      kind: 'warn',
      message: (
        <>
          <p>
            <strong>This is a test.</strong> In a reader's email, this link unsubscribes them with one click, and they can undo it for a day. Nobody was unsubscribed.
          </p>
          <p>
            <a href={test.url}>The test's web version</a>
          </p>
        </>
      ),
    });
  });
}
