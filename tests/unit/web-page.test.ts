// The web version renders once per issue and assembles per reader (src/web/reader/web-page.tsx): React
// calls grow with the issue's content, never with the readers who open it, and each reader's assembled
// page is byte-identical to rendering that whole page from scratch.
import { describe, expect, it } from 'vitest';
import { assembleDigest, indexIssue, type Digest } from '../../src/digest/assemble.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { DEFAULT_PUBLICATION, type Publication } from '../../src/render/publication.ts';
import { issueWebPage, referencePage, webPageStats } from '../../src/web/reader/web-page.tsx';
import type { IssueParts } from '../../src/web/views/web-version.tsx';
import { corpusWeek, tagSets } from '../support/corpus.ts';
import { visibleText } from '../support/html.ts';

const week = corpusWeek('2026-W48');
// Content that spells the page's slots, and markup: each must show as itself.
const hostile = {
  ...week[0]!,
  id: 999_001,
  title: 'tc0ph0preferences0x <tc-slot>tagList</tc-slot> "tc0ph0unsubscribe0x"',
  signal: '<script>alert(1)</script>',
  // A tag whose name needs escaping in the reader's tag list and "Stop" line.
  tags: ['Q&A "live"'],
};
const content = indexIssue('2026-W48', [...week, hostile]);
const SLUGS = content.tags.map((t) => t.slug);
const links = (id: number) =>
  readerLinks({ secret: 's'.repeat(32), publicUrl: "https://news.example.test/a&b'c", mailDomain: 'example.test', subscriberId: id, issueId: 7, sections: SLUGS.map((slug, n) => ({ slug, tagId: n + 1 })) });
const digests = (n: number, seed?: number) =>
  tagSets(n, seed)
    .map((tags, n) => (n % 3 === 0 ? [...tags, 'Q&A "live"'] : tags))
    .map((tags) => assembleDigest(content, tags))
    .filter((d): d is Digest => d !== null);
const publication: Publication = { ...DEFAULT_PUBLICATION, name: 'Signal <&> Noise', tagline: 'tc0ph0density0x', footer: '<tc-slot>summaryLine</tc-slot>', postalAddress: '1 Main St\nSpringfield' };
const issue: IssueParts = { publication, issueName: 'Week 48 · 23–29 Nov 2026', archive: true, archiveHref: '/archive/7', accentCss: '/assets/accent/0b6bcb.css' };

describe('the web version: rendered once per issue, assembled per reader', () => {
  it('makes React calls bounded by the content, not the readers, and none for readers already seen', () => {
    const before = webPageStats.calls;
    const page = issueWebPage(content, issue);
    const readers = digests(1000);
    for (const [n, d] of readers.entries()) page.assemble(d, links(n), n % 2 ? 'brief' : 'full');
    const calls = webPageStats.calls - before;
    const cards = new Set(readers.flatMap((d) => d.sections.flatMap((s) => s.items.map((i) => `${i.summary.id}|${i.alsoIn}`)))).size;
    const entries = new Set(readers.flatMap((d) => d.sections.map((s) => `${s.slug}|${s.items.map((i) => i.summary.id)}`))).size;
    // The frame; a shell per tag; a card per summary and "also in" list; an entry per section and its titles.
    expect(calls).toBeLessThanOrEqual(1 + content.tags.length + cards + entries);
    expect(calls).toBeLessThan(readers.length / 5);
    // Another 1,000 page views of the same tag sets, each with its own links: no React call at all.
    for (const [n, d] of readers.entries()) page.assemble(d, links(5000 + n), 'full');
    expect(webPageStats.calls - before).toBe(calls);
  });

  it("assembles exactly the bytes of a from-scratch render of each reader's page", () => {
    const page = issueWebPage(content, issue);
    const readers = digests(60, 11);
    expect(readers.length).toBeGreaterThan(30);
    for (const [n, d] of readers.entries()) {
      const density = n % 2 ? 'brief' : 'full';
      expect(page.assemble(d, links(n), density), `reader ${n}`).toBe(referencePage(issue, d, links(n), density));
    }
  });

  it('keeps an assembled page for its digest, density and links only: other links or the other density get their own bytes', () => {
    const page = issueWebPage(content, issue);
    const d = digests(5, 3)[0]!;
    // Each in turn, then again: a kept page is answered only for exactly what it was assembled with.
    const views = [
      [1, 'full'],
      [2, 'full'],
      [1, 'brief'],
      [1, 'full'],
      [2, 'brief'],
    ] as const;
    for (const [reader, density] of [...views, ...views]) {
      expect(page.assemble(d, links(reader), density), `reader ${reader} ${density}`).toBe(referencePage(issue, d, links(reader), density));
    }
  });

  it("gives readers of the same tags one shared digest, the one assembleDigest makes", () => {
    const page = issueWebPage(content, issue);
    for (const tags of tagSets(50, 5)) {
      const d = page.digestOf(tags);
      expect(d).toEqual(assembleDigest(content, tags));
      expect(page.digestOf([...tags])).toBe(d);
    }
  });

  it('shows content that spells a slot as itself, and the reader values in their places', () => {
    const page = issueWebPage(content, issue);
    const d = assembleDigest(content, hostile.tags)!;
    const html = page.assemble(d, links(3), 'full');
    const text = visibleText(html);
    expect(text).toContain(hostile.title);
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('Signal <&> Noise');
    expect(text).toContain('<tc-slot>summaryLine</tc-slot>');
    expect(html).not.toMatch(/<tc-slot>|<script>/);
    const l = links(3);
    const attr = (url: string) => `href="${url.replaceAll('&', '&amp;').replaceAll("'", '&#x27;')}"`;
    expect(html).toContain(attr(l.preferences));
    expect(html).toContain(attr(l.unsubscribe));
    expect(html).toContain(attr(l.density));
    expect(html).toContain(attr(l.unfollow[d.sections[0]!.slug]!));
    expect(text).toContain('You get this because you follow Q&A "live" · Stop Q&A "live"');
    expect(html).toContain(`id="s-${hostile.id}"`);
    expect(html).toContain(`id="tag-${d.sections[0]!.slug}"`);
  });
});
