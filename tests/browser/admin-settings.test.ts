// The publication settings page in real Chromium: axe-core finds no WCAG 2.2 A/AA violation in light or
// dark (also with a refused field), nothing scrolls sideways at 375 or 1280 px, the form works without
// JavaScript; with TAGCAST_UPDATE_SCREENSHOTS=1, screenshots of it (375, 1280) and of a digest with a
// logo, accent and note go to docs/screenshots/ (looked at by whoever changes them).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/cli/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { assembleDigest, indexIssue } from '../../src/digest/assemble.ts';
import { createDigestRenderer } from '../../src/render/index.ts';
import { renderNote } from '../../src/render/note.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { createServer } from '../../src/web/app.ts';
import { axeViolations, describeViolations, launchChromium, overflowsSideways, SCHEME_RULES, UPDATE_DOC_SCREENSHOTS } from '../support/browser.ts';
import { corpusWeek } from '../support/corpus.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

const DB = process.env.TAGCAST_TEST_DB ?? 'pglite';
const PASSWORD = 'an editor password for the settings';
const DOCS = path.resolve('docs', 'screenshots');
// A 1×1-free logo: an SVG served for the https URL the digest names (the browser has no network).
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40"><rect width="40" height="40" rx="8" fill="#2e7d32"/><text x="50" y="28" font-family="Helvetica" font-size="20" fill="#2e7d32">Gardener</text></svg>';

describe.sequential(`the settings page in Chromium on ${DB}`, () => {
  let t: TestDb;
  let app: FastifyInstance;
  let browser: Browser;
  let context: BrowserContext;
  let axeContext: BrowserContext;

  beforeAll(async () => {
    if (UPDATE_DOC_SCREENSHOTS) mkdirSync(DOCS, { recursive: true });
    t = await createTestDb();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = loadConfig({ PUBLIC_URL: url, SECRET: 'settings-browser-secret-0123456789abcdef', LOG_LEVEL: 'silent', ADMIN_PASSWORD: PASSWORD }, '/nonexistent');
    app = await createServer({ db: t.db, config, log: pino({ level: 'silent' }), rateLimits: { global: { max: 100_000, timeWindow: 60_000 } } });
    await app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
    const options = { baseURL: url, timezoneId: 'UTC', locale: 'en-GB', viewport: { width: 1280, height: 900 }, javaScriptEnabled: false };
    [context, axeContext] = await Promise.all([browser.newContext(options), browser.newContext({ ...options, javaScriptEnabled: true, bypassCSP: true })]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  const logIn = async (page: Page) => {
    await page.goto('/admin/login?next=/admin/settings');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL('**/admin/settings'), page.click('button[type=submit]')]);
  };

  async function check(page: Page, what: string) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const v = await axeViolations(page, colorScheme === 'dark' ? { rules: SCHEME_RULES } : {});
      expect(v, `axe on ${what} in ${colorScheme}:\n${describeViolations(v)}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  it('saves without JavaScript, refuses a low-contrast accent beside its field; axe-clean; no sideways scrolling; screenshots', async () => {
    const page = await context.newPage();
    const axePage = await axeContext.newPage();
    try {
      await logIn(page);
      await page.fill('#set-name', 'The Gardener');
      await page.fill('#set-accent', '#ffcc00');
      await Promise.all([page.waitForLoadState(), page.click('form.card button[type=submit]')]);
      expect(await page.textContent('#set-accent-error')).toContain('contrast of 1.51:1 against white');
      expect(await page.inputValue('#set-name')).toBe('The Gardener');
      await page.fill('#set-accent', '#2e7d32');
      await page.fill('#set-tagline', 'Soil, signal and the odd weed');
      await page.fill('#set-logo', 'https://cdn.example.test/gardener.svg');
      await page.fill('#set-address', '1 Allotment Row\nLeeds LS1 1AA');
      await Promise.all([page.waitForURL('**/admin/settings?done=settings-saved'), page.click('form.card button[type=submit]')]);
      expect(await page.textContent('.site-header .brand')).toBe('The Gardener');
      expect(await page.inputValue('#set-address')).toBe('1 Allotment Row\nLeeds LS1 1AA');

      await logIn(axePage);
      await check(axePage, 'the settings page');
      await axePage.fill('#set-accent', '#ffff00');
      await Promise.all([axePage.waitForLoadState(), axePage.click('form.card button[type=submit]')]);
      await check(axePage, 'the settings page with a refused field');

      for (const width of [375, 1280]) {
        await page.setViewportSize({ width, height: width < 600 ? 812 : 900 });
        expect(await overflowsSideways(page), `scrolls sideways at ${width} px`).toBe(false);
        if (UPDATE_DOC_SCREENSHOTS) writeFileSync(path.join(DOCS, `settings-${width}.png`), await page.screenshot({ fullPage: true }));
      }
    } finally {
      await Promise.all([page.close(), axePage.close()]);
    }
  });

  it('a digest with the logo, accent, postal address and an editor note (React engine): screenshot', async () => {
    const content = indexIssue('2026-W48', corpusWeek('2026-W48'));
    const digest = assembleDigest(content, content.tags.slice(0, 2).map((x) => x.slug))!;
    const accent = '#2e7d32';
    const renderer = createDigestRenderer('react', {
      publication: {
        name: 'The Gardener',
        tagline: 'Soil, signal and the odd weed',
        logoUrl: 'https://cdn.example.test/gardener.svg',
        accent,
        footer: 'Written in Leeds by two people and a cat.',
        postalAddress: '1 Allotment Row\nLeeds LS1 1AA',
        senderName: 'The Gardener',
        replyTo: null,
        note: renderNote('A **short** week: the frost came early.\n\n- the [seed swap](https://example.test/swap) is on Saturday', accent),
      },
    });
    const { html } = await renderer.render(digest, readerLinks({ secret: 's'.repeat(32), publicUrl: 'https://news.example.test', mailDomain: 'example.test', subscriberId: 1, issueId: 7 }));
    const page = await browser.newPage({ viewport: { width: 640, height: 900 } });
    try {
      await page.route('https://cdn.example.test/gardener.svg', (route) => route.fulfill({ contentType: 'image/svg+xml', body: LOGO_SVG }));
      await page.setContent(html, { waitUntil: 'load' });
      expect(await page.evaluate(() => (document.querySelector('img') as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      if (UPDATE_DOC_SCREENSHOTS) writeFileSync(path.join(DOCS, 'digest-identity.png'), await page.screenshot({ fullPage: false }));
    } finally {
      await page.close();
    }
  });
});
