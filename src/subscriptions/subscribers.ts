// Editor-side subscriber management: validation of what people type or upload, CSV in and out.
import type { Db } from '../db/connection.ts';
import { knownTags, listSubscribers, upsertSubscribers, type KnownTag, type SubscriberInput, type SubscriberStatus } from '../db/subscribers.ts';
import { cleanTags, tagSlug } from '../lib/tags.ts';
import { controlCharacter } from '../lib/text.ts';
import { normaliseEmail } from '../lib/mail.ts';
import { isTimeZone } from '../time.ts';
import { formatCsv, parseCsv } from './csv.ts';

const STATUSES: SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'];

export interface RawSubscriber {
  email: string;
  name?: string | undefined;
  tags?: string | string[] | undefined;
  timeZone?: string | undefined;
  status?: string | undefined;
}

export function splitTags(tags: string | string[] | undefined): string[] {
  const list = Array.isArray(tags) ? tags : (tags ?? '').split(/[;,|]/);
  return cleanTags(list);
}

/** Validates one subscriber as typed or uploaded; returns the input row or the problems. */
export function validateSubscriber(raw: RawSubscriber, source: string): SubscriberInput | { errors: string[] } {
  const errors: string[] = [];
  const addr = normaliseEmail(raw.email);
  if ('error' in addr) errors.push(addr.error);
  const tz = raw.timeZone?.trim() || null;
  if (tz && !isTimeZone(tz)) errors.push(`"${tz}" is not a time zone (expected e.g. Europe/Berlin)`);
  const status = (raw.status?.trim().toLowerCase() || 'active') as SubscriberStatus;
  if (!STATUSES.includes(status)) errors.push(`status "${raw.status}" must be one of ${STATUSES.join(', ')}`);
  // A name goes into the To header and a tag into subject lines. Line breaks and tabs are white space
  // (a cell wrapped in a spreadsheet) and fold into one space below; any other control character (NUL,
  // ESC, DEL, NEL …) is refused, so the editor sees what was wrong with the row.
  const nameControl = controlCharacter((raw.name ?? '').replace(/\s/g, ' '));
  if (nameControl) errors.push(`name contains a control character (${nameControl})`);
  const name = raw.name?.replace(/\s+/g, ' ').trim() || null;
  if (name && name.length > 200) errors.push('name is longer than 200 characters');
  const tagControl = controlCharacter((Array.isArray(raw.tags) ? raw.tags.join(' ') : (raw.tags ?? '')).replace(/\s/g, ' '));
  if (tagControl) errors.push(`tags contain a control character (${tagControl})`);
  const tags = splitTags(raw.tags);
  if (tags.some((t) => t.length > 60)) errors.push('a tag is longer than 60 characters');
  if (errors.length > 0 || 'error' in addr) return { errors };
  return { email: addr.email, name, timeZone: tz, tags, status, source };
}

/** Known tags named in a refusal; past this many, the rest are counted. */
const KNOWN_NAMED = 30;

/**
 * Tags as the editor typed them, matched to the tags that exist (by slug, so "ai" is the tag AI):
 * their stored names, or the problem naming the unknown ones and the known ones. A typo must not
 * become a new public tag; `createTags` asks for new ones on purpose.
 */
export function resolveTags(tags: string[], known: KnownTag[], createTags: boolean): { tags: string[] } | { error: string; unknown: string[] } {
  const bySlug = new Map(known.map((k) => [k.slug, k.name]));
  const unknown = tags.filter((t) => !bySlug.has(tagSlug(t)));
  if (unknown.length > 0 && !createTags) {
    const slugs = known.map((k) => k.slug);
    const named = slugs.length === 0 ? 'there are no tags yet' : `known tags: ${slugs.slice(0, KNOWN_NAMED).join(', ')}${slugs.length > KNOWN_NAMED ? `, … (${slugs.length} in all)` : ''}`;
    const list = unknown.map((t) => `"${t}"`).join(', ');
    return { error: `unknown tag${unknown.length > 1 ? 's' : ''} ${list}; ${named} (to follow a new tag, ask to create it)`, unknown };
  }
  return { tags: tags.map((t) => bySlug.get(tagSlug(t)) ?? t) };
}

/** Merges rows for the same address: tags are united, later non-empty fields win. */
export function mergeByEmail(rows: SubscriberInput[]): SubscriberInput[] {
  const byEmail = new Map<string, SubscriberInput>();
  for (const r of rows) {
    const prev = byEmail.get(r.email);
    if (!prev) byEmail.set(r.email, { ...r, tags: [...r.tags] });
    else byEmail.set(r.email, { ...prev, name: r.name ?? prev.name, timeZone: r.timeZone ?? prev.timeZone, tags: cleanTags([...prev.tags, ...r.tags]) });
  }
  return [...byEmail.values()];
}

export interface CsvImportResult {
  rows: number;
  created: number;
  updated: number;
  /** Addresses left out because their owners asked to be erased. */
  erased: number;
  errors: { line: number; problem: string }[];
}

const HEADER_ALIASES: Record<string, keyof RawSubscriber> = {
  email: 'email',
  'e-mail': 'email',
  email_address: 'email',
  name: 'name',
  tags: 'tags',
  tag: 'tags',
  time_zone: 'timeZone',
  timezone: 'timeZone',
  tz: 'timeZone',
  status: 'status',
};

/**
 * Imports a subscriber CSV (header row required: email, and optionally name, tags, time_zone, status).
 * A row naming a tag that does not exist is refused by line unless `createTags`.
 */
export async function importSubscribersCsv(db: Db, text: string, file: string, opts: { createTags: boolean }): Promise<CsvImportResult> {
  const { records, error } = parseCsv(text);
  const result: CsvImportResult = { rows: 0, created: 0, updated: 0, erased: 0, errors: [] };
  const header = records.shift();
  if (!header) {
    result.errors.push(error ?? { line: 1, problem: `${file} is empty` });
    return result;
  }
  const columns = header.fields.map((h) => HEADER_ALIASES[h.trim().toLowerCase()]);
  if (!columns.includes('email')) {
    result.errors.push({ line: header.line, problem: 'the header row has no "email" column' });
    return result;
  }
  const good: SubscriberInput[] = [];
  const known = await knownTags(db);
  for (const rec of records) {
    result.rows++;
    if (rec.fields.length > columns.length) {
      result.errors.push({ line: rec.line, problem: `${rec.fields.length} fields, but the header has ${columns.length}` });
      continue;
    }
    const raw: RawSubscriber = { email: '' };
    rec.fields.forEach((v, n) => {
      const col = columns[n];
      if (col) raw[col] = v as never;
    });
    const v = validateSubscriber(raw, `csv:${file}`);
    if ('errors' in v) {
      result.errors.push({ line: rec.line, problem: v.errors.join('; ') });
      continue;
    }
    const tags = resolveTags(v.tags, known, opts.createTags);
    if ('error' in tags) result.errors.push({ line: rec.line, problem: tags.error });
    else good.push({ ...v, tags: tags.tags });
  }
  // An unterminated quote is reported after the rows before it, which are kept, like any bad row's.
  if (error) result.errors.push(error);
  Object.assign(result, await upsertSubscribers(db, mergeByEmail(good)));
  return result;
}

export async function exportSubscribersCsv(db: Db): Promise<string> {
  const rows = await listSubscribers(db);
  return formatCsv(
    ['email', 'name', 'tags', 'time_zone', 'status', 'created_at'],
    rows.map((r) => [r.email, r.name ?? '', r.tags.join(';'), r.timeZone ?? '', r.status, r.createdAt.toISOString()]),
  );
}
