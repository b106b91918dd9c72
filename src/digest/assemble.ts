// Pure digest assembly: which sections a reader gets, in which order, and what each holds.
// No I/O here; the same inputs always give the same digest.
import { tagSlug } from '../lib/tags.ts';
import { issueName } from './week.ts';

export interface DigestSummary {
  id: number;
  title: string;
  signal: string;
  casePoints: string[];
  take: string;
  timeSavedMinutes: number | null;
  sourceUrl: string | null;
  /** In the summary's own order; the first is its primary tag. */
  tags: string[];
}

export interface SectionItem {
  summary: DigestSummary;
  /** Other sections of this reader's digest the summary belongs to, in section order. */
  alsoIn: string[];
}

export interface Section {
  tag: string;
  slug: string;
  items: SectionItem[];
  /** Summaries cut from this section to keep the email under the size budget; shown on the web. */
  more?: number;
}

export interface Digest {
  week: string;
  issueName: string;
  subject: string;
  preheader: string;
  sections: Section[];
  summaryCount: number;
  totalMinutes: number;
  /** How much of each summary the email shows: 'full' (every part) or 'brief' (title, first Signal sentence, "read on the web"). Absent: 'full'. */
  density?: Density;
}

export type Density = 'brief' | 'full';
export const densityOf = (d: Pick<Digest, 'density'>): Density => d.density ?? 'full';

/** A brief card's one sentence: the Signal's first sentence, or the 1-minute take when there is no Signal. */
export function briefSentence(s: Pick<DigestSummary, 'signal' | 'take'>): string {
  const signal = s.signal.trim();
  if (!signal) return s.take.trim();
  const m = /^.*?[.!?](?=\s|$)/su.exec(signal);
  return m ? m[0] : signal;
}

/** The footer's list of a reader's tags: "Kubernetes, AI and Rust". */
export function tagList(tags: string[]): string {
  return tags.length <= 1 ? (tags[0] ?? '') : `${tags.slice(0, -1).join(', ')} and ${tags.at(-1)}`;
}

/** A contents line: "Kubernetes (3)", counting what the web version holds beyond the email too. */
export const contentsLine = (s: Pick<Section, 'tag' | 'items' | 'more'>) => `${s.tag} (${s.items.length + (s.more ?? 0)})`;

/** Under the contents: the time the reader's whole issue saves them, or nothing. */
export const contentsTotal = (d: Pick<Digest, 'totalMinutes'>) =>
  d.totalMinutes > 0 ? `Together these save you ${formatMinutes(d.totalMinutes)} of watching and reading.` : '';

/** The footer's one-click switch to the other density. */
export const densitySwitch = (d: Density) => (d === 'brief' ? 'Send me the full version' : 'Send me the brief version');

/** A section's "Stop <tag>" link; a links object without one for the slug falls back to preferences. */
export const unfollowHref = (links: { unfollow: Record<string, string>; preferences: string }, slug: string) =>
  Object.hasOwn(links.unfollow, slug) ? links.unfollow[slug]! : links.preferences;

/** A summary's anchor (in the email and on the web version). */
export const summaryAnchor = (id: number) => `s-${id}`;
/** Where a title without a source links: that summary on the reader's web version. */
export const webAnchorHref = (webUrl: string, id: number) => `${webUrl}#${summaryAnchor(id)}`;

/** The week's content indexed by tag, computed once per issue and shared by every reader. */
export interface IssueContent {
  week: string;
  /** The issue's one name, "Week 48 · 23–29 Nov 2026" (issueName), formatted once: Intl date formatting is slow per reader. */
  issueName: string;
  /** Custom subject for the whole issue, if the editor set one. */
  subject: string | null;
  /** Tags with content, in digest order: most summaries first, then name. */
  tags: { slug: string; name: string; summaries: DigestSummary[] }[];
}

export function indexIssue(week: string, summaries: DigestSummary[], subject: string | null = null): IssueContent {
  const bySlug = new Map<string, { slug: string; name: string; summaries: DigestSummary[] }>();
  const sorted = [...summaries].sort((a, b) => a.id - b.id);
  for (const s of sorted) {
    for (const name of s.tags) {
      const slug = tagSlug(name);
      let t = bySlug.get(slug);
      if (!t) bySlug.set(slug, (t = { slug, name, summaries: [] }));
      t.summaries.push(s);
    }
  }
  for (const t of bySlug.values()) {
    // Within a section, summaries whose primary tag it is come first; otherwise import order.
    t.summaries.sort((a, b) => Number(tagSlug(b.tags[0]!) === t.slug) - Number(tagSlug(a.tags[0]!) === t.slug) || a.id - b.id);
  }
  const tags = [...bySlug.values()].sort(
    (a, b) => b.summaries.length - a.summaries.length || a.name.localeCompare(b.name, 'en') || a.slug.localeCompare(b.slug),
  );
  return { week, issueName: issueName(week), subject, tags };
}

/**
 * One reader's digest, or null when none of their tags has content this week (no email is sent).
 * A summary under several followed tags appears once, in the first such section, with "also in".
 */
export function assembleDigest(content: IssueContent, followed: Iterable<string>, density: Density = 'full'): Digest | null {
  const follows = new Set([...followed].map(tagSlug));
  const ordered = content.tags.filter((t) => follows.has(t.slug));
  const shown = new Set<number>();
  const placed: { tag: (typeof ordered)[number]; summaries: DigestSummary[] }[] = [];
  for (const t of ordered) {
    const mine = t.summaries.filter((s) => !shown.has(s.id));
    for (const s of mine) shown.add(s.id);
    if (mine.length > 0) placed.push({ tag: t, summaries: mine });
  }
  // "also in" names only sections this reader's digest really has, in their order.
  const sectionOrder = new Map(placed.map((p, n) => [p.tag.slug, n]));
  const sections: Section[] = placed.map(({ tag, summaries }) => ({
    tag: tag.name,
    slug: tag.slug,
    items: summaries.map((summary) => ({
      summary,
      alsoIn: summary.tags
        .filter((name) => tagSlug(name) !== tag.slug && sectionOrder.has(tagSlug(name)))
        .sort((a, b) => sectionOrder.get(tagSlug(a))! - sectionOrder.get(tagSlug(b))!),
    })),
  }));
  if (sections.length === 0) return null;
  const all = sections.flatMap((s) => s.items);
  const totalMinutes = all.reduce((n, i) => n + (i.summary.timeSavedMinutes ?? 0), 0);
  return {
    week: content.week,
    issueName: content.issueName,
    subject: content.subject ?? subjectLine(content.issueName, sections.map((s) => s.tag)),
    preheader: preheader(all.length, totalMinutes, sections.length),
    sections,
    summaryCount: all.length,
    totalMinutes,
    ...(density === 'brief' ? { density } : {}),
  };
}

/** The line under a summary: "Time saved: 38 min · also in: Careers", or empty. */
export function cardMeta(item: SectionItem): string {
  return [
    item.summary.timeSavedMinutes ? `Time saved: ${formatMinutes(item.summary.timeSavedMinutes)}` : '',
    item.alsoIn.length > 0 ? `also in: ${item.alsoIn.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Where a section's "N more on the web" line points: that tag's section of the web version. */
export function moreHref(webUrl: string, slug: string): string {
  return `${webUrl}#tag-${slug}`;
}

export function moreLine(count: number | string): string {
  return `${count} more on the web →`;
}

/** The header's count line: "5 summaries · saves you 2h 31m of watching and reading". */
export function summaryLine(d: Pick<Digest, 'summaryCount' | 'totalMinutes'>): string {
  const count = `${d.summaryCount} ${d.summaryCount === 1 ? 'summary' : 'summaries'}`;
  return d.totalMinutes > 0 ? `${count} · saves you ${formatMinutes(d.totalMinutes)} of watching and reading` : count;
}

/**
 * "Kubernetes, AI and 2 more · Week 48 · 23–29 Nov 2026": the reader's top sections first, so what an
 * inbox shows of the subject is specific to them, then the issue's one name (issueName), the same as
 * the archive, the feed and the reader's history call it. The From line already carries the publication.
 */
export function subjectLine(issueName: string, sectionTags: string[]): string {
  const named = sectionTags.slice(0, 2);
  const rest = sectionTags.length - named.length;
  const list = rest > 0 ? `${named.join(', ')} and ${rest} more` : named.join(' and ');
  return `${list} · ${issueName}`;
}

export function preheader(summaries: number, minutes: number, sections: number): string {
  const parts = [`${summaries} ${summaries === 1 ? 'summary' : 'summaries'} in ${sections} ${sections === 1 ? 'tag' : 'tags'}`];
  if (minutes > 0) parts.push(`saves you ${formatMinutes(minutes)} of watching and reading`);
  return parts.join(' · ');
}

/** 38 → "38 min", 65 → "1h 05m". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
