// A reader's whole way through tagcast in real Chromium, against the real server, database, queues and
// workers (emails land in the outbox): subscribe, confirm from the email, change tags and time zone,
// get the next issue with exactly the new tags, one-click unsubscribe and undo. Then the same forms by
// keyboard alone, and with JavaScript switched off.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagSlug } from '../../src/lib/tags.ts';
import { summariesForWeek } from '../../src/db/summaries.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { focused, launchChromium, type Focused } from '../support/browser.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { textSections } from '../support/mail.ts';
import { waitForStatus } from '../support/pipeline.ts';
import { linkIn, startReaderSite, type ReaderSite } from '../support/reader-site.ts';
import { weekIssue } from '../support/issues.ts';

const DB = process.env.TAGCAST_TEST_DB ?? 'pglite';
const WEEK = '2026-W48';

interface Reader {
  status: string;
  timeZone: string;
  tags: string[];
  pausedUntil: Date | null;
}

describe.sequential(`a reader in Chromium on ${DB}`, () => {
  let t: TestDb;
  let site: ReaderSite;
  let browser: Browser;
  /** A reader's browser in Berlin: the strict CSP applies, as it does for everyone. */
  let context: BrowserContext;
  /** Console errors on any page (a script or style the CSP refused would show here). */
  const consoleErrors: string[] = [];

  async function reader(email: string): Promise<Reader | undefined> {
    const [row] = await t.db.query<Reader>(
      `select s.status, s.time_zone as "timeZone", s.paused_until as "pausedUntil",
              coalesce(array(select t.slug from subscriptions x join tags t on t.id = x.tag_id where x.subscriber_id = s.id order by t.slug), '{}') as tags
       from subscribers s where s.email = $1`,
      [email],
    );
    return row;
  }

  async function newPage(c: BrowserContext = context): Promise<Page> {
    const page = await c.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const timeZone = (page: Page) => page.getByLabel('Time zone');
  /** Clicks what sends a form and waits for the page that answers it. */
  async function send(page: Page, button: string) {
    await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), page.getByRole('button', { name: button, exact: true }).click()]);
    await page.waitForLoadState();
  }

  beforeAll(async () => {
    t = await createTestDb();
    [site, browser] = await Promise.all([startReaderSite(t), launchChromium()]);
    context = await browser.newContext({ baseURL: site.url, timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.drop();
  });

  it('subscribe → confirmation email → confirm → new tags and time zone → the next digest has exactly them → one-click unsubscribe → undo', async () => {
    const address = 'flow.reader@example.test';
    const page = await newPage();

    // Subscribe. The browser's own zone is filled in by the page's script (the server can only guess).
    await page.goto('/subscribe');
    await expect.poll(() => timeZone(page).inputValue()).toBe('Europe/Berlin');
    await page.getByLabel('Email address').fill(address);
    await page.getByLabel('Name').fill('Flo Reader');
    await page.getByRole('checkbox', { name: /^Rust/ }).check();
    await page.getByRole('checkbox', { name: /^Databases/ }).check();
    await timeZone(page).selectOption('Asia/Tokyo');
    await send(page, 'Subscribe');
    expect(await h1(page).textContent()).toBe('Check your inbox');
    expect(await reader(address)).toMatchObject({ status: 'pending', tags: [] });

    // The confirmation email names the tags asked for; its one link activates the reader.
    const confirmation = await site.email('notices', address);
    expect(confirmation.headers.get('subject')).toBe('Confirm your tagcast subscription');
    expect(confirmation.text).toContain('Databases, Rust');
    await page.goto(linkIn(confirmation, site.url, '/confirm'));
    expect(await h1(page).textContent()).toBe('You are subscribed');
    expect(await reader(address)).toMatchObject({ status: 'active', timeZone: 'Asia/Tokyo', tags: ['databases', 'rust'] });

    // Preferences, through the link on the page: what was asked for is what is shown.
    await Promise.all([page.waitForURL('**/preferences?t=*'), page.getByRole('link', { name: 'Your preferences' }).click()]);
    expect(await h1(page).textContent()).toBe('Your preferences');
    const preferencesUrl = page.url();
    const checked = () => page.locator('input[name=tags]:checked').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(await checked()).toEqual(['databases', 'rust']);
    expect(await timeZone(page).inputValue()).toBe('Asia/Tokyo');

    // Change tags and time zone: a zone whose calendar day differs from UTC's now (UTC+14 from 10:00
    // UTC, UTC-11 before), so a page that ignored it would show the wrong day below.
    const zone = new Date().getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
    await page.getByRole('checkbox', { name: /^Rust/ }).uncheck();
    await page.getByRole('checkbox', { name: /^Databases/ }).uncheck();
    await page.getByRole('checkbox', { name: /^AI/ }).check();
    await page.getByRole('checkbox', { name: /^Observability/ }).check();
    await timeZone(page).selectOption(zone);
    await send(page, 'Save');
    expect(new URL(page.url()).searchParams.get('done')).toBe('saved');
    expect(await page.getByRole('status').first().textContent()).toContain('Saved.');
    expect(await checked()).toEqual(['ai', 'observability']);
    expect(await timeZone(page).inputValue()).toBe(zone);
    expect(await reader(address)).toMatchObject({ status: 'active', timeZone: zone, tags: ['ai', 'observability'] });

    // The next issue: the reader's digest has a section for each new tag with content, and no other.
    const weekTags = new Set((await summariesForWeek(t.db, WEEK)).flatMap((s) => s.tags));
    const expected = ['AI', 'Observability'].filter((tag) => weekTags.has(tag));
    expect(expected).toEqual(['AI', 'Observability']); // the sample week has both: the check below means something
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    await sendIssueNow(t.db, site.harness.queues, issue.id);
    await waitForStatus(t.db, issue.id);
    const digest = await site.email(String(issue.id), address);
    // The text part writes section headings in capitals ("== AI ==").
    expect([...textSections(digest.text)].sort()).toEqual(expected.map((s) => s.toUpperCase()));
    expect(expected.map(tagSlug)).toEqual(['ai', 'observability']);
    expect(digest.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // The new zone shows where the page names a day: the issue sent, on the reader's own calendar.
    // (Sending at the reader's local time is not built yet; when it is, assert the delivery's send_at here.)
    const [delivery] = await t.db.query<{ submittedAt: Date }>(
      `select d.submitted_at as "submittedAt" from deliveries d join subscribers s on s.id = d.subscriber_id where s.email = $1 and d.issue_id = $2`,
      [address, issue.id],
    );
    const day = (timeZone: string) => delivery!.submittedAt.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone });
    await page.goto(preferencesUrl);
    expect(await page.getByRole('region', { name: 'Issues you were sent' }).textContent()).toContain(`sent ${day(zone)}`);

    // One-click unsubscribe from the email's List-Unsubscribe link: the GET only shows the button.
    const unsubscribeUrl = /<(https?:[^>]+)>/.exec(digest.headers.get('list-unsubscribe') ?? '')?.[1];
    expect(unsubscribeUrl?.startsWith(`${site.url}/unsubscribe?t=`)).toBe(true);
    await page.goto(unsubscribeUrl!);
    expect(await h1(page).textContent()).toBe('Unsubscribe');
    expect((await reader(address))?.status).toBe('active');
    const [post] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), send(page, 'Unsubscribe')]);
    // RFC 8058: exactly the one field, and a 200 page (never a redirect) that offers undo.
    expect(post.request().postData()).toBe('List-Unsubscribe=One-Click');
    expect(post.status()).toBe(200);
    expect(await h1(page).textContent()).toBe('You are unsubscribed');
    expect((await reader(address))?.status).toBe('unsubscribed');

    await send(page, 'Undo: subscribe me again');
    expect(await h1(page).textContent()).toBe('You are subscribed again');
    expect(await reader(address)).toMatchObject({ status: 'active', timeZone: zone, tags: ['ai', 'observability'] });
    await page.close();
  });

  /**
   * Tabs through the whole page from its top, then back with Shift+Tab: every stop shows a focus
   * indicator, the stops come in reading order (top to bottom, left to right within a line), and
   * Shift+Tab visits them in exactly the reverse order.
   */
  async function expectTabOrder(page: Page): Promise<Focused[]> {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const stops: Focused[] = [];
    for (let i = 0; ; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      // Past the last stop, focus leaves the page (to the browser's own controls).
      if (!f) break;
      if (i >= 200) throw new Error(`Tab never left the page: a focus trap? (at ${f.name})`);
      stops.push(f);
    }
    expect(stops.length).toBeGreaterThan(3);
    expect(stops[0]!.name).toMatch(/^a\.skip "Skip to content"/);
    for (const s of stops) {
      expect(s.indicator, `no visible focus on ${s.name}`).not.toBeNull();
      expect(s.box, `${s.name} is focused but has no box`).not.toBeNull();
    }
    for (let i = 1; i < stops.length; i++) {
      const a = stops[i - 1]!.box!;
      const b = stops[i]!.box!;
      const sameLine = Math.abs(b.y - a.y) <= 16;
      const inOrder = sameLine ? b.x > a.x : b.y > a.y;
      expect(inOrder, `tab order: ${stops[i]!.name} (${b.x},${b.y}) comes after ${stops[i - 1]!.name} (${a.x},${a.y})`).toBe(true);
    }
    // And back: from outside the page, Shift+Tab comes in at the last stop.
    const back: string[] = [];
    for (let i = 0; i < stops.length; i++) {
      await page.keyboard.press('Shift+Tab');
      back.push((await focused(page))?.name ?? 'nothing');
    }
    expect(back).toEqual(stops.map((s) => s.name).reverse());
    return stops;
  }

  /** Presses Tab until the focused element matches; the page's tab stops bound the search. */
  async function tabTo(page: Page, name: RegExp): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f && name.test(f.name)) {
        expect(f.indicator, `no visible focus on ${f.name}`).not.toBeNull();
        return;
      }
    }
    throw new Error(`Tab never reached ${name}`);
  }

  it('keyboard only: skip link first, subscribe with Tab, Space and Enter; preferences the same; focus always visible and in reading order', async () => {
    const address = 'keys.reader@example.test';
    const page = await newPage();
    await page.goto('/subscribe');
    const subscribeStops = await expectTabOrder(page);
    expect(subscribeStops.map((s) => s.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^input#email/), expect.stringMatching(/^select#time_zone/), expect.stringMatching(/^button "Subscribe"/)]),
    );
    // The honeypot field is never a stop.
    expect(subscribeStops.some((s) => s.name.startsWith('input#website'))).toBe(false);

    await page.goto('/subscribe');
    await page.keyboard.press('Tab');
    const skip = (await focused(page))!;
    expect(skip.name).toMatch(/^a\.skip/);
    // Shown when focused: inside the viewport, not parked off-screen.
    expect(skip.box!.x).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('Tab');
    expect((await focused(page))!.name).toMatch(/^input#email/);
    await page.keyboard.type(address);
    await tabTo(page, /^input#tag-kubernetes/);
    await page.keyboard.press('Space');
    await tabTo(page, /^input#tag-security/);
    await page.keyboard.press('Space');
    await tabTo(page, /^select#time_zone/);
    const before = await timeZone(page).inputValue();
    await page.keyboard.press('ArrowDown');
    const chosenZone = await timeZone(page).inputValue();
    expect(chosenZone).not.toBe(before);
    await tabTo(page, /^button "Subscribe"/);
    await Promise.all([page.waitForEvent('framenavigated'), page.keyboard.press('Enter')]);
    await page.waitForLoadState();
    expect(await h1(page).textContent()).toBe('Check your inbox');
    const [asked] = await t.db.query<{ payload: { tags: string[]; timeZone: string } }>(
      `select n.payload from notices n join subscribers s on s.id = n.subscriber_id where s.email = $1`,
      [address],
    );
    expect(asked?.payload).toMatchObject({ tags: ['kubernetes', 'security'], timeZone: chosenZone });

    // Confirm from the email, then reach preferences by keyboard.
    await page.goto(linkIn(await site.email('notices', address), site.url, '/confirm'));
    expect(await h1(page).textContent()).toBe('You are subscribed');
    await tabTo(page, /^a "Your preferences"/);
    await Promise.all([page.waitForURL('**/preferences?t=*'), page.keyboard.press('Enter')]);
    expect(await h1(page).textContent()).toBe('Your preferences');
    const prefStops = await expectTabOrder(page);
    expect(prefStops.map((s) => s.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^button "Save"/), expect.stringMatching(/^button.danger "Unsubscribe from everything"/)]));

    await page.reload();
    await tabTo(page, /^input#tag-rust/);
    await page.keyboard.press('Space');
    await tabTo(page, /^input#tag-kubernetes/);
    await page.keyboard.press('Space');
    await tabTo(page, /^button "Save"/);
    await Promise.all([page.waitForURL('**/preferences?t=*&done=saved'), page.keyboard.press('Enter')]);
    expect(await reader(address)).toMatchObject({ status: 'active', timeZone: chosenZone, tags: ['rust', 'security'] });

    // Pause with the keyboard too: a select changed with the arrow keys, then Enter on the button.
    await tabTo(page, /^select#weeks/);
    await page.keyboard.press('ArrowDown'); // 2 weeks → 3 weeks
    expect(await page.getByLabel('Pause digests for').inputValue()).toBe('3');
    await tabTo(page, /^button.secondary "Pause"/);
    await Promise.all([page.waitForURL('**/preferences?t=*&done=paused'), page.keyboard.press('Enter')]);
    const paused = (await reader(address))!.pausedUntil!;
    expect(paused.getTime() - Date.now()).toBeGreaterThan(20 * 86_400_000);
    await page.close();
  });

  it('works without JavaScript: subscribe, confirm, preferences, pause, unsubscribe and come back, one-click unsubscribe and undo', async () => {
    const address = 'no.script@example.test';
    const noScript = await browser.newContext({ baseURL: site.url, javaScriptEnabled: false, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    try {
      const page = await newPage(noScript);
      await page.goto('/subscribe');
      // No script ran: the field keeps the server's default, and the reader picks their zone.
      expect(await timeZone(page).inputValue()).toBe('UTC');
      await page.getByLabel('Email address').fill(address);
      await page.getByRole('checkbox', { name: /^Security/ }).check();
      await timeZone(page).selectOption('Europe/Lisbon');
      await send(page, 'Subscribe');
      expect(await h1(page).textContent()).toBe('Check your inbox');

      await page.goto(linkIn(await site.email('notices', address), site.url, '/confirm'));
      expect(await h1(page).textContent()).toBe('You are subscribed');
      expect(await reader(address)).toMatchObject({ status: 'active', timeZone: 'Europe/Lisbon', tags: ['security'] });

      await Promise.all([page.waitForURL('**/preferences?t=*'), page.getByRole('link', { name: 'Your preferences' }).click()]);
      await page.getByRole('checkbox', { name: /^Security/ }).uncheck();
      await page.getByRole('checkbox', { name: /^Careers/ }).check();
      await timeZone(page).selectOption('Pacific/Auckland');
      await send(page, 'Save');
      expect(new URL(page.url()).searchParams.get('done')).toBe('saved');
      expect(await reader(address)).toMatchObject({ status: 'active', timeZone: 'Pacific/Auckland', tags: ['careers'] });

      await page.getByLabel('Pause digests for').selectOption('1');
      await send(page, 'Pause');
      expect(new URL(page.url()).searchParams.get('done')).toBe('paused');
      expect((await reader(address))?.pausedUntil).not.toBeNull();
      await send(page, 'Resume now');
      expect((await reader(address))?.pausedUntil).toBeNull();

      await send(page, 'Unsubscribe from everything');
      expect(new URL(page.url()).searchParams.get('done')).toBe('unsubscribed');
      expect((await reader(address))?.status).toBe('unsubscribed');
      await send(page, 'Subscribe again');
      expect(new URL(page.url()).searchParams.get('done')).toBe('resubscribed');
      expect((await reader(address))?.status).toBe('active');

      const id = (await t.db.query<{ id: number }>(`select id from subscribers where email = $1`, [address]))[0]!.id;
      await page.goto(site.link('/unsubscribe', { purpose: 'unsubscribe', subscriberId: id }));
      await send(page, 'Unsubscribe');
      expect(await h1(page).textContent()).toBe('You are unsubscribed');
      expect((await reader(address))?.status).toBe('unsubscribed');
      await send(page, 'Undo: subscribe me again');
      expect(await h1(page).textContent()).toBe('You are subscribed again');
      expect(await reader(address)).toMatchObject({ status: 'active', tags: ['careers'] });
    } finally {
      await noScript.close();
    }
  });

  it('no page logged an error (a script or style refused by the CSP would)', () => {
    expect(consoleErrors).toEqual([]);
  });
});
