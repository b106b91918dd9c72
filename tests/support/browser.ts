// The one way browser tests start Chromium: the system's (CHROMIUM_PATH or /usr/bin/chromium, checked
// by the run's global setup before any test starts), headless, offline-friendly.
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './env.ts';

// Screenshots are for a person to look at; no test asserts on one, and each costs Chromium a render
// and an encode. So they are taken only when asked, while every check beside them (axe, layout, focus)
// runs every time:
//   TAGCAST_SCREENSHOTS=1         into test-artifacts/ (to look at what a run drew)
//   TAGCAST_UPDATE_SCREENSHOTS=1  there and into docs/screenshots/ (the committed ones the docs show)
export const UPDATE_DOC_SCREENSHOTS = process.env.TAGCAST_UPDATE_SCREENSHOTS === '1';
export const SCREENSHOTS = UPDATE_DOC_SCREENSHOTS || process.env.TAGCAST_SCREENSHOTS === '1';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/** A new tab whose console errors and uncaught exceptions are added to `errors` (a 4xx the test asked for is not one). */
export async function watchedPage(c: BrowserContext, errors: string[]): Promise<Page> {
  const page = await c.newPage();
  page.on('console', (m) => {
    // A 4xx the test asked for (a refused action, a wrong password) is logged by Chromium too; not a fault.
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  return page;
}

/** Clicks a button that sends a form and waits for the page that answers it. */
export async function sendForm(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), page.getByRole('button', { name: button, exact: true }).click()]);
  await page.waitForLoadState();
}

// ---------------------------------------------------------------------------------------------
// Accessibility: axe-core, injected from node_modules (not @axe-core/playwright, whose 4.14 needs
// Node 22). Injecting adds an inline <script>, which the pages' CSP (`script-src 'self'`) refuses, and
// axe builds its messages with `new Function`, which the CSP refuses too (even when injected over the
// DevTools protocol): run it in a context made with `bypassCSP: true`, and keep such contexts for axe alone.

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; html: string; summary: string }[];
}

/** axe's WCAG A/AA violations on the page as it is now (colour scheme included). */
export async function axeViolations(page: Page, opts: { rules?: string[] } = {}): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(async ({ tags, rules }) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeRaw[] }> } }).axe;
    interface AxeRaw {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: unknown[]; html: string; failureSummary?: string }[];
    }
    const runOnly = rules ? { type: 'rule', values: rules } : { type: 'tag', values: tags };
    const r = await axe.run(document, { runOnly, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary ?? '' })),
    }));
  }, { tags: WCAG_TAGS, rules: opts.rules });
}

/**
 * The rules a colour scheme can change: the others read structure, names and roles, which are the
 * same in light and dark. A page checked with every rule in one scheme needs only these in the other.
 */
export const SCHEME_RULES = ['color-contrast', 'link-in-text-block'];

/** Violations as lines a person can act on (the failure message of an expect). */
export function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  at ${n.target}: ${n.html}\n    ${n.summary.replace(/\n/g, '\n    ')}`).join('\n')}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Layout and focus.

/** Whether the page scrolls sideways at its current width. */
export function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/**
 * Elements that scroll sideways but that a keyboard cannot reach: each is named `tag.class`. A
 * scroller needs a place in the tab order (tabindex 0) for Firefox and Safari to let a keyboard scroll it.
 */
export function scrollersOutOfReach(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1 && el.tabIndex < 0)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  );
}

export interface Focused {
  /** `tag#id.class "its text"`: enough to name it in a failure. */
  name: string;
  box: { x: number; y: number; width: number; height: number } | null;
  /** The focus indicator: a visible outline, or a box shadow. */
  indicator: string | null;
}

/** The element that has focus, where it is on the page, and how its focus shows. */
export function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 ? `outline ${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}` : null;
    const shadow = s.boxShadow && s.boxShadow !== 'none' ? `box-shadow ${s.boxShadow}` : null;
    const r = el.getBoundingClientRect();
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}${text ? ` "${text}"` : ''}`;
    return { name, box: r.width || r.height ? { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height } : null, indicator: outline ?? shadow };
  });
}
