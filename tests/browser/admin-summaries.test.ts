// The summaries pages in real Chromium: the week's list, one summary's page, an edit through its form
// (refused with the importer's words, then saved), hide and show again; axe-core finds no WCAG 2.2
// A/AA violation in light or dark, nothing scrolls sideways at 375 or 1280 px. With TAGCAST_SCREENSHOTS=1,
// screenshots at both widths in test-artifacts/admin/; with TAGCAST_UPDATE_SCREENSHOTS=1 also in docs/screenshots/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { importPaths } from '../../src/content/import.ts';
import { getSummary } from '../../src/db/summaries.ts';
import { createServer } from '../../src/web/app.ts';
import { axeViolations, describeViolations, launchChromium, overflowsSideways, SCHEME_RULES, SCREENSHOTS, sendForm, UPDATE_DOC_SCREENSHOTS, watchedPage } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

const DB = process.env.TAGCAST_TEST_DB ?? 'pglite';
const PASSWORD = 'an editor password for the summaries';
const WEEK = '2026-W48';
const ARTIFACTS = path.resolve('test-artifacts', 'admin');
const DOCS = path.resolve('docs', 'screenshots');
const UPDATE_DOCS = UPDATE_DOC_SCREENSHOTS;

describe.sequential(`admin summaries pages in Chromium on ${DB}`, () => {
  let t: TestDb;
  let app: FastifyInstance;
  let browser: Browser;
  let context: BrowserContext;
  let axeContext: BrowserContext;
  let id = 0;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (SCREENSHOTS) mkdirSync(ARTIFACTS, { recursive: true });
    t = await createTestDb();
    expect((await importPaths(t.db, [path.resolve('content')])).errors).toEqual([]);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = loadConfig({ PUBLIC_URL: url, SECRET: 'admin-summaries-secret-0123456789abcdefghij', LOG_LEVEL: 'silent', ADMIN_PASSWORD: PASSWORD }, '/nonexistent');
    app = await createServer({ db: t.db, config, log: pino({ level: 'silent' }), rateLimits: { global: { max: 100_000, timeWindow: 60_000 } } });
    await app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
    const options = { baseURL: url, timezoneId: 'UTC', locale: 'en-GB', viewport: { width: 1280, height: 900 } };
    [context, axeContext] = await Promise.all([browser.newContext(options), browser.newContext({ ...options, bypassCSP: true })]);
    for (const c of [context, axeContext]) {
      const page = await c.newPage();
      await page.goto('/admin/login');
      await page.getByLabel('Password').fill(PASSWORD);
      await send(page, 'Log in');
      await page.close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  const newPage = (c: BrowserContext) => watchedPage(c, consoleErrors);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const send = sendForm;

  it('list → a summary → a refused edit keeps what was typed → saved → hidden → shown again', async () => {
    const page = await newPage(context);
    await page.goto(`/admin/summaries?week=${WEEK}`);
    await expect.poll(() => h1(page).textContent()).toBe('Summaries');
    expect(await page.getByText('Files without a date go into this week.').count()).toBe(1);
    const link = page.getByRole('link', { name: 'Vector search inside Postgres: when pgvector is enough' });
    await Promise.all([page.waitForEvent('framenavigated'), link.click()]);
    id = Number(new URL(page.url()).pathname.split('/').pop());
    await expect.poll(() => h1(page).textContent()).toBe('Vector search inside Postgres: when pgvector is enough');

    await page.getByLabel('Title').fill('');
    // The browser would stop an empty required field itself: the server's check is what is tested here.
    await page.evaluate(() => document.querySelector<HTMLInputElement>('#title')!.removeAttribute('required'));
    await send(page, 'Save');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Not saved: the summary has no title.');
    expect(await page.getByLabel('Title').inputValue()).toBe('');

    await page.getByLabel('Title').fill('Vector search in Postgres: when pgvector is enough');
    await page.getByLabel(/^Time saved/).fill('1h 05m');
    await send(page, 'Save');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Summary saved.');
    expect(await getSummary(t.db, id)).toMatchObject({ title: 'Vector search in Postgres: when pgvector is enough', timeSavedMinutes: 65, updatedBy: 'admin' });

    await send(page, 'Hide from digests');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Hidden: left out of issues planned from now on');
    expect((await getSummary(t.db, id))!.hiddenBy).toBe('admin');
    await send(page, 'Show in digests again');
    expect((await getSummary(t.db, id))!.hiddenAt).toBeNull();
    await send(page, 'Hide from digests'); // hidden in the screenshots, to show the notice
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('the list and a summary: no axe violation in light and dark, nothing sideways at 375 or 1280 px; screenshots', async () => {
    expect(id).toBeGreaterThan(0);
    for (const [name, url, title] of [
      ['summaries', `/admin/summaries?week=${WEEK}`, 'Summaries'],
      ['summary', `/admin/summaries/${id}`, 'Vector search in Postgres: when pgvector is enough'],
    ] as const) {
      const [shown, checked] = [await newPage(context), await newPage(axeContext)];
      try {
        await checked.goto(url);
        await expect.poll(() => h1(checked).textContent()).toBe(title);
        for (const colorScheme of ['light', 'dark'] as const) {
          await checked.emulateMedia({ colorScheme });
          const violations = await axeViolations(checked, colorScheme === 'dark' ? { rules: SCHEME_RULES } : {});
          expect(violations, `axe on ${name} in ${colorScheme}:\n${describeViolations(violations)}`).toEqual([]);
        }
        await shown.goto(url);
        for (const width of [375, 1280]) {
          await shown.setViewportSize({ width, height: width < 600 ? 812 : 900 });
          expect(await overflowsSideways(shown), `${name} scrolls sideways at ${width} px`).toBe(false);
          if (SCREENSHOTS) {
            const png = await shown.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
            if (UPDATE_DOCS) writeFileSync(path.join(DOCS, `admin-${name}-${width}.png`), png);
          }
        }
      } finally {
        await shown.close();
        await checked.close();
      }
    }
    expect(consoleErrors).toEqual([]);
  });
});
