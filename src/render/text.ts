// The plain-text part, written from the digest model rather than scraped from HTML, so it reads well.
import { formatMinutes, type Digest } from '../digest/assemble.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import { DEFAULT_PUBLICATION, type Publication } from './publication.ts';

export function renderText(digest: Digest, links: ReaderLinks, pub: Publication = DEFAULT_PUBLICATION): string {
  const out: string[] = [];
  out.push(`${pub.name} · ${digest.weekLabel}`);
  if (pub.tagline) out.push(pub.tagline);
  out.push(
    `Your tags this week: ${digest.summaryCount} ${digest.summaryCount === 1 ? 'summary' : 'summaries'}` +
      (digest.totalMinutes > 0 ? ` · saves you ${formatMinutes(digest.totalMinutes)} of watching and reading` : ''),
  );
  out.push(`Web version: ${links.web}`, '');
  if (pub.note) out.push(pub.note.text, '', '---', '');
  for (const section of digest.sections) {
    out.push(`== ${section.tag.toUpperCase()} ==`, '');
    for (const { summary, alsoIn } of section.items) {
      out.push(summary.title);
      if (summary.sourceUrl) out.push(summary.sourceUrl);
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
  out.push(`You get this digest because you follow these tags on ${pub.name}.`);
  out.push(`Choose your tags: ${links.preferences}`);
  out.push(`Unsubscribe: ${links.unsubscribe}`);
  if (pub.footer) out.push('', pub.footer);
  const address = pub.postalAddress.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (address.length > 0) out.push('', ...address);
  return out.join('\n') + '\n';
}
