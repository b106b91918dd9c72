// The pages a digest's own links open (issue 18): "Stop TAG" (/unfollow: the confirm page, the answer
// with undo, the last-tag answer offering unsubscribe) and "brief or full" (/density), in real Chromium:
// axe-core finds no WCAG 2.2 A/AA violation in light or dark, nothing scrolls sideways at 375 or 1280
// px, and the buttons work without JavaScript. With TAGCAST_SCREENSHOTS=1, screenshots at 375 and 1280 px
// go to test-artifacts/digest-links/; with TAGCAST_UPDATE_SCREENSHOTS=1 to docs/screenshots/ too (committed).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { tagIdsBySlug } from '../../src/db/unfollow.ts';
import { axeViolations, describeViolations, launchChromium, overflowsSideways, SCHEME_RULES, SCREENSHOTS, UPDATE_DOC_SCREENSHOTS } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { startReaderSite, type ReaderSite } from '../support/reader-site.ts';

const DB = process.env.TAGCAST_TEST_DB ?? 'pglite';
const ARTIFACTS = path.resolve('test-artifacts', 'digest-links');
const DOCS = path.resolve('docs', 'screenshots');
const UPDATE_DOCS = UPDATE_DOC_SCREENSHOTS;
const WIDTHS = [375, 1280];
const SCHEMES = ['light', 'dark'] as const;

describe.sequential(`the pages of a digest's links in Chromium on ${DB}`, () => {
  let t: TestDb;
  let site: ReaderSite;
  let browser: Browser;
  let axeContext: BrowserContext;
  let context: BrowserContext;
  let ai = 0;
  let n = 0;

  /** A reader following these tags; their id. */
  async function reader(tags: string[]): Promise<number> {
    const email = `digest-links-${++n}@example.test`;
    await upsertSubscribers(t.db, [{ email, name: null, timeZone: 'Europe/Berlin', tags, status: 'active', source: 'test' }]);
    const [row] = await t.db.query<{ id: number }>(`select id from subscribers where email = $1`, [email]);
    return row!.id;
  }

  beforeAll(async () => {
    if (SCREENSHOTS) mkdirSync(ARTIFACTS, { recursive: true });
    if (UPDATE_DOCS) mkdirSync(DOCS, { recursive: true });
    t = await createTestDb();
    [site, browser] = await Promise.all([startReaderSite(t), launchChromium()]);
    ai = (await tagIdsBySlug(t.db, ['ai'])).get('ai')!;
    const options = { baseURL: site.url, timezoneId: 'Europe/Berlin', locale: 'en-GB' };
    axeContext = await browser.newContext({ ...options, bypassCSP: true, viewport: { width: 1280, height: 900 } });
    context = await browser.newContext({ ...options, viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.drop();
  });

  const unfollow = (id: number) => site.link('/unfollow', { purpose: 'unfollow', subscriberId: id, issueId: 1, ref: ai });
  const density = (id: number) => site.link('/density', { purpose: 'density', subscriberId: id });

  interface Shown {
    name: string;
    h1: string;
    /** Opens the page for a fresh reader (each context its own, as sending a form changes what it says). */
    open(page: Page): Promise<void>;
  }
  const PAGES: Shown[] = [
    { name: 'unfollow', h1: 'Stop AI?', open: async (page) => void (await page.goto(unfollow(await reader(['ai', 'rust'])))) },
    {
      name: 'unfollow-done',
      h1: 'You stopped AI',
      async open(page) {
        await page.goto(unfollow(await reader(['ai', 'rust'])));
        await Promise.all([page.waitForURL('**/unfollow?t=*'), page.getByRole('button', { name: 'Stop AI' }).click()]);
      },
    },
    {
      name: 'unfollow-last',
      h1: 'AI is your only tag',
      async open(page) {
        await page.goto(unfollow(await reader(['ai'])));
      },
    },
    { name: 'density', h1: 'Brief or full digests', open: async (page) => void (await page.goto(`${density(await reader(['ai']))}&to=brief`)) },
    {
      name: 'density-saved',
      h1: 'Brief or full digests',
      async open(page) {
        await page.goto(density(await reader(['ai'])));
        await page.getByRole('radio', { name: /^Brief/ }).check();
        await Promise.all([page.waitForURL('**/density?t=*&done=saved'), page.getByRole('button', { name: 'Save' }).click()]);
      },
    },
  ];

  it('unfollow without JavaScript: the button stops the tag, undo follows it again', async () => {
    const ctx = await browser.newContext({ baseURL: site.url, javaScriptEnabled: false });
    const page = await ctx.newPage();
    try {
      const id = await reader(['ai', 'rust']);
      await page.goto(unfollow(id));
      await Promise.all([page.waitForURL('**/unfollow?t=*'), page.getByRole('button', { name: 'Stop AI' }).click()]);
      const tags = async () => (await t.db.query<{ slug: string }>(`select t.slug from subscriptions x join tags t on t.id = x.tag_id where x.subscriber_id = $1 order by 1`, [id])).map((r) => r.slug);
      expect(await tags()).toEqual(['rust']);
      await Promise.all([page.waitForURL('**/unfollow?t=*'), page.getByRole('button', { name: 'Undo: follow AI again' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'You follow AI again' }).waitFor();
      expect(await tags()).toEqual(['ai', 'rust']);
    } finally {
      await ctx.close();
    }
  });

  for (const p of PAGES) {
    it(`${p.name}: no WCAG 2.2 A/AA violation (axe), light and dark; nothing scrolls sideways at 375 or 1280 px; screenshots`, async () => {
      const [shown, checked] = await Promise.all([context.newPage(), axeContext.newPage()]);
      try {
        await Promise.all([p.open(shown), p.open(checked)]);
        for (const page of [shown, checked]) await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(p.h1);
        for (const colorScheme of SCHEMES) {
          await checked.emulateMedia({ colorScheme });
          const violations = await axeViolations(checked, colorScheme === 'dark' ? { rules: SCHEME_RULES } : {});
          expect(violations, `axe on ${p.name} in ${colorScheme}:\n${describeViolations(violations)}`).toEqual([]);
        }
        for (const width of WIDTHS) {
          await shown.setViewportSize({ width, height: width < 600 ? 812 : 900 });
          for (const colorScheme of SCHEMES) {
            await shown.emulateMedia({ colorScheme });
            expect(await overflowsSideways(shown), `${p.name} scrolls sideways at ${width} px in ${colorScheme}`).toBe(false);
          }
          if (SCREENSHOTS) {
            await shown.emulateMedia({ colorScheme: 'light' });
            const png = await shown.screenshot({ path: path.join(ARTIFACTS, `${p.name}-${width}.png`), fullPage: true });
            if (UPDATE_DOCS) writeFileSync(path.join(DOCS, `${p.name}-${width}.png`), png);
          }
        }
      } finally {
        await Promise.all([shown.close(), checked.close()]);
      }
    });
  }
});
