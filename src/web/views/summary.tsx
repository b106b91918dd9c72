// Summaries as web pages show them (archive, issue and tag pages): the same parts as in the digest.
import type { Section } from '../../digest/assemble.ts';
import { cardMeta, type SectionItem } from '../../digest/assemble.ts';

/** `anchor`: the card's id, where a link with that fragment lands (the web version's `s-<id>`, as in the email). */
export function SummaryArticle({ item, headingLevel = 3, anchor }: { item: SectionItem; headingLevel?: 2 | 3; anchor?: string }) {
  const { summary } = item;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const meta = cardMeta(item);
  return (
    <article className="card summary" id={anchor}>
      <H>{summary.sourceUrl ? <a href={summary.sourceUrl}>{summary.title}</a> : summary.title}</H>
      <p className="label">The Signal</p>
      <p>{summary.signal}</p>
      <p className="label">The Case</p>
      <ul>
        {summary.casePoints.map((p, n) => (
          <li key={n}>{p}</li>
        ))}
      </ul>
      <p className="label">The 1 Minute Signal Take</p>
      <p>{summary.take}</p>
      {meta ? <p className="meta">{meta}</p> : null}
    </article>
  );
}

/** A tag's section of an issue page: its heading (an anchor target) and its summaries. */
export function SectionBlock({ section, tagHref }: { section: Section; tagHref?: (slug: string) => string }) {
  return (
    <section aria-labelledby={`tag-${section.slug}`}>
      <h2 id={`tag-${section.slug}`}>{tagHref ? <a href={tagHref(section.slug)}>{section.tag}</a> : section.tag}</h2>
      {section.items.map((item) => (
        <SummaryArticle key={item.summary.id} item={item} />
      ))}
    </section>
  );
}
