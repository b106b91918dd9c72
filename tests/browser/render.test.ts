// Both engines' digests in real Chromium at desktop and phone widths: no horizontal overflow, every
// section heading visible. With TAGCAST_SCREENSHOTS=1, screenshots go to test-artifacts/render/ for a person to look at.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleDigest, indexIssue } from '../../src/digest/assemble.ts';
import { createDigestRenderer } from '../../src/render/index.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';
import { corpusWeek, TAGS } from '../support/corpus.ts';

const ARTIFACTS = path.resolve('test-artifacts', 'render');

describe('digests in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const digest = assembleDigest(indexIssue('2026-W48', corpusWeek('2026-W48')), TAGS)!;
  const links = readerLinks({ secret: 's'.repeat(32), publicUrl: 'https://news.example.test', mailDomain: 'example.test', subscriberId: 1, issueId: 1 });

  for (const engine of ['react', 'mjml'] as const) {
    for (const width of [600, 375]) {
      it(`${engine} at ${width} px: no horizontal overflow, every section heading visible`, async () => {
        const { html } = await createDigestRenderer(engine).render(digest, links);
        const file = path.join(ARTIFACTS, `${engine}.html`);
        writeFileSync(file, html);
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        try {
          // Offline: the email must not need the network to lay out.
          await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
          await page.goto(`file://${file}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow).toBeLessThanOrEqual(0);
          const headings = page.locator('h2');
          expect(await headings.count()).toBe(digest.sections.length);
          for (let i = 0; i < digest.sections.length; i++) {
            const h = headings.nth(i);
            await expect.poll(() => h.isVisible()).toBe(true);
            expect((await h.textContent())?.trim()).toBe(digest.sections[i]!.tag);
            const box = (await h.boundingBox())!;
            expect(box.width).toBeGreaterThan(0);
            expect(box.x).toBeGreaterThanOrEqual(0);
            expect(box.x + box.width).toBeLessThanOrEqual(width);
          }
          if (SCREENSHOTS) await page.screenshot({ path: path.join(ARTIFACTS, `${engine}-${width}.png`), fullPage: true });
        } finally {
          await page.close();
        }
      });
    }
  }
});
