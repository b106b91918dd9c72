// Per-email cost of fragment assembly against a full per-reader render, for React and for MJML, on the
// same 2,000 readers (the sample corpus, week 2026-W48) in the same run. value and baseline are
// emails per second; ratio = how many times faster assembly is. Both densities (brief, full), each
// with its own JSON lines (`density` in the details). Assembly includes rendering the
// issue's fragments (a fresh renderer per round), so the figure is what one worker really pays.
import { assembleDigest, indexIssue, type Digest } from '../src/digest/assemble.ts';
import { createDigestRenderer } from '../src/render/index.ts';
import { createEngine } from '../src/render/engines.tsx';
import { readerLinks, type ReaderLinks } from '../src/lib/reader-links.ts';
import { corpusWeek, tagSets } from '../tests/support/corpus.ts';
import { median, report } from './_report.ts';

const READERS = Number(process.env.BENCH_READERS ?? 2000);

export async function run(): Promise<void> {
  const content = indexIssue('2026-W48', corpusWeek('2026-W48'));
  for (const density of ['full', 'brief'] as const) {
    const readers: { digest: Digest; links: ReaderLinks }[] = [];
    for (const [n, tags] of tagSets(READERS * 2, 99).entries()) {
      const digest = assembleDigest(content, tags, density);
      if (digest && readers.length < READERS) {
        const links = readerLinks(
          {
            secret: 's'.repeat(32),
            publicUrl: 'https://news.example.com',
            mailDomain: 'example.com',
            subscriberId: n + 1,
            issueId: 1,
            sections: digest.sections.map((s, n) => ({ slug: s.slug, tagId: n + 1 })),
          },
        );
        readers.push({ digest, links });
      }
    }
    for (const engine of ['react', 'mjml'] as const) {
      const rounds: number[] = [];
      let bytes = 0;
      for (let round = 0; round < 3; round++) {
        const renderer = createDigestRenderer(engine);
        const t = performance.now();
        await renderer.prepare(readers.map((r) => r.digest));
        for (const r of readers) bytes = (await renderer.render(r.digest, r.links)).html.length;
        rounds.push(performance.now() - t);
      }
      void bytes;
      const full = createEngine(engine);
      const t = performance.now();
      for (const r of readers) full.finish(await full.renderFull(r.digest, r.links));
      const fullMs = performance.now() - t;
      const assembled = median(rounds);
      // The full density keeps its old name, so earlier runs still compare.
      report(`render.${engine}${density === 'full' ? '' : `.${density}`}.per-email`, (READERS / assembled) * 1000, 'emails/s', (READERS / fullMs) * 1000, {
        readers: READERS,
        density,
        assembledUsPerEmail: Math.round((assembled / READERS) * 1000),
        fullUsPerEmail: Math.round((fullMs / READERS) * 1000),
        baselineName: 'full render per reader',
      });
    }
  }
}
