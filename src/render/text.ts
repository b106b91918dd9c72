// The plain-text part, written from the digest model rather than scraped from HTML, so it reads well.
// The same parts as the HTML: contents, each section's why and way out, brief or full cards, a footer
// naming the reader's tags. The text part always holds every summary (the HTML may be cut to size).
import { briefSentence, contentsLine, contentsTotal, densityOf, densitySwitch, formatMinutes, summaryLine, tagList, unfollowHref, webAnchorHref, type Digest } from '../digest/assemble.ts';
import type { ReaderLinks } from '../lib/reader-links.ts';
import { DEFAULT_PUBLICATION, type Publication } from './publication.ts';

/**
 * The text part as the pieces it is joined from, in order: `shared[i]` marks a piece every reader's text
 * holds as it is (a summary's words, template text), which a sender may escape once per issue; the
 * others (links, counts, lines built for this reader) are this reader's own.
 */
export interface TextParts {
  parts: string[];
  shared: boolean[];
}

export function renderText(digest: Digest, links: ReaderLinks, pub: Publication = DEFAULT_PUBLICATION): string {
  return textParts(digest, links, pub).parts.join('');
}

export function textParts(digest: Digest, links: ReaderLinks, pub: Publication = DEFAULT_PUBLICATION): TextParts {
  const density = densityOf(digest);
  const t: TextParts = { parts: [], shared: [] };
  const piece = (s: string, shared: boolean) => {
    t.parts.push(s);
    t.shared.push(shared);
  };
  /** Lines of this reader's own. */
  const own = (...lines: string[]) => {
    for (const l of lines) piece(`${l}\n`, false);
  };
  /** Lines every reader's text holds as they are. */
  const same = (...lines: string[]) => {
    for (const l of lines) {
      piece(l, true);
      piece('\n', true);
    }
  };
  own(`${pub.name} · ${digest.issueName}`);
  if (pub.tagline) own(pub.tagline);
  own(`Your tags this week: ${summaryLine(digest)}`);
  own(`Web version: ${links.web}`, '');
  if (pub.note) same(pub.note.text, '', '---', '');
  same('IN THIS ISSUE');
  for (const s of digest.sections) {
    own(`* ${contentsLine(s)}`);
    for (const { summary } of s.items) {
      piece('  - ', true);
      same(summary.title);
    }
  }
  if (digest.totalMinutes > 0) own(contentsTotal(digest));
  same('', '---', '');
  for (const section of digest.sections) {
    own(`== ${section.tag.toUpperCase()} ==`);
    own(`You get this because you follow ${section.tag}. Stop ${section.tag}: ${unfollowHref(links, section.slug)}`, '');
    for (const { summary, alsoIn } of section.items) {
      const onTheWeb = webAnchorHref(links.web, summary.id);
      same(summary.title);
      if (summary.sourceUrl !== null) same(summary.sourceUrl);
      else own(onTheWeb);
      if (density === 'brief') {
        same('', briefSentence(summary));
        own(`Read on the web: ${onTheWeb}`, '');
        continue;
      }
      same('', 'The Signal', summary.signal, '', 'The Case');
      for (const p of summary.casePoints) {
        piece('- ', true);
        same(p);
      }
      same('', 'The 1 Minute Signal Take', summary.take);
      const meta = [
        summary.timeSavedMinutes ? `Time saved: ${formatMinutes(summary.timeSavedMinutes)}` : '',
        alsoIn.length > 0 ? `also in: ${alsoIn.join(', ')}` : '',
      ].filter(Boolean);
      if (meta.length > 0) own(meta.join(' · '));
      same('', '---', '');
    }
  }
  own(`You get this digest because you follow ${tagList(digest.sections.map((s) => s.tag))} on ${pub.name}.`);
  own(`Choose your tags: ${links.preferences}`);
  own(`${densitySwitch(density)}: ${links.density}`);
  own(`Unsubscribe: ${links.unsubscribe}`);
  if (pub.footer) own('', pub.footer);
  const address = pub.postalAddress.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (address.length > 0) own('', ...address);
  return t;
}
