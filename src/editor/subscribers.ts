// Subscribers (readers) as the editor manages them: list with filters, add, CSV import and export,
// one reader's page (deliveries with provider events, notices), edit tags and zone, unsubscribe, erase.
// Validation and CSV are in src/subscriptions/subscribers.ts, SQL in src/db/; the erasure is the
// reader's own (eraseReader, as /preferences/delete does), so both leave the same trace.
import { eraseReader, readerDeliveries, readerNotices, unsubscribe, type ReaderDelivery, type ReaderNotice } from '../db/readers.ts';
import {
  editSubscriber,
  getSubscriber,
  knownTags,
  searchSubscribers,
  subscriberIdByEmail,
  upsertSubscribers,
  type SubscriberDetail,
  type SubscriberFilter,
  type SubscriberRow,
} from '../db/subscribers.ts';
import { controlCharacter } from '../lib/text.ts';
import { isTimeZone } from '../time.ts';
import { normaliseEmail } from '../lib/mail.ts';
import { exportSubscribersCsv, importSubscribersCsv, resolveTags, splitTags, validateSubscriber, type CsvImportResult } from '../subscriptions/subscribers.ts';
import type { EditorDeps } from './deps.ts';
import { conflict, invalid, notFound } from './errors.ts';

/** A reader as the editor names one: the id, or the address. */
export type ReaderRef = number | string;

export interface SubscriberListInput {
  q?: string | undefined;
  /** Exactly this address. */
  email?: string | undefined;
  status?: SubscriberFilter | null | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface SubscriberList {
  subscribers: SubscriberRow[];
  total: number;
  limit: number;
  offset: number;
}

export interface AddSubscriberInput {
  email: string;
  tags: string[] | string;
  timeZone?: string | undefined;
  name?: string | undefined;
  /** Tags that do not exist yet are created (else refused, naming the known ones). */
  createTags?: boolean | undefined;
}

export interface EditSubscriberInput {
  /** The followed tags become exactly these. */
  tags?: string[] | string | undefined;
  /** null: back to the default (DEFAULT_TIME_ZONE). */
  timeZone?: string | null | undefined;
  createTags?: boolean | undefined;
}

export interface ReaderPage {
  subscriber: SubscriberDetail;
  deliveries: ReaderDelivery[];
  notices: ReaderNotice[];
}

export interface SubscriberOps {
  list(input?: SubscriberListInput): Promise<SubscriberList>;
  /** An existing address gains the tags (its status stays). */
  add(input: AddSubscriberInput): Promise<{ created: boolean; id: number; email: string; tags: string[] }>;
  import(input: { csv: string; name?: string | undefined; createTags?: boolean | undefined }): Promise<CsvImportResult>;
  export(): Promise<string>;
  show(ref: ReaderRef): Promise<ReaderPage>;
  edit(ref: ReaderRef, input: EditSubscriberInput): Promise<SubscriberDetail>;
  /** changed: false when the reader was not active or pending (already out, bounced, complained). */
  unsubscribe(ref: ReaderRef): Promise<{ changed: boolean; subscriber: SubscriberDetail }>;
  /** The reader's own erasure: row, tags, deliveries, notices and events go; the address stays only as a hash. */
  erase(ref: ReaderRef): Promise<{ erased: true; id: number; email: string }>;
}

export const LIST_LIMIT = { default: 100, max: 1000 };

/** A tags argument ("a, b" or a list) checked as `subscribers add` checks it. */
function tagList(raw: string[] | string): string[] {
  const text = Array.isArray(raw) ? raw.join(' ') : raw;
  const control = controlCharacter(text.replace(/\s/g, ' '));
  if (control) throw invalid(`tags contain a control character (${control})`);
  const tags = splitTags(raw);
  if (tags.some((t) => t.length > 60)) throw invalid('a tag is longer than 60 characters');
  return tags;
}

export function subscriberOps(deps: EditorDeps): SubscriberOps {
  const { db } = deps;

  const idOf = async (ref: ReaderRef): Promise<number> => {
    if (typeof ref === 'number') {
      if (!Number.isSafeInteger(ref) || ref < 1) throw invalid(`a subscriber is named by a positive id or an address, got ${ref}`);
      return ref;
    }
    const addr = normaliseEmail(ref);
    if ('error' in addr) throw invalid(addr.error);
    const id = await subscriberIdByEmail(db, addr.email);
    if (id === undefined) throw notFound(`no subscriber has the address ${addr.email}`);
    return id;
  };
  const detail = async (id: number): Promise<SubscriberDetail> => {
    const s = await getSubscriber(db, id);
    if (!s) throw notFound(`subscriber ${id} does not exist`);
    return s;
  };
  const resolve = async (tags: string[], createTags: boolean | undefined): Promise<string[]> => {
    const r = resolveTags(tags, await knownTags(db), createTags ?? false);
    if ('error' in r) throw invalid(r.error, { unknownTags: r.unknown });
    return r.tags;
  };

  return {
    async list(input = {}) {
      const limit = input.limit ?? LIST_LIMIT.default;
      const offset = input.offset ?? 0;
      let email: string | undefined;
      if (input.email !== undefined) {
        const addr = normaliseEmail(input.email);
        if ('error' in addr) throw invalid(addr.error);
        email = addr.email;
      }
      const { rows, total } = await searchSubscribers(db, { q: input.q ?? '', email, status: input.status ?? null, limit, offset });
      return { subscribers: rows, total, limit, offset };
    },

    async add(input) {
      const v = validateSubscriber({ email: input.email, tags: input.tags, timeZone: input.timeZone, name: input.name }, deps.actor);
      if ('errors' in v) throw invalid(v.errors.join('; '));
      if (v.tags.length === 0) throw invalid('a subscriber needs at least one tag');
      const tags = await resolve(v.tags, input.createTags);
      const r = await upsertSubscribers(db, [{ ...v, tags }]);
      if (r.erased) throw conflict(`${v.email} was erased at its owner's request; only they can subscribe again (on the subscribe page)`);
      return { created: r.created > 0, id: (await subscriberIdByEmail(db, v.email))!, email: v.email, tags };
    },

    import: (input) => importSubscribersCsv(db, input.csv, input.name ?? 'upload.csv', { createTags: input.createTags ?? false }),

    export: () => exportSubscribersCsv(db),

    async show(ref) {
      const id = await idOf(ref);
      const subscriber = await detail(id);
      const [deliveries, notices] = await Promise.all([readerDeliveries(db, id), readerNotices(db, id)]);
      return { subscriber, deliveries, notices };
    },

    async edit(ref, input) {
      const id = await idOf(ref);
      await detail(id);
      let tags: string[] | undefined;
      if (input.tags !== undefined) {
        tags = tagList(input.tags);
        if (tags.length === 0) throw invalid('a subscriber follows at least one tag (to stop their digests, unsubscribe them)');
        tags = await resolve(tags, input.createTags);
      }
      const timeZone = input.timeZone === undefined ? undefined : input.timeZone === null || input.timeZone.trim() === '' ? null : input.timeZone.trim();
      if (timeZone && !isTimeZone(timeZone)) throw invalid(`"${timeZone}" is not a time zone (expected e.g. Europe/Berlin)`);
      if (tags === undefined && timeZone === undefined) throw invalid('nothing to change: give tags or a time zone');
      if (!(await editSubscriber(db, id, { tags, timeZone }))) throw notFound(`subscriber ${id} does not exist`);
      return detail(id);
    },

    async unsubscribe(ref) {
      const id = await idOf(ref);
      await detail(id);
      const changed = await unsubscribe(db, id, null);
      return { changed, subscriber: await detail(id) };
    },

    async erase(ref) {
      const id = await idOf(ref);
      const { email } = await detail(id);
      if (!(await eraseReader(db, id))) throw notFound(`subscriber ${id} does not exist`);
      return { erased: true, id, email };
    },
  };
}
