// Issue 17's "Done when", walked in real Chromium on a fresh install (a database with one week of
// summaries and two readers, nothing else): an editor logs in at /admin and, from the browser only,
// corrects a summary's typo, merges two tags, sets the publication's name, logo URL and postal address,
// writes an editor's note, previews a reader's digest, test-sends and sends the issue; the digest the
// provider got carries all of it. Then the week cannot be sent twice by accident: the week list says it
// is sent and creating another issue for it is refused with the reason, and a second click on a stale
// "Send now" confirm sends nothing. axe-core (WCAG 2.2 A/AA, light) on every page visited.
// Runs on PGlite and PostgreSQL (admin-*.test.ts, see vitest.config.ts), with Redis and the workers.
// The editor's context bypasses the CSP so axe can run on the very page the journey is on (a POST's
// answer cannot be fetched again in another context); admin-pages.test.ts checks the pages under the CSP.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { importPaths } from '../../src/content/import.ts';
import { getIssue } from '../../src/db/issues.ts';
import { issueName } from '../../src/digest/week.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import type { OutgoingEmail, Provider } from '../../src/send/provider.ts';
import { createServer } from '../../src/web/app.ts';
import { startWorkers, type Workers } from '../../src/workers.ts';
import { axeViolations, describeViolations, launchChromium, sendForm, watchedPage } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, testConfig, waitForStatus, type Harness } from '../support/pipeline.ts';

const DB = process.env.TAGCAST_TEST_DB ?? 'pglite';
const PASSWORD = 'an editor password for the journey';
const WEEK = '2026-W48';
/** A week before it, also with content and no issue: the week list's default once WEEK is sent. */
const OTHER_WEEK = '2026-W47';
const FILE = 'designing-for-the-99-9th-percentile-tail-latency-in-fan-out-services.md';
const RIGHT = 'Designing for the 99.9th percentile: tail latency in fan-out services';
const TYPO = 'Designing for the 99.9th percentile: tail latnecy in fan-out services';
const READER = 'follows-observability@example.test';
const NAME = 'The Fan-Out Weekly';
const LOGO = 'https://cdn.example.test/fan-out.svg';
const ADDRESS = ['7 Queue Street', 'Leeds LS2 9JT'];
const NOTE = 'A **short** week: we merged Observability into Distributed Systems.';

describe.sequential(`an editor's week from the browser only, on ${DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let app: FastifyInstance;
  let workers: Workers;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let contentDir = '';
  let issueId = 0;
  /** Every email a provider call carried, in order (test sends and deliveries alike). */
  const mails: OutgoingEmail[] = [];
  const consoleErrors: string[] = [];
  const visited: string[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    // The week's summaries, one with a typo in its title (the editor corrects it below).
    contentDir = mkdtempSync(path.join(tmpdir(), 'tagcast-journey-'));
    for (const week of [OTHER_WEEK, WEEK]) cpSync(path.resolve('content', week), path.join(contentDir, week), { recursive: true });
    const file = path.join(contentDir, WEEK, FILE);
    writeFileSync(file, readFileSync(file, 'utf8').replace(RIGHT, TYPO));
    expect((await importPaths(t.db, [contentDir])).errors).toEqual([]);
    expect(await t.db.query(`select week from summaries where title = $1`, [TYPO])).toEqual([{ week: WEEK }]);
    const reader = (email: string, tags: string[]): SubscriberInput => ({ email, name: null, timeZone: 'UTC', tags, status: 'active', source: 'test' });
    await upsertSubscribers(t.db, [reader(READER, ['Observability']), reader('follows-ai@example.test', ['AI'])]);

    h = await createHarness(t.db);
    const provider: Provider = {
      name: h.provider.name,
      maxBatch: h.provider.maxBatch,
      joinsJson: h.provider.joinsJson,
      sendBatch(emails, opts) {
        mails.push(...emails);
        return h.provider.sendBatch(emails, opts);
      },
    };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = loadConfig({ PUBLIC_URL: url, SECRET: 'admin-journey-secret-0123456789abcdefghij', LOG_LEVEL: 'silent', ADMIN_PASSWORD: PASSWORD, MAIL_FROM: 'tagcast <digest@example.test>' }, '/nonexistent');
    const log = pino({ level: 'silent' });
    app = await createServer({ db: t.db, config, log, queues: async () => h.queues, provider, rateLimits: { global: { max: 100_000, timeWindow: 60_000 } } });
    await app.listen({ port, host: '127.0.0.1' });
    workers = startWorkers({
      db: t.db,
      config: { ...testConfig, secret: config.secret, publicUrl: url, mailFrom: config.mailFrom },
      provider,
      queues: h.queues,
      log,
      now: () => new Date(),
      batchSize: 5,
      leaseMs: 60_000,
    });
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: url, timezoneId: 'UTC', locale: 'en-GB', viewport: { width: 1280, height: 900 }, bypassCSP: true });
    // The browser has no network: the logo the digest names is served here.
    await context.route(LOGO, (route) => route.fulfill({ contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#2e7d32"/></svg>' }));
    page = await watchedPage(context, consoleErrors);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await workers?.close();
    await h?.close();
    await t?.drop();
    if (contentDir) rmSync(contentDir, { recursive: true, force: true });
  });

  const h1 = (p: Page = page) => p.getByRole('heading', { level: 1 });
  const status = (p: Page = page) => p.getByRole('status').first().textContent();
  /** axe on the page as it is now, in light. */
  async function axe(what: string, p: Page = page) {
    await p.emulateMedia({ colorScheme: 'light' });
    const v = await axeViolations(p);
    expect(v, `axe on ${what}:\n${describeViolations(v)}`).toEqual([]);
    visited.push(what);
  }
  const deliveriesOf = async (id: number) => Number((await t.db.query<{ n: number }>(`select count(*)::int as n from deliveries where issue_id = $1`, [id]))[0]!.n);

  it('logs in at /admin', async () => {
    await page.goto('/admin');
    await expect.poll(() => h1().textContent()).toBe('Editor login');
    await axe('the login page');
    await page.getByLabel('Password').fill(PASSWORD);
    await sendForm(page, 'Log in');
    expect(new URL(page.url()).pathname).toMatch(/^\/admin/);
    await axe('the first page after logging in');
  });

  it('corrects the summary’s typo on its edit form', async () => {
    await page.goto(`/admin/summaries?week=${WEEK}`);
    await expect.poll(() => h1().textContent()).toBe('Summaries');
    await axe('the summaries list');
    await Promise.all([page.waitForURL(/\/admin\/summaries\/\d+$/), page.getByRole('link', { name: TYPO }).click()]);
    await expect.poll(() => h1().textContent()).toBe(TYPO);
    await axe('the summary with the typo');
    await page.getByLabel('Title').fill(RIGHT);
    await sendForm(page, 'Save');
    await expect.poll(() => status()).toBe('Summary saved.');
    expect(await h1().textContent()).toBe(RIGHT);
    await axe('the corrected summary');
  });

  it('merges Observability into Distributed Systems after the confirm page', async () => {
    await page.goto('/admin/tags');
    await expect.poll(() => h1().textContent()).toBe('Tags');
    await axe('the tags page');
    await Promise.all([page.waitForURL('**/admin/tags/observability'), page.getByRole('link', { name: 'Observability', exact: true }).click()]);
    await axe('the Observability tag');
    await page.getByLabel('Merge into').selectOption('distributed-systems');
    await sendForm(page, 'Review the merge');
    await expect.poll(() => h1().textContent()).toBe('Merge “Observability” into “Distributed Systems”?');
    await axe('the merge confirm page');
    await sendForm(page, 'Merge “Observability” into “Distributed Systems”');
    await expect.poll(() => status()).toContain('Tags merged');
    expect(new URL(page.url()).pathname).toBe('/admin/tags/distributed-systems');
    await axe('the merged tag');
  });

  it('sets the publication’s name, logo URL and postal address', async () => {
    await page.goto('/admin/settings');
    await axe('the settings page');
    await page.fill('#set-name', NAME);
    await page.fill('#set-logo', LOGO);
    await page.fill('#set-address', ADDRESS.join('\n'));
    await Promise.all([page.waitForURL('**/admin/settings?done=settings-saved'), page.locator('form.card button[type=submit]').click()]);
    expect(await page.textContent('.site-header .brand')).toBe(NAME);
    expect(await page.inputValue('#set-logo')).toBe(LOGO);
    expect(await page.inputValue('#set-address')).toBe(ADDRESS.join('\n'));
    await axe('the saved settings');
  });

  it('creates a draft for the week and writes its editor’s note', async () => {
    await page.goto('/admin/issues');
    await expect.poll(() => h1().textContent()).toBe('Issues');
    await axe('the issues list');
    // The latest week with content and no issue is the default.
    expect(await page.getByLabel('Week').inputValue()).toBe(WEEK);
    await page.getByLabel('Week').selectOption(WEEK);
    await sendForm(page, 'Create draft');
    issueId = Number(/\/admin\/issues\/(\d+)/.exec(page.url())?.[1]);
    expect(issueId).toBeGreaterThan(0);
    await expect.poll(() => h1().textContent()).toBe(`Issue ${issueId}: ${issueName(WEEK)}`);
    await axe('the draft issue');

    await page.goto(`/admin/issues/${issueId}/note`);
    await expect.poll(() => h1().textContent()).toBe(`Editor’s note for issue ${issueId}`);
    await axe('the note page');
    await page.getByLabel(/^Note/).fill(NOTE);
    await sendForm(page, 'Save note');
    expect(await page.getByLabel(/^Note/).inputValue()).toBe(NOTE);
    expect(await page.locator('#note-preview-title + div').textContent()).toContain('A short week: we merged Observability into Distributed Systems.');
    await axe('the saved note');
  });

  it('previews a reader’s digest: the corrected title, the publication’s name and the note', async () => {
    await page.goto(`/admin/issues/${issueId}`);
    await page.getByLabel('Subscriber’s email address').fill(READER);
    await sendForm(page, 'Preview');
    await expect.poll(() => h1().textContent()).toBe(`Digest of ${READER}`);
    const body = page.frameLocator('iframe.preview-frame').locator('body');
    await expect.poll(() => body.textContent()).toContain(RIGHT);
    const text = (await body.textContent())!;
    expect(text).not.toContain(TYPO);
    expect(text).toContain(NAME);
    expect(text).toContain('A short week: we merged Observability into Distributed Systems.');
    expect(await page.frameLocator('iframe.preview-frame').locator('h2').allTextContents()).toContain('Distributed Systems');
    await axe('the preview');
  });

  it('test-sends: one email, its subject starting “[Test]”; no reader mailed', async () => {
    await page.goto(`/admin/issues/${issueId}`);
    await page.locator('#test-to').fill('editor@example.test');
    await page.locator('#test-as').fill(READER);
    await sendForm(page, 'Send a test');
    await expect.poll(() => mails.length).toBe(1);
    expect(mails[0]).toMatchObject({ to: 'editor@example.test', subject: expect.stringMatching(/^\[Test\]/) });
    expect(mails[0]!.html).toContain(RIGHT);
    expect((await getIssue(t.db, issueId))!.status).toBe('draft');
    await axe('the issue after a test send');
  });

  let stale: Page;

  it('sends the issue through its confirm step; the digest has the title, merged section, name, address and note', async () => {
    await page.goto(`/admin/issues/${issueId}`);
    await sendForm(page, 'Send now');
    await expect.poll(() => page.locator('.reach').textContent()).toBe('2 readers');
    await axe('the send confirm page');
    // A second tab left on the same confirm step (the "second click" tried below).
    stale = await watchedPage(context, consoleErrors);
    await stale.goto(`/admin/issues/${issueId}`);
    await sendForm(stale, 'Send now');
    await expect.poll(() => stale.locator('.reach').textContent()).toBe('2 readers');

    await sendForm(page, 'Send now');
    expect(page.url()).toContain(`/admin/issues/${issueId}?done=sending`);
    await waitForStatus(t.db, issueId, ['sent']);
    await axe('the issue being sent');

    const digests = mails.filter((m) => m.to === READER);
    expect(digests).toHaveLength(1);
    const d = digests[0]!;
    expect(d.subject).not.toMatch(/^\[Test\]/);
    for (const part of [d.html, d.text]) {
      expect(part).toContain(RIGHT);
      expect(part).not.toContain(TYPO);
      expect(part).toContain(NAME);
      for (const line of ADDRESS) expect(part).toContain(line);
      expect(part).toContain('we merged Observability into Distributed Systems.');
    }
    expect(d.html).toContain(LOGO);
    // The reader followed Observability only; after the merge the section is Distributed Systems, and
    // Observability's summaries are in it.
    expect(d.html).toMatch(/<h2[^>]*>(?:<[^>]+>)*Distributed Systems</);
    expect(d.html).not.toMatch(/<h2[^>]*>(?:<[^>]+>)*Observability</);
    expect(mails.filter((m) => m.to === 'follows-ai@example.test')).toHaveLength(1);
  });

  it('the week cannot be sent twice by accident: the week list says it is sent, another issue is refused with the reason', async () => {
    await page.goto('/admin/issues');
    const option = page.locator(`#week option[value="${WEEK}"]`);
    expect(await option.textContent()).toContain(`sent (issue ${issueId})`);
    // No longer the default: the other week with content and no issue is.
    expect(await page.getByLabel('Week').inputValue()).toBe(OTHER_WEEK);
    await axe('the issues list after sending');
    await page.getByLabel('Week').selectOption(WEEK);
    await sendForm(page, 'Create draft');
    await expect.poll(() => h1().textContent()).toBe('Issue not created');
    expect(await page.locator('main').textContent()).toContain(`Week ${WEEK} already has issue ${issueId} (sent).`);
    expect(Number((await t.db.query<{ n: number }>(`select count(*)::int as n from issues where week = $1`, [WEEK]))[0]!.n)).toBe(1);
    await axe('the refused creation');
  });

  it('a second click on the stale “Send now” confirm sends nothing more', async () => {
    const [before, deliveries] = [mails.length, await deliveriesOf(issueId)];
    await sendForm(stale, 'Send now');
    await expect.poll(() => h1(stale).textContent()).toBe('Not sent');
    expect(await stale.locator('main').textContent()).toContain(`Issue ${issueId} is sent; it can no longer be`);
    await axe('the refused second send', stale);
    // Everything that was queued has run: the issue is sent and has its deliveries, no more.
    expect((await getIssue(t.db, issueId))!.status).toBe('sent');
    expect(await deliveriesOf(issueId)).toBe(deliveries);
    expect(mails.length).toBe(before);
    expect(consoleErrors).toEqual([]);
    expect(visited.length).toBeGreaterThanOrEqual(18);
  });
});
