// The plain-text part, written from the digest model rather than scraped from HTML, so it reads well.
// The same parts as the HTML: contents, each section's why and way out, brief or full cards, a footer
// naming the reader's tags. The text part always holds every summary (the HTML may be cut to size).
import { briefSentence, contentsLine, contentsTotal, densityOf, densitySwitch, formatMinutes, summaryLine, tagList, unfollowHref, webAnchorHref, type Digest } from '../digest/assemble.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import { DEFAULT_PUBLICATION, type Publication } from './publication.ts';

export function renderText(digest: Digest, links: ReaderLinks, pub: Publication = DEFAULT_PUBLICATION): string {
  const density = densityOf(digest);
  const out: string[] = [];
  out.push(`${pub.name} · ${digest.issueName}`);
  if (pub.tagline) out.push(pub.tagline);
  out.push(`Your tags this week: ${summaryLine(digest)}`);
  out.push(`Web version: ${links.web}`, '');
  if (pub.note) out.push(pub.note.text, '', '---', '');
  out.push('IN THIS ISSUE');
  for (const s of digest.sections) {
    out.push(`* ${contentsLine(s)}`);
    for (const { summary } of s.items) out.push(`  - ${summary.title}`);
  }
  if (digest.totalMinutes > 0) out.push(contentsTotal(digest));
  out.push('', '---', '');
  for (const section of digest.sections) {
    out.push(`== ${section.tag.toUpperCase()} ==`);
    out.push(`You get this because you follow ${section.tag}. Stop ${section.tag}: ${unfollowHref(links, section.slug)}`, '');
    for (const { summary, alsoIn } of section.items) {
      const onTheWeb = webAnchorHref(links.web, summary.id);
      out.push(summary.title, summary.sourceUrl ?? onTheWeb);
      if (density === 'brief') {
        out.push('', briefSentence(summary), `Read on the web: ${onTheWeb}`, '');
        continue;
      }
      out.push('', 'The Signal', summary.signal, '', 'The Case');
      for (const p of summary.casePoints) out.push(`- ${p}`);
      out.push('', 'The 1 Minute Signal Take', summary.take);
      const meta = [
        summary.timeSavedMinutes ? `Time saved: ${formatMinutes(summary.timeSavedMinutes)}` : '',
        alsoIn.length > 0 ? `also in: ${alsoIn.join(', ')}` : '',
      ].filter(Boolean);
      if (meta.length > 0) out.push(meta.join(' · '));
      out.push('', '---', '');
    }
  }
  out.push(`You get this digest because you follow ${tagList(digest.sections.map((s) => s.tag))} on ${pub.name}.`);
  out.push(`Choose your tags: ${links.preferences}`);
  out.push(`${densitySwitch(density)}: ${links.density}`);
  out.push(`Unsubscribe: ${links.unsubscribe}`);
  if (pub.footer) out.push('', pub.footer);
  const address = pub.postalAddress.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (address.length > 0) out.push('', ...address);
  return out.join('\n') + '\n';
}
