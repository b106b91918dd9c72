// The digest as a reader sees it in Chromium, both engines, at 375 and 1280 px: each contents link lands
// on its section, and the brief digest of a reader with 6 tags is under a third of the full one's
// height (both heights are printed). With TAGCAST_UPDATE_SCREENSHOTS=1, screenshots of brief and full
// side by side (375 px) go to docs/screenshots/ for a person to look at. axe finds no contrast problem in light or dark colour schemes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleDigest, indexIssue, type Density } from '../../src/digest/assemble.ts';
import { createDigestRenderer } from '../../src/render/index.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { axeViolations, describeViolations, launchChromium, SCHEME_RULES, UPDATE_DOC_SCREENSHOTS } from '../support/browser.ts';
import { corpusWeek } from '../support/corpus.ts';

const ARTIFACTS = path.resolve('test-artifacts', 'digest-density');
const DOCS = path.resolve('docs', 'screenshots');

const content = indexIssue('2026-W48', corpusWeek('2026-W48'));
// The six tags with the most summaries this week: the longest digest a six-tag reader can get.
const SIX = content.tags.slice(0, 6).map((t) => t.slug);
const digestOf = (density: Density) => assembleDigest(content, SIX, density)!;
const links = readerLinks({ secret: 's'.repeat(32), publicUrl: 'https://news.example.test', mailDomain: 'example.test', subscriberId: 1, issueId: 1, sections: SIX.map((slug, n) => ({ slug, tagId: n + 1 })) });

describe('brief and full digests in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    if (UPDATE_DOC_SCREENSHOTS) mkdirSync(DOCS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(engine: 'react' | 'mjml', density: Density, width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; file: string }> {
    const { html } = await createDigestRenderer(engine).render(digestOf(density), links);
    const file = path.join(ARTIFACTS, `${engine}-${density}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme });
    // Offline: the email must not need the network to lay out.
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(`file://${file}`);
    return { page, file };
  }

  for (const engine of ['react', 'mjml'] as const) {
    for (const width of [375, 1280]) {
      it(`${engine} at ${width} px: each contents link lands on its section, each title link on its summary`, async () => {
        const d = digestOf('brief');
        const { page } = await open(engine, 'brief', width);
        try {
          expect(d.sections).toHaveLength(6);
          for (const s of d.sections) {
            await page.evaluate(() => window.scrollTo(0, 0));
            await page.locator(`a[href="#tag-${s.slug}"]`).click();
            const heading = page.locator(`#tag-${s.slug}`);
            expect((await heading.textContent())?.trim()).toBe(s.tag);
            // Landed: the section's heading is on screen (at the top unless the page ends first).
            const box = (await heading.boundingBox())!;
            expect(box.y).toBeGreaterThanOrEqual(-1);
            expect(box.y + box.height).toBeLessThanOrEqual(800);
            expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
            const first = s.items[0]!.summary.id;
            await page.evaluate(() => window.scrollTo(0, 0));
            await page.locator(`a[href="#s-${first}"]`).click();
            const card = (await page.locator(`#s-${first}`).boundingBox())!;
            expect(card.y).toBeGreaterThanOrEqual(-1);
            expect(card.y + card.height).toBeLessThanOrEqual(800);
          }
        } finally {
          await page.close();
        }
      });
    }

    it(`${engine}: brief and full keep their contrast in light and dark colour schemes`, async () => {
      for (const density of ['brief', 'full'] as const) {
        for (const scheme of ['light', 'dark'] as const) {
          const { page } = await open(engine, density, 375, scheme);
          try {
            const found = await axeViolations(page, { rules: SCHEME_RULES });
            expect(found, `${density}, ${scheme}:\n${describeViolations(found)}`).toEqual([]);
          } finally {
            await page.close();
          }
        }
      }
    });

    it(`${engine} at 375 px: the brief digest of a six-tag reader is under a third of the full one's height`, async () => {
      const heights: Record<string, number> = {};
      for (const density of ['brief', 'full'] as const) {
        const { page } = await open(engine, density, 375);
        try {
          heights[density] = await page.evaluate(() => document.documentElement.scrollHeight);
        } finally {
          await page.close();
        }
      }
      console.log(`${engine} at 375 px, six tags: brief ${heights.brief} px, full ${heights.full} px (${((heights.brief! / heights.full!) * 100).toFixed(1)} %)`);
      expect(heights.brief! * 3).toBeLessThan(heights.full!);

      if (!UPDATE_DOC_SCREENSHOTS) return;
      // Side by side for a person: the first 1,600 px of each at 375 px.
      const side = path.join(ARTIFACTS, `${engine}-side-by-side.html`);
      const frame = (density: Density) =>
        `<figure style="margin:0 8px"><figcaption style="font:600 14px sans-serif;margin:0 0 4px">${density} · ${heights[density]} px tall</figcaption>` +
        `<iframe src="${engine}-${density}.html" width="375" height="1600" style="border:1px solid #999"></iframe></figure>`;
      writeFileSync(side, `<!doctype html><html><body style="margin:8px;display:flex;background:#fff">${frame('brief')}${frame('full')}</body></html>`);
      const page = await browser.newPage({ viewport: { width: 2 * 375 + 48, height: 1650 } });
      try {
        await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
        await page.goto(`file://${side}`);
        await page.screenshot({ path: path.join(DOCS, `digest-brief-full-${engine}-375.png`) });
      } finally {
        await page.close();
      }
    });
  }
});
