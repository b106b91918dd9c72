// Every reader page, in every state a reader meets it, in real Chromium: axe-core finds no WCAG 2.2
// A/AA violation in light or dark; nothing scrolls sideways at 320 or 1280 px in either scheme.
// With TAGCAST_SCREENSHOTS=1, a whole-page screenshot of each at 1280 px goes to test-artifacts/reader/ for a person
// to look at, with screen-high ones of the documented few in screen/. Runs on PGlite only (see
// vitest.config.ts). To refresh those in docs/screenshots/ (committed; shown by
// README.md and docs/reader-pages.md):
//   TAGCAST_UPDATE_SCREENSHOTS=1 npx vitest run --project browser-pglite tests/browser/reader-pages.test.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNotice } from '../../src/db/notices.ts';
import { confirmSubscription, requestSubscription, setPause, unsubscribe } from '../../src/db/readers.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { mailboxKey } from '../../src/lib/mail.ts';
import { axeViolations, describeViolations, launchChromium, overflowsSideways, SCHEME_RULES, SCREENSHOTS, UPDATE_DOC_SCREENSHOTS } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { waitForStatus } from '../support/pipeline.ts';
import { startReaderSite, type ReaderSite } from '../support/reader-site.ts';
import { weekIssue } from '../support/issues.ts';

const DB = process.env.TAGCAST_TEST_DB ?? 'pglite';
const ARTIFACTS = path.resolve('test-artifacts', 'reader');
const WEEK = '2026-W48';
// The narrowest phone and a desktop: a layout that holds at both holds between them (the docs'
// 375 px shots are taken too).
const WIDTHS = [320, 1280];
const SCHEMES = ['light', 'dark'] as const;
/** The screenshots in README.md and docs/reader-pages.md: one screen high, as a reader first sees the page. */
const README_SHOTS: Record<string, { width: number; dark?: boolean }[]> = {
  subscribe: [{ width: 1280 }, { width: 375, dark: true }],
  preferences: [{ width: 375 }],
  unsubscribed: [{ width: 375 }],
  issue: [{ width: 1280 }],
  'web-version': [{ width: 1280 }, { width: 375 }],
};
const SHOT_MAX = 3000;
const DOCS = path.resolve('docs', 'screenshots');
const UPDATE_DOCS = UPDATE_DOC_SCREENSHOTS;

interface ReaderPage {
  name: string;
  /** Its <h1>: proves the page is the one meant, not an error in its place. */
  h1: string | RegExp;
  /**
   * Opens it in the page (a navigation, or a form sent from another page). `n` is 0 in the reader's
   * context and 1 in axe's, which run side by side: where sending a form changes what the page says,
   * each uses its own reader.
   */
  open(page: Page, n: 0 | 1): Promise<void>;
}

describe.sequential(`reader pages in Chromium on ${DB}`, () => {
  let t: TestDb;
  let site: ReaderSite;
  let browser: Browser;
  /** For axe only: its injected script is inline, which the pages' CSP refuses. */
  let axeContext: BrowserContext;
  /** As a reader's browser: CSP enforced, the time zone of a reader in Berlin. */
  let context: BrowserContext;
  const ids = { active: 0, paused: 0, gone: 0, leavers: [0, 0], pending: [{ id: 0, notice: 0 }, { id: 0, notice: 0 }] };
  let issueId = 0;

  /** A reader who subscribed through the page and confirmed: their id (and the notice that confirmed them). */
  async function reader(email: string, tags: string[], confirm = true): Promise<{ id: number; notice: number }> {
    const r = await requestSubscription(t.db, { email, mailbox: mailboxKey(email), tags, timeZone: 'Europe/Berlin', name: null });
    if (r.kind !== 'confirm') throw new Error(`no confirmation for ${email}: ${r.kind}`);
    const n = (await getNotice(t.db, r.noticeId))!;
    if (confirm) expect(await confirmSubscription(t.db, n.subscriberId, n.id)).toBe('confirmed');
    return { id: n.subscriberId, notice: n.id };
  }

  beforeAll(async () => {
    if (SCREENSHOTS) mkdirSync(path.join(ARTIFACTS, 'screen'), { recursive: true });
    if (UPDATE_DOCS) mkdirSync(DOCS, { recursive: true });
    t = await createTestDb();
    [site, browser] = await Promise.all([startReaderSite(t), launchChromium()]);
    ids.active = (await reader('ada@example.test', ['ai', 'rust', 'observability'])).id;
    ids.paused = (await reader('pat@example.test', ['ai'])).id;
    ids.gone = (await reader('gus@example.test', ['rust'])).id;
    ids.leavers = [(await reader('lee@example.test', ['ai'])).id, (await reader('leo@example.test', ['ai'])).id];
    ids.pending = [await reader('pen@example.test', ['databases'], false), await reader('pia@example.test', ['databases'], false)];
    // A sent issue: the archive, tag and issue pages, the web version and the history have content.
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    issueId = issue.id;
    await sendIssueNow(t.db, site.harness.queues, issue.id);
    await waitForStatus(t.db, issue.id);
    await setPause(t.db, ids.paused, 3);
    await unsubscribe(t.db, ids.gone, null);
    const options = { baseURL: site.url, timezoneId: 'Europe/Berlin', locale: 'en-GB' };
    axeContext = await browser.newContext({ ...options, bypassCSP: true, viewport: { width: 1280, height: 900 } });
    context = await browser.newContext({ ...options, viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.drop();
  });

  const goto = (url: (n: 0 | 1) => string) => async (page: Page, n: 0 | 1) => void (await page.goto(url(n)));
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
  const preferences = (id: () => number, extra = '') => goto(() => site.link('/preferences', { purpose: 'preferences', subscriberId: id() }) + extra);
  const PAGES: ReaderPage[] = [
    { name: 'subscribe', h1: 'Get a weekly digest of the tags you follow', open: goto(() => '/subscribe') },
    {
      name: 'subscribe-errors',
      h1: 'Get a weekly digest of the tags you follow',
      async open(page) {
        await page.goto('/subscribe');
        await page.getByLabel('Email address').fill('not an address');
        await Promise.all([page.waitForURL('**/subscribe'), page.getByRole('button', { name: 'Subscribe' }).click()]);
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('2 things to fix');
      },
    },
    {
      name: 'check-your-inbox',
      h1: 'Check your inbox',
      async open(page) {
        await page.goto('/subscribe');
        await page.getByLabel('Email address').fill('new.reader@example.test');
        await page.getByRole('checkbox', { name: /^AI/ }).check();
        await Promise.all([page.waitForURL('**/subscribe'), page.getByRole('button', { name: 'Subscribe' }).click()]);
      },
    },
    {
      name: 'confirmed',
      h1: 'You are subscribed',
      open: goto((n) => site.link('/confirm', { purpose: 'confirm', subscriberId: ids.pending[n]!.id, ref: ids.pending[n]!.notice, expires: inAnHour() })),
    },
    { name: 'preferences', h1: 'Your preferences', open: preferences(() => ids.active) },
    { name: 'preferences-saved', h1: 'Your preferences', open: preferences(() => ids.active, '&done=saved') },
    {
      name: 'preferences-errors',
      h1: 'Your preferences',
      async open(page, n) {
        await preferences(() => ids.active)(page, n);
        const ticked = await page.locator('input[name=tags]:checked').evaluateAll((els) => els.map((e) => e.id));
        for (const id of ticked) await page.locator(`#${id}`).uncheck();
        await Promise.all([page.waitForURL('**/preferences?t=*'), page.getByRole('button', { name: 'Save' }).click()]);
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('Choose at least one tag');
      },
    },
    { name: 'preferences-paused', h1: 'Your preferences', open: preferences(() => ids.paused) },
    { name: 'preferences-unsubscribed', h1: 'Your preferences', open: preferences(() => ids.gone) },
    { name: 'unsubscribe', h1: 'Unsubscribe', open: goto((n) => site.link('/unsubscribe', { purpose: 'unsubscribe', subscriberId: ids.leavers[n]!, issueId })) },
    {
      name: 'unsubscribed',
      h1: 'You are unsubscribed',
      async open(page, n) {
        await page.goto(site.link('/unsubscribe', { purpose: 'unsubscribe', subscriberId: ids.leavers[n]!, issueId }));
        await Promise.all([page.waitForURL('**/unsubscribe?t=*'), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
        await page.getByRole('heading', { level: 1, name: 'You are unsubscribed' }).waitFor();
      },
    },
    { name: 'delete-confirm', h1: 'Erase your data?', open: goto(() => site.link('/preferences/delete', { purpose: 'delete', subscriberId: ids.active, ref: 1, expires: inAnHour() })) },
    { name: 'archive', h1: 'Archive', open: goto(() => '/archive') },
    { name: 'issue', h1: 'Week 48 · 23–29 Nov 2026', open: goto(() => `/archive/${issueId}`) },
    { name: 'tag', h1: 'AI', open: goto(() => '/tags/ai') },
    { name: 'not-found', h1: 'Not Found', open: goto(() => '/nothing-here') },
    { name: 'link-expired', h1: 'Link expired', open: goto(() => site.link('/confirm', { purpose: 'confirm', subscriberId: ids.active, ref: 1, expires: Math.floor(Date.now() / 1000) - 60 })) },
    { name: 'web-version', h1: 'Week 48 · 23–29 Nov 2026', open: goto(() => site.link(`/web/${issueId}`, { purpose: 'web', subscriberId: ids.active, issueId })) },
  ];

  /** The whole page, down to SHOT_MAX px (the issue and web-version pages run to 12 000). */
  async function wholePage(page: Page) {
    const { width, height } = await page.evaluate(() => ({ width: document.documentElement.clientWidth, height: document.documentElement.scrollHeight }));
    return { fullPage: true, clip: { x: 0, y: 0, width, height: Math.min(height, SHOT_MAX) } };
  }

  async function expectPage(page: Page, p: ReaderPage) {
    if (p.name === 'web-version') {
      // A page of the site around the reader's sections: the site's header and footer, the contents, each section.
      await expect.poll(() => page.locator('.digest-section > h2').allTextContents()).toEqual(['AI', 'Observability', 'Rust']);
      expect(await page.locator('header.site-header, footer.site-footer').count()).toBe(2);
    }
    const h1 = page.getByRole('heading', { level: 1 });
    await expect.poll(() => h1.textContent()).toMatch(typeof p.h1 === 'string' ? new RegExp(`^${p.h1.replace(/[?.]/g, '\\$&')}$`) : p.h1);
  }

  it('the checks fail on a broken page (so a pass below means something)', async () => {
    const page = await axeContext.newPage();
    try {
      await page.goto('/subscribe');
      expect(await overflowsSideways(page)).toBe(false);
      // Break the page the way a careless change would: an unlabelled field, faint text, a wide block.
      await page.evaluate(() => {
        document.querySelector('label[for=email]')!.remove();
        document.querySelector<HTMLElement>('.lede')!.style.color = '#c8ccd0';
        document.querySelector('main')!.insertAdjacentHTML('beforeend', '<pre>' + 'x'.repeat(400) + '</pre>');
      });
      const found = (await axeViolations(page)).map((v) => v.id);
      expect(found).toEqual(expect.arrayContaining(['label', 'color-contrast']));
      expect(await overflowsSideways(page)).toBe(true);
    } finally {
      await page.close();
    }
  });

  /** No page scrolls sideways at any width, in either scheme; screenshots for people and the docs. */
  async function checkLayout(page: Page, p: ReaderPage) {
    await p.open(page, 0);
    await expectPage(page, p);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 800 : 900 });
      for (const colorScheme of SCHEMES) {
        await page.emulateMedia({ colorScheme });
        expect(await overflowsSideways(page), `${p.name} scrolls sideways at ${width} px in ${colorScheme}`).toBe(false);
        // One whole-page shot per page, for people to look at; the checks above are what the test asserts.
        if (SCREENSHOTS && width === 1280 && colorScheme === 'light') await page.screenshot({ path: path.join(ARTIFACTS, `${p.name}-${width}.png`), ...(await wholePage(page)) });
      }
    }
    for (const shot of SCREENSHOTS ? (README_SHOTS[p.name] ?? []) : []) {
      await page.setViewportSize({ width: shot.width, height: shot.width < 600 ? 812 : 900 });
      await page.emulateMedia({ colorScheme: shot.dark ? 'dark' : 'light' });
      await page.evaluate(() => window.scrollTo(0, 0));
      const file = `${p.name}-${shot.width}${shot.dark ? '-dark' : ''}.png`;
      const png = await page.screenshot({ path: path.join(ARTIFACTS, 'screen', file) });
      if (UPDATE_DOCS) writeFileSync(path.join(DOCS, file), png);
    }
  }

  async function checkAccessibility(page: Page, p: ReaderPage) {
    await p.open(page, 1);
    await expectPage(page, p);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      // Every rule in light; in dark only those a colour scheme can change.
      const violations = await axeViolations(page, colorScheme === 'dark' ? { rules: SCHEME_RULES } : {});
      expect(violations, `axe on ${p.name} in ${colorScheme}:\n${describeViolations(violations)}`).toEqual([]);
    }
  }

  for (const p of PAGES) {
    it(`${p.name}: no WCAG 2.2 A/AA violation (axe), light and dark; nothing scrolls sideways at ${WIDTHS.join(', ')} px; screenshots`, async () => {
      // Side by side, in their two contexts: the test process waits on Chromium either way.
      const [shown, checked] = await Promise.all([context.newPage(), axeContext.newPage()]);
      try {
        await Promise.all([checkLayout(shown, p), checkAccessibility(checked, p)]);
      } finally {
        await Promise.all([shown.close(), checked.close()]);
      }
    });
  }
});
