// The editor's admin pages in real Chromium against the real server, database, Redis queues and
// workers: log in, create an issue, schedule it, pause and resume it, send it now and watch the
// progress refresh itself (admin.js under the page's CSP) until every delivery is submitted; the
// preview's sandboxed frame shows the digest. Then every admin page: axe-core finds no WCAG 2.2 A/AA
// violation in light or dark, nothing scrolls sideways at 375 or 1280 px; screenshots in
// test-artifacts/admin/ with TAGCAST_SCREENSHOTS=1. Runs on PGlite (see vitest.config.ts). To refresh the two in README.md and docs/admin.md:
//   TAGCAST_UPDATE_SCREENSHOTS=1 npx vitest run --project browser-pglite tests/browser/admin-pages.test.ts
import { mkdirSync, writeFileSync } from 'node:fs';
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
import { createServer } from '../../src/web/app.ts';
import { startWorkers, type Workers } from '../../src/workers.ts';
import { axeViolations, describeViolations, launchChromium, overflowsSideways, SCHEME_RULES, SCREENSHOTS, scrollersOutOfReach, sendForm, UPDATE_DOC_SCREENSHOTS, watchedPage } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { createHarness, testConfig, type Harness } from '../support/pipeline.ts';

const DB = process.env.TAGCAST_TEST_DB ?? 'pglite';
const PASSWORD = 'an editor password for the browser';
const WEEK = '2026-W48';
const ARTIFACTS = path.resolve('test-artifacts', 'admin');
const DOCS = path.resolve('docs', 'screenshots');
const UPDATE_DOCS = UPDATE_DOC_SCREENSHOTS;
/** The screenshots in README.md and docs/admin.md: one screen high at 1280 px. */
const README_SHOTS = new Set(['issue-sent', 'preview']);
/** Whole-page screenshots at 375 and 1280 px for docs/tags.md and docs/readers.md (TAGCAST_UPDATE_SCREENSHOTS=1). */
const DOC_SHOTS = new Set(['tags', 'tag', 'tag-merge', 'subscribers', 'reader']);

/** Words in table cells that run over two lines (a column squeezed to a few letters wide). */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const cell of document.querySelectorAll('td, th')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        // A hyphen is a fair place to break (2026-W48); anything else inside a word is not.
        for (const m of (n.textContent ?? '').matchAll(/[^\s-]+/g)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
          if (lines.size > 1) broken.push(m[0]);
        }
      }
    }
    return broken;
  });
}

describe.sequential(`admin pages in Chromium on ${DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let app: FastifyInstance;
  let workers: Workers;
  let url = '';
  let browser: Browser;
  /** The editor's browser: CSP enforced. */
  let context: BrowserContext;
  /** For axe only (its injected script is inline, which the CSP refuses). */
  let axeContext: BrowserContext;
  let issueId = 0;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (SCREENSHOTS) mkdirSync(ARTIFACTS, { recursive: true });
    t = await createTestDb();
    const imported = await importPaths(t.db, [path.resolve('content')]);
    expect(imported.errors).toEqual([]);
    const reader = (email: string, tags: string[]): SubscriberInput => ({ email, name: null, timeZone: 'Europe/Berlin', tags, status: 'active', source: 'test' });
    await upsertSubscribers(t.db, [
      ...Array.from({ length: 12 }, (_, n) => reader(`reader${n}@example.test`, n % 3 === 0 ? ['AI', 'Rust'] : ['AI'])),
      reader('nothing@example.test', ['No Such Topic']),
      // A long address (following nothing with content, so no reader of the issue): at 375 px its
      // column must scroll, not break letter by letter.
      reader('a-rather-long-address-for-a-narrow-screen@newsletter-readers.example.test', ['No Such Topic']),
    ]);
    h = await createHarness(t.db);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const config = loadConfig({ PUBLIC_URL: url, SECRET: 'admin-browser-secret-0123456789abcdefghij', LOG_LEVEL: 'silent', ADMIN_PASSWORD: PASSWORD, MAIL_FROM: 'tagcast <digest@example.test>' }, '/nonexistent');
    const log = pino({ level: 'silent' });
    app = await createServer({ db: t.db, config, log, queues: async () => h.queues, provider: h.provider, rateLimits: { global: { max: 100_000, timeWindow: 60_000 } } });
    await app.listen({ port, host: '127.0.0.1' });
    workers = startWorkers({
      db: t.db,
      config: { ...testConfig, secret: config.secret, publicUrl: url, mailFrom: config.mailFrom },
      provider: h.provider,
      queues: h.queues,
      log,
      now: () => new Date(),
      batchSize: 5,
      leaseMs: 60_000,
    });
    browser = await launchChromium();
    const options = { baseURL: url, timezoneId: 'UTC', locale: 'en-GB', viewport: { width: 1280, height: 900 } };
    [context, axeContext] = await Promise.all([browser.newContext(options), browser.newContext({ ...options, bypassCSP: true })]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await workers?.close();
    await h?.close();
    await t?.drop();
  });

  const newPage = (c: BrowserContext) => watchedPage(c, consoleErrors);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const send = sendForm;
  async function logIn(page: Page, password = PASSWORD) {
    await page.goto('/admin/issues');
    await expect.poll(() => h1(page).textContent()).toBe('Editor login');
    await page.getByLabel('Password').fill(password);
    await send(page, 'Log in');
  }

  it('log in → create an issue → schedule → pause → resume → send now → progress refreshes to all submitted → preview', async () => {
    const page = await newPage(context);
    await logIn(page, 'not the password at all');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That is not the password');
    await page.getByLabel('Password').fill(PASSWORD);
    await send(page, 'Log in');
    expect(new URL(page.url()).pathname).toBe('/admin/issues');

    // Create: the week with content is offered.
    await page.getByLabel('Week').selectOption(WEEK);
    await send(page, 'Create draft');
    await expect.poll(() => h1(page).textContent()).toBe(`Issue ${new URL(page.url()).pathname.split('/').pop()}: ${issueName(WEEK)}`);
    issueId = Number(new URL(page.url()).pathname.split('/').pop());
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Issue created as a draft.');

    // Schedule a day ahead, in Berlin.
    await page.locator('#at-date').fill('2030-01-15');
    await page.locator('#at-time').fill('10:00');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await send(page, 'Schedule');
    // It asks once, with the readers it reaches.
    await expect.poll(() => page.locator('.reach').textContent()).toBe('12 readers');
    expect((await getIssue(t.db, issueId))!.status).toBe('draft');
    await send(page, 'Schedule it');
    expect((await getIssue(t.db, issueId))).toMatchObject({ status: 'scheduled', sendAt: new Date('2030-01-15T09:00:00Z') });
    // In the zone chosen, with UTC beside it (issue 20).
    await expect.poll(() => page.locator('.facts').textContent()).toContain('Tue, 15 Jan 2030, 10:00 CET (Tue, 15 Jan 2030, 09:00 UTC)');

    await send(page, 'Pause');
    expect((await getIssue(t.db, issueId))!.status).toBe('paused');
    await send(page, 'Resume');
    expect((await getIssue(t.db, issueId))!.status).toBe('scheduled');

    // Send now; the workers plan and send; the page's script refreshes the numbers by itself.
    await send(page, 'Send now');
    await expect.poll(() => page.locator('.reach').textContent()).toBe('12 readers');
    await send(page, 'Send now');
    await expect.poll(() => page.locator('.auto-refresh').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#progress .big-number').textContent(), { timeout: 30_000, interval: 500 }).toMatch(/^12 of 12 submitted/);
    // The status chip is refreshed with the counts: never "scheduled" beside "12 of 12 submitted" (issue 20).
    expect(['sending', 'sent']).toContain(await page.locator('#progress .status').textContent());
    // The buttons outside the block were for "scheduled": a line says so, with a link that reloads them.
    await expect.poll(() => page.locator('#status-changed').isVisible()).toBe(true);
    expect(page.url()).toBe(`${url}/admin/issues/${issueId}?done=sending`);

    // Preview a reader's digest: the email in a sandboxed frame, loaded with the editor's session.
    await page.getByLabel('Subscriber’s email address').fill('reader0@example.test');
    await send(page, 'Preview');
    await expect.poll(() => h1(page).textContent()).toBe('Digest of reader0@example.test');
    const frame = page.frameLocator('iframe.preview-frame');
    await expect.poll(() => frame.locator('h2').allTextContents()).toEqual(['AI', 'Rust']);
    expect(await page.locator('iframe.preview-frame').getAttribute('sandbox')).toBe('');
    expect(consoleErrors).toEqual([]);

    // Once finalize-issue has run, the issue is sent and its page stops refreshing.
    await page.goto(`/admin/issues/${issueId}?done=sending`);
    await expect.poll(async () => (await getIssue(t.db, issueId))!.status, { timeout: 15_000 }).toBe('sent');
    await expect.poll(() => page.locator('#progress').getAttribute('data-live'), { timeout: 15_000 }).toBe('false');
    expect(await page.locator('#progress .status').textContent()).toBe('sent');
    await page.close();
  });

  it('tags: describe and hide on a tag’s page, then a merge reviewed on its own page before it happens', async () => {
    const page = await newPage(context); // logged in by the test above
    await page.goto('/admin/tags');
    await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), page.getByRole('link', { name: 'No Such Topic', exact: true }).click()]);
    await expect.poll(() => h1(page).textContent()).toBe('No Such Topic');
    await page.getByLabel(/Shown under the tag on the subscribe page/).fill('A tag a reader typed by mistake.');
    await send(page, 'Save description');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Description saved.');
    await send(page, 'Hide the tag');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Tag hidden');

    await page.getByLabel('Merge into').selectOption('ai');
    await send(page, 'Review the merge');
    await expect.poll(() => h1(page).textContent()).toBe('Merge “No Such Topic” into “AI”?');
    expect((await t.db.query(`select 1 from tags where slug = 'no-such-topic'`)).length).toBe(1);
    await send(page, 'Merge “No Such Topic” into “AI”');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Tags merged');
    expect(new URL(page.url()).pathname).toBe('/admin/tags/ai');
    expect((await t.db.query(`select 1 from tags where slug = 'no-such-topic'`)).length).toBe(0);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  interface AdminPage {
    name: string;
    h1: string | RegExp;
    open(page: Page): Promise<void>;
  }
  const goto = (u: () => string) => async (page: Page) => void (await page.goto(u()));
  const PAGES: AdminPage[] = [
    { name: 'issues', h1: 'Issues', open: goto(() => '/admin/issues') },
    { name: 'issue-sent', h1: /^Issue \d+: Week 48 · 23–29 Nov 2026$/, open: goto(() => `/admin/issues/${issueId}`) },
    {
      name: 'issue-draft',
      h1: /^Issue \d+: Week 4\d · \d+–\d+ Nov 2026$/,
      async open(page) {
        await page.goto('/admin/issues');
        await page.getByLabel('Week').selectOption('2026-W47');
        await send(page, 'Create draft');
        // Both tabs create it at once: one week, one draft; the other tab's answer links to it.
        if ((await h1(page).textContent()) === 'Issue not created') {
          await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), page.getByRole('link', { name: /^Go to issue \d+$/ }).click()]);
          await page.waitForLoadState();
        }
      },
    },
    { name: 'combinations', h1: `Tag combinations, ${issueName(WEEK)}`, open: goto(() => `/admin/issues/${issueId}/combinations`) },
    { name: 'preview', h1: 'Digest of reader3@example.test', open: goto(() => `/admin/issues/${issueId}/preview?email=reader3%40example.test`) },
    {
      name: 'refused',
      h1: 'Not scheduled',
      async open(page) {
        await page.goto(`/admin/issues/${issueId}`);
        // A planned issue offers no schedule form; a stale page would: post it as that page would.
        await page.evaluate((id) => {
          const csrf = document.querySelector<HTMLInputElement>('input[name=_csrf]')!.value;
          const f = document.createElement('form');
          f.method = 'post';
          f.action = `/admin/issues/${id}/schedule`;
          for (const [name, value] of [['_csrf', csrf], ['date', '2030-01-01'], ['time', '09:00'], ['time_zone', 'UTC']]) {
            f.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
          }
          document.body.append(f);
          f.submit();
        }, issueId);
        await page.waitForURL(`**/admin/issues/${issueId}/schedule`);
      },
    },
    { name: 'summaries', h1: 'Summaries', open: goto(() => `/admin/summaries?week=${WEEK}`) },
    { name: 'subscribers', h1: 'Subscribers', open: goto(() => '/admin/subscribers') },
    { name: 'subscribers-paused', h1: 'Subscribers', open: goto(() => '/admin/subscribers?status=paused') },
    {
      // Reader 0 got the issue sent above: a delivery, and the provider's events for it.
      name: 'reader',
      h1: 'reader0@example.test',
      async open(page) {
        await t.db.query(
          `insert into events (id, type, email, provider_id, payload)
           select 'ev-' || d.provider_id || '-' || k.type, k.type, s.email, d.provider_id, '{}'
           from deliveries d join subscribers s on s.id = d.subscriber_id, (values ('email.delivered'), ('email.opened')) as k(type)
           where s.email = 'reader0@example.test' and d.provider_id is not null on conflict do nothing`,
        );
        await page.goto('/admin/subscribers?q=reader0%40');
        await Promise.all([page.waitForURL(/\/admin\/subscribers\/\d+$/), page.getByRole('link', { name: 'reader0@example.test' }).click()]);
      },
    },
    {
      name: 'reader-erase',
      h1: /^Erase reader1@example\.test\?$/,
      async open(page) {
        await page.goto('/admin/subscribers?q=reader1%40');
        await Promise.all([page.waitForURL(/\/admin\/subscribers\/\d+$/), page.getByRole('link', { name: 'reader1@example.test' }).click()]);
        await Promise.all([page.waitForURL(/\/erase\??$/), page.getByRole('button', { name: 'Erase…' }).click()]);
      },
    },
    { name: 'schedule', h1: 'The weekly issue', open: goto(() => '/admin/schedule') },
    { name: 'tags', h1: 'Tags', open: goto(() => '/admin/tags') },
    { name: 'tag', h1: 'AI', open: goto(() => '/admin/tags/ai') },
    { name: 'tag-merge', h1: /^Merge “Careers” into “AI”\?$/, open: goto(() => '/admin/tags/careers/merge?into=ai') },
    {
      // Last: it logs the context out to show the login form with an error.
      name: 'login-error',
      h1: 'Editor login',
      async open(page) {
        await page.context().clearCookies();
        await page.goto('/admin/login');
        await page.getByLabel('Password').fill('wrong');
        await send(page, 'Log in');
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('That is not the password');
      },
    },
  ];

  it('the checks fail on a broken page (so a pass below means something)', async () => {
    const page = await newPage(axeContext);
    try {
      await logIn(page);
      await page.goto('/admin/subscribers');
      await page.evaluate(() => {
        document.querySelector('label[for=q]')!.remove();
        document.querySelector('main')!.insertAdjacentHTML('beforeend', `<pre>${'x'.repeat(400)}</pre>`);
        document.querySelector('table')!.setAttribute('style', 'overflow-wrap: anywhere; width: 3em');
      });
      expect((await axeViolations(page)).map((v) => v.id)).toContain('label');
      expect(await overflowsSideways(page)).toBe(true);
      expect(await brokenWords(page)).not.toEqual([]);
      // A table wider than its wrapper, the wrapper taken out of the tab order.
      await page.evaluate(() => {
        const wrap = document.querySelector<HTMLElement>('.table-wrap')!;
        wrap.removeAttribute('tabindex');
        wrap.querySelector('table')!.setAttribute('style', 'width: 4000px');
      });
      expect(await scrollersOutOfReach(page)).toContain('div.table-wrap');
    } finally {
      await page.close();
    }
  });

  /** One page in both contexts: its layout and screenshots in the editor's, axe in the other. */
  async function checkPage(p: AdminPage, shown: Page, checked: Page) {
    const open = async (page: Page) => {
      await p.open(page);
      await expect.poll(() => h1(page).textContent(), { message: p.name }).toMatch(typeof p.h1 === 'string' ? new RegExp(`^${p.h1}$`) : p.h1);
    };
    await Promise.all([
      (async () => {
        await open(checked);
        for (const colorScheme of ['light', 'dark'] as const) {
          await checked.emulateMedia({ colorScheme });
          // Every rule in light; in dark only those a colour scheme can change.
          const violations = await axeViolations(checked, colorScheme === 'dark' ? { rules: SCHEME_RULES } : {});
          expect(violations, `axe on ${p.name} in ${colorScheme}:\n${describeViolations(violations)}`).toEqual([]);
        }
      })(),
      (async () => {
        await open(shown);
        for (const width of [375, 1280]) {
          await shown.setViewportSize({ width, height: width < 600 ? 812 : 900 });
          expect(await overflowsSideways(shown), `${p.name} scrolls sideways at ${width} px`).toBe(false);
          expect(await brokenWords(shown), `${p.name}: words broken inside table cells at ${width} px`).toEqual([]);
          expect(await scrollersOutOfReach(shown), `${p.name}: a keyboard cannot reach what scrolls sideways at ${width} px`).toEqual([]);
          if (UPDATE_DOCS && DOC_SHOTS.has(p.name)) await shown.screenshot({ path: path.join(DOCS, `admin-${p.name}-${width}.png`), fullPage: true });
        }
        // The screen-high shot first: a whole-page capture leaves Chromium's viewport redrawn oddly.
        if (SCREENSHOTS && README_SHOTS.has(p.name)) {
          await shown.evaluate(() => window.scrollTo(0, 0));
          const png = await shown.screenshot({ path: path.join(ARTIFACTS, `screen-${p.name}.png`) });
          if (UPDATE_DOCS) writeFileSync(path.join(DOCS, `admin-${p.name}.png`), png);
        }
        if (SCREENSHOTS) await shown.screenshot({ path: path.join(ARTIFACTS, `${p.name}-1280.png`), fullPage: true });
      })(),
    ]);
  }

  it('every admin page: no WCAG 2.2 A/AA violation (axe) in light and dark, nothing scrolls sideways at 375 or 1280 px; screenshots', async () => {
    expect(issueId).toBeGreaterThan(0);
    // Two lanes side by side, each with its own pair of tabs; the login page last, as it logs out.
    const last = PAGES.filter((p) => p.name === 'login-error');
    const rest = PAGES.filter((p) => p.name !== 'login-error');
    const lanes = [rest.filter((_, n) => n % 2 === 0), rest.filter((_, n) => n % 2 === 1), last];
    const tabs = await Promise.all([0, 1].map(async () => [await newPage(context), await newPage(axeContext)] as const));
    try {
      await Promise.all(lanes.slice(0, 2).map(async (lane, n) => {
        for (const p of lane) await checkPage(p, tabs[n]![0], tabs[n]![1]);
      }));
      for (const p of last) await checkPage(p, tabs[0]![0], tabs[0]![1]);
    } finally {
      await Promise.all(tabs.flat().map((tab) => tab.close()));
    }
    expect(consoleErrors).toEqual([]);
  });
});
