// Tags as the editor manages them: list, show, rename, merge, describe, hide. The SQL is in
// src/db/tags.ts; a tag's name follows the importer's rules (src/content/summary.ts) and its slug
// follows its name. A tag is named by name or slug, case-insensitively (tagSlug of either is its slug).
import { Summary } from '../content/summary.ts';
import { cleanTags, tagSlug } from '../lib/tags.ts';
import { controlCharacter } from '../lib/text.ts';
import {
  describeTag,
  issuesSendingTag,
  listTags,
  mergePreview,
  mergeTags,
  renameTag,
  setTagHidden,
  tagBySlugOrAlias,
  tagHoldingSlug,
  type MergeCounts,
  type TagRow,
} from '../db/tags.ts';
import type { EditorDeps } from './deps.ts';
import { conflict, invalid, notFound } from './errors.ts';

/** A description is a line or two under the tag on the subscribe page. */
export const TAG_DESCRIPTION_MAX = 280;

/** A tag as every face shows it: the stored row without its internal id, and whether it is hidden. */
export type TagView = Omit<TagRow, 'id'> & { hidden: boolean };

export interface MergePlan extends MergeCounts {
  from: TagView;
  into: TagView;
}

export interface MergeDone extends MergeCounts {
  /** The merged tag as it was; it no longer exists. */
  from: { name: string; slug: string };
  into: TagView;
}

export interface TagOps {
  list(): Promise<TagView[]>;
  show(input: { tag: string }): Promise<TagView>;
  /** A new name (its slug follows); a slug another tag has is a conflict naming it. */
  rename(input: { tag: string; name: string }): Promise<TagView>;
  /** What merging would move, for a confirmation; changes nothing. */
  mergePlan(input: { from: string; into: string }): Promise<MergePlan>;
  /** `from`'s followers and summaries move to `into`, and `from` disappears. Readers are not mailed. */
  merge(input: { from: string; into: string }): Promise<MergeDone>;
  /** Plain text shown under the tag on the subscribe page; null or empty removes it. */
  describe(input: { tag: string; description: string | null }): Promise<TagView>;
  /** A hidden tag is not offered to new readers; its followers keep it. */
  hide(input: { tag: string; hidden: boolean }): Promise<TagView>;
}

const view = ({ id: _id, ...t }: TagRow): TagView => ({ ...t, hidden: t.hiddenAt !== null });

/** A tag name as the importer accepts one (white space folded, at most 60 characters, one line), or a refusal. */
export function checkTagName(raw: string): { name: string; slug: string } {
  const control = controlCharacter(raw);
  if (control) throw invalid(`the tag name contains a control character (${control}); a tag name is one line of text`);
  const [name] = cleanTags([raw]);
  if (!name) throw invalid('a tag name needs at least one letter or digit');
  const parsed = Summary.shape.tags.element.safeParse(name);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => i.message).join('; '));
  return { name, slug: tagSlug(name) };
}

/** A description: one paragraph of plain text (white space folded), or null to remove it. */
export function checkDescription(raw: string | null): string | null {
  if (raw === null) return null;
  const text = raw.replace(/\s+/g, ' ').trim();
  const control = controlCharacter(text);
  if (control) throw invalid(`the description contains a control character (${control})`);
  if (text === '') return null;
  const length = [...text].length;
  if (length > TAG_DESCRIPTION_MAX) throw invalid(`the description is ${length} characters long; at most ${TAG_DESCRIPTION_MAX} are allowed`);
  return text;
}

export function tagOps(deps: EditorDeps): TagOps {
  const { db, actor } = deps;

  /** The live tag named by name or slug (old slugs are not followed: a change must name what it changes). */
  async function find(named: string): Promise<TagRow> {
    const slug = tagSlug(named);
    const tag = slug === '' ? undefined : await tagBySlugOrAlias(db, slug);
    if (!tag || tag.slug !== slug) {
      const now = tag ? ` (it became "${tag.name}")` : '';
      throw notFound(`there is no tag "${named.length > 60 ? `${named.slice(0, 59)}…` : named}"${now}; tagcast tags list shows them`, tag ? { current: tag.slug } : {});
    }
    return tag;
  }

  async function again(id: number, slug: string): Promise<TagView> {
    const t = await tagBySlugOrAlias(db, slug);
    if (!t || t.id !== id) throw conflict('the tag changed while this was saved; look at it again');
    return view(t);
  }

  /** Renaming or merging a tag an issue is sending would drop its section from the remaining digests. */
  async function notWhileSending(t: TagRow, what: string): Promise<void> {
    const ids = await issuesSendingTag(db, t.slug);
    if (ids.length > 0) {
      throw conflict(`"${t.name}" cannot be ${what} while issue ${ids.join(', ')} is sending it; wait until that issue is sent (or cancel it), then try again`, { issues: ids });
    }
  }

  async function plan(input: { from: string; into: string }): Promise<{ from: TagRow; into: TagRow; counts: MergeCounts }> {
    const [from, into] = [await find(input.from), await find(input.into)];
    if (from.id === into.id) throw invalid(`"${from.name}" and "${input.into}" are the same tag; name two different tags`);
    return { from, into, counts: await mergePreview(db, from.id, into.id) };
  }

  return {
    async list() {
      return (await listTags(db)).map(view);
    },
    async show({ tag }) {
      return view(await find(tag));
    },
    async rename({ tag, name: raw }) {
      const t = await find(tag);
      const { name, slug } = checkTagName(raw);
      if (name === t.name) return view(t);
      const other = await tagHoldingSlug(db, slug, t.id);
      const taken = () => conflict(`the name "${name}" is taken: tag "${other?.name ?? slug}" has the slug ${slug}; merge "${t.name}" into it instead`, { other: { name: other?.name, slug } });
      if (other) throw taken();
      if (slug !== t.slug) await notWhileSending(t, 'renamed');
      if (!(await renameTag(db, t.id, name, slug, actor))) {
        if (await tagHoldingSlug(db, slug, t.id)) throw taken();
        throw notFound(`the tag "${t.name}" was deleted meanwhile`);
      }
      return again(t.id, slug);
    },
    async mergePlan(input) {
      const { from, into, counts } = await plan(input);
      return { ...counts, from: view(from), into: view(into) };
    },
    async merge(input) {
      const { from, into } = await plan(input);
      await notWhileSending(from, 'merged');
      const counts = await mergeTags(db, from.id, into.id, actor);
      if (!counts) throw notFound(`"${from.name}" or "${into.name}" was deleted meanwhile; nothing was merged`);
      return { ...counts, from: { name: from.name, slug: from.slug }, into: await again(into.id, into.slug) };
    },
    async describe({ tag, description }) {
      const t = await find(tag);
      await describeTag(db, t.id, checkDescription(description), actor);
      return again(t.id, t.slug);
    },
    async hide({ tag, hidden }) {
      const t = await find(tag);
      await setTagHidden(db, t.id, hidden, actor);
      return again(t.id, t.slug);
    },
  };
}
