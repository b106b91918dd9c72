// What readers do to their own subscription from the reader pages: subscribe (double opt-in),
// confirm, choose tags and time zone, pause, unsubscribe and come back, export and erase.
import { createHash } from 'node:crypto';
import { prepared, type Db } from './connection.ts';
import { SETTINGS_JSON } from './settings.ts';
import { createNotice, createWelcome, type NoticeKind } from './notices.ts';
import type { SubscriberStatus } from './subscribers.ts';

/** The erasure record of an address: a SHA-256 of the normalised address, never the address. */
export function emailHash(email: string): string {
  return createHash('sha256').update(email).digest('hex');
}

export interface SubscribeRequest {
  email: string;
  /** Tag slugs the reader ticked (already checked against the tags that exist). */
  tags: string[];
  timeZone: string;
  name: string | null;
}

/** The source of a row the subscribe page made: the purge forgets such rows nobody confirmed. */
const PAGE_SOURCE = 'subscribe page';

export type SubscribeOutcome =
  /** A confirmation email is owed (new, pending or unsubscribed address). */
  | { kind: 'confirm'; noticeId: number }
  /** The address is already subscribed: a note with a link to its preferences is owed. */
  | { kind: 'subscribed'; noticeId: number }
  /** An email went to this address less than the interval ago, or the address is suppressed. */
  | { kind: 'held' };

/**
 * Records a subscription request. The page answers the same whatever happens here (no enumeration of
 * who is subscribed). Nothing a stranger typed reaches anyone's record until the owner confirms that
 * very request from their inbox: a new address is held as a bare pending row, and the request's tags,
 * time zone and name wait in its confirmation notice. `mailbox` is the address's mailbox key
 * (mailboxKey): one confirmation-family email per inbox per interval, whatever the spelling.
 */
export async function requestSubscription(db: Db, r: SubscribeRequest & { mailbox: string }): Promise<SubscribeOutcome> {
  return db.tx(async (tx) => {
    const inserted = await tx.run(
      `insert into subscribers (email, status, time_zone, source) values ($1, 'pending', null, $2)
       on conflict (email) do nothing`,
      [r.email, PAGE_SOURCE],
    );
    // The row lock serialises racing requests for one address, so the 10-minute window holds.
    const [s] = await tx.query<{ id: number; status: SubscriberStatus; suppressed: boolean }>(
      `select s.id, s.status, exists (select 1 from suppressions p where p.email = s.email) as suppressed
       from subscribers s where s.email = $1 for update`,
      [r.email],
    );
    const kind: NoticeKind = s?.status === 'active' ? 'subscribed' : 'confirm';
    const held = !s || s.suppressed || s.status === 'bounced' || s.status === 'complained';
    // An "already subscribed" note carries nothing from the form: the reader's record is theirs.
    const payload = kind === 'confirm' ? { tags: r.tags, timeZone: r.timeZone, name: r.name } : {};
    const noticeId = held ? null : await createNotice(tx, s.id, kind, payload, emailHash(r.mailbox));
    if (noticeId !== null) return { kind, noticeId };
    // A row made for a request that sends nothing would only be a trace of a stranger's typing.
    if (inserted > 0 && s) await tx.run(`delete from subscribers where id = $1`, [s.id]);
    return { kind: 'held' };
  });
}

/**
 * `used`: the link confirmed once already, and the reader has left since; it does not bring them back.
 * `gone`: the reader the link was for no longer exists (they erased their data).
 */
export type ConfirmOutcome = 'confirmed' | 'already' | 'used' | 'gone' | 'refused' | 'unknown';

/**
 * The one click in a confirmation email: activates the reader with the tags, time zone and name of
 * that request (never another one's). Repeating it changes nothing. A bounced or complained address
 * is not re-activated.
 */
export async function confirmSubscription(db: Db, subscriberId: number, noticeId: number): Promise<ConfirmOutcome> {
  return db.tx(async (tx) => {
    const [n] = await tx.query<{ payload: { tags?: string[]; timeZone?: string; name?: string | null }; usedAt: Date | null; status: SubscriberStatus; email: string; suppressed: boolean }>(
      `select n.payload, n.used_at as "usedAt", s.status, s.email,
              exists (select 1 from suppressions p where p.email = s.email) as suppressed
       from notices n join subscribers s on s.id = n.subscriber_id
       where n.id = $1 and n.subscriber_id = $2 and n.kind = 'confirm' for update of n, s`,
      [noticeId, subscriberId],
    );
    if (!n) {
      // A signed link names a reader that existed; erasure removed them with their notices.
      const [s] = await tx.query(`select 1 from subscribers where id = $1`, [subscriberId]);
      return s ? 'unknown' : 'gone';
    }
    // A suppressed address stays out whatever its status says: an unsubscribed reader's status is
    // left as it was when their address bounces, and only the suppression records it.
    if (n.status === 'bounced' || n.status === 'complained' || n.suppressed) return 'refused';
    // Each link confirms once: an old one fetched again (a scanner, the reader's history) never
    // undoes an unsubscribe that came after it.
    if (n.usedAt) return n.status === 'active' ? 'already' : 'used';
    // The name comes from this request only; no name asked keeps the one the reader had.
    await tx.run(
      `update subscribers set status = 'active', confirmed_at = now(), unsubscribed_at = null, paused_until = null,
         time_zone = coalesce($2, time_zone), name = coalesce($3, name), updated_at = now()
       where id = $1`,
      [subscriberId, n.payload.timeZone ?? null, n.payload.name ?? null],
    );
    await replaceSubscriptions(tx, subscriberId, n.payload.tags ?? []);
    await tx.run(`update notices set used_at = now() where id = $1`, [noticeId]);
    // A first confirmation owes one welcome (the database keeps it to one per reader, ever).
    if (n.status !== 'active') await createWelcome(tx, subscriberId, { tags: n.payload.tags ?? [], timeZone: n.payload.timeZone ?? null });
    // They asked to come back themselves, with their inbox: an earlier erasure no longer applies.
    await tx.run(`delete from erasures where email_hash = $1`, [emailHash(n.email)]);
    return n.status === 'active' ? 'already' : 'confirmed';
  });
}

/**
 * Forgets subscription requests nobody confirmed once their links have expired (`linkTtlMs` old):
 * an address that only ever was typed on the subscribe page goes with its notices and provider
 * events, as if never typed; on other readers, the expired requests (with what a stranger may have
 * typed in them) go. Addresses an editor added as pending, or gave a name, zone or tags since, stay.
 * Returns how many of each went.
 */
export async function purgeUnconfirmed(db: Db, linkTtlMs: number): Promise<{ subscribers: number; requests: number }> {
  const [row] = await db.query<{ subscribers: number; requests: number }>(
    `with gone as (
       delete from subscribers s
       where s.status = 'pending' and s.confirmed_at is null and s.source = $2
         and s.name is null and s.time_zone is null and not exists (select 1 from subscriptions x where x.subscriber_id = s.id)
         and s.created_at <= now() - $1 * interval '1 millisecond'
         and not exists (select 1 from notices n where n.subscriber_id = s.id and n.kind = 'confirm'
                         and (n.used_at is not null or n.created_at > now() - $1 * interval '1 millisecond'))
       returning s.id, s.email),
     events_gone as (
       delete from events e using gone g where e.email = g.email returning 1),
     requests as (
       delete from notices n
       where n.kind = 'confirm' and n.used_at is null and n.created_at <= now() - $1 * interval '1 millisecond'
         and not exists (select 1 from gone g where g.id = n.subscriber_id)
       returning 1)
     select (select count(*) from gone)::int as subscribers, (select count(*) from requests)::int as requests`,
    [linkTtlMs, PAGE_SOURCE],
  );
  return row ?? { subscribers: 0, requests: 0 };
}

/** Sets a reader's followed tags to exactly these (slugs of existing tags), in one statement each way. */
export async function replaceSubscriptions(db: Db, subscriberId: number, slugs: string[]): Promise<void> {
  await db.run(
    `delete from subscriptions x using tags t
     where x.subscriber_id = $1 and t.id = x.tag_id and not (t.slug = any($2::text[]))`,
    [subscriberId, slugs],
  );
  await db.run(
    `insert into subscriptions (subscriber_id, tag_id)
     select $1, t.id from tags t where t.slug = any($2::text[])
     on conflict do nothing`,
    [subscriberId, slugs],
  );
}

export interface ReaderProfile {
  id: number;
  email: string;
  name: string | null;
  status: SubscriberStatus;
  /** null: never chosen (DEFAULT_TIME_ZONE applies). */
  timeZone: string | null;
  pausedUntil: Date | null;
  createdAt: Date;
  confirmedAt: Date | null;
  /** Followed tag slugs. */
  tags: string[];
  /** Brief or full; null: the editor's default. */
  density: 'brief' | 'full' | null;
}

export async function readerProfile(db: Db, subscriberId: number): Promise<ReaderProfile | undefined> {
  const [row] = await db.query<ReaderProfile>(
    `select s.id, s.email, s.name, s.status, s.time_zone as "timeZone", s.paused_until as "pausedUntil",
            s.created_at as "createdAt", s.confirmed_at as "confirmedAt", s.density,
            array(select t.slug from subscriptions x join tags t on t.id = x.tag_id
                  where x.subscriber_id = s.id order by t.slug) as tags
     from subscribers s where s.id = $1`,
    [subscriberId],
  );
  return row;
}

/** A reader by address, with the tags they follow (slugs): whose digest a preview renders. */
export async function readerByEmail(db: Db, email: string): Promise<{ id: number; email: string; name: string | null; tags: string[] } | undefined> {
  const [reader] = await db.query<{ id: number; email: string; name: string | null; tags: string[] }>(
    `select s.id, s.email, s.name, array(select t.slug from subscriptions x join tags t on t.id = x.tag_id where x.subscriber_id = s.id) as tags
     from subscribers s where s.email = $1`,
    [email],
  );
  return reader;
}

export interface ReaderIssue {
  issueId: number;
  week: string;
  submittedAt: Date;
  /** Sections the reader's digest had. */
  sections: string[];
}

/** The issues a reader was sent, newest first. */
export function readerHistory(db: Db, subscriberId: number, limit = 52): Promise<ReaderIssue[]> {
  return db.query<ReaderIssue>(
    `select d.issue_id as "issueId", i.week, d.submitted_at as "submittedAt", d.sections
     from deliveries d join issues i on i.id = d.issue_id
     where d.subscriber_id = $1 and d.status = 'submitted'
     order by d.submitted_at desc, d.issue_id desc limit $2`,
    [subscriberId, limit],
  );
}

/** Tags and time zone from the preferences page. */
export async function savePreferences(db: Db, subscriberId: number, p: { tags: string[]; timeZone: string }): Promise<void> {
  await db.tx(async (tx) => {
    await tx.run(`update subscribers set time_zone = $2, updated_at = now() where id = $1`, [subscriberId, p.timeZone]);
    await replaceSubscriptions(tx, subscriberId, p.tags);
  });
}

/** Pauses for whole weeks from now; null resumes at once. */
export async function setPause(db: Db, subscriberId: number, weeks: number | null): Promise<Date | null> {
  const [row] = await db.query<{ until: Date | null }>(
    `update subscribers set paused_until = case when $2::int is null then null else now() + $2::int * interval '7 days' end,
       updated_at = now()
     where id = $1 returning paused_until as until`,
    [subscriberId, weeks],
  );
  return row?.until ?? null;
}

/**
 * Unsubscribes from everything. Counts the unsubscribe on the issue whose link was used, once (a row
 * of its own in issue_unsubscribes, never an update of the issue's row, which every concurrent
 * unsubscribe would queue on; issueUnsubscribes counts them): a
 * repeated one-click POST finds the reader already unsubscribed and changes nothing. `via: 'link'`
 * records that an email's unsubscribe link did it: only such an unsubscription can be undone from the
 * link's page (see undoUnsubscribe).
 */
export async function unsubscribe(db: Db, subscriberId: number, issueId: number | null, via: 'link' | null = null): Promise<boolean> {
  return (await unsubscribeAndState(db, subscriberId, issueId, via)).changed;
}

/**
 * unsubscribe, and where the subscription stands after it (undefined: no such reader), in one round
 * trip: the one-click POST answers with both.
 */
export async function unsubscribeAndState(db: Db, subscriberId: number, issueId: number | null, via: 'link' | null = null): Promise<{ changed: boolean; state: SubscriptionState | undefined }> {
  // The statement's own reads see the row as it was before u changed it, so the row is read from
  // subscribers only when u changed nothing.
  const [row] = await db.query<SubscriptionState & { changed: boolean }>(
    UNSUBSCRIBE_AND_STATE,
    [subscriberId, issueId, via],
  );
  if (!row) return { changed: false, state: undefined };
  const { changed, ...state } = row;
  return { changed, state };
}

/** How many readers left through this issue's unsubscribe links (one row each, counted now). */
export async function issueUnsubscribes(db: Db, issueId: number): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from issue_unsubscribes where issue_id = $1`, [issueId]);
  return row!.n;
}

const STATE_COLUMNS = `status, status_version as "statusVersion", unsubscribed_at as "unsubscribedAt", unsubscribed_via as "unsubscribedVia"`;

/** The one-click unsubscribe's one statement (prepared: mailbox providers post these in bursts). */
const UNSUBSCRIBE_AND_STATE = prepared(
  `with u as (
     update subscribers set status = 'unsubscribed', unsubscribed_at = now(), unsubscribed_via = $3, updated_at = now()
     where id = $1 and status in ('active', 'pending')
     returning ${STATE_COLUMNS}),
   counted as (
     insert into issue_unsubscribes (issue_id) select id from issues where id = $2 and exists (select 1 from u) returning issue_id)
   select true as changed, u.* from u
   union all
   select false, ${STATE_COLUMNS} from subscribers where id = $1 and not exists (select 1 from u)`,
);

/** Where a reader's subscription stands, for the unsubscribe pages. */
export interface SubscriptionState {
  status: SubscriberStatus;
  /** Bumped by the database on every status change (migration 005). */
  statusVersion: number;
  unsubscribedAt: Date | null;
  /** 'link': the current unsubscription came from an email's unsubscribe link. */
  unsubscribedVia: 'link' | null;
}

export async function subscriptionState(db: Db, subscriberId: number): Promise<SubscriptionState | undefined> {
  const [row] = await db.query<SubscriptionState>(
    `select ${STATE_COLUMNS} from subscribers where id = $1`,
    [subscriberId],
  );
  return row;
}

/**
 * Undo of one unsubscription made through an unsubscribe link, named by the status version it left:
 * refused once anything changed the status since (a resubscribe, a bounce, a complaint, another
 * unsubscribe, an editor), when the reader left some other way, or when the address is suppressed.
 */
export async function undoUnsubscribe(db: Db, subscriberId: number, statusVersion: number): Promise<boolean> {
  const n = await db.run(
    `update subscribers s set status = 'active', unsubscribed_at = null, unsubscribed_via = null, updated_at = now()
     where s.id = $1 and s.status = 'unsubscribed' and s.status_version = $2 and s.unsubscribed_via = 'link'
       and not exists (select 1 from suppressions p where p.email = s.email)`,
    [subscriberId, statusVersion],
  );
  return n > 0;
}

/** "Resubscribe" on the preferences page. Bounced or suppressed addresses stay out. */
export async function resubscribe(db: Db, subscriberId: number): Promise<boolean> {
  const n = await db.run(
    `update subscribers s set status = 'active', unsubscribed_at = null, unsubscribed_via = null, updated_at = now()
     where s.id = $1 and s.status = 'unsubscribed'
       and not exists (select 1 from suppressions p where p.email = s.email)`,
    [subscriberId],
  );
  return n > 0;
}

/** Everything tagcast holds on a reader, for the export link. */
export async function exportReader(db: Db, subscriberId: number): Promise<Record<string, unknown> | undefined> {
  // The whole row (where the address came from, when it last changed, when it left), not only what
  // the preferences page shows: an export is everything held.
  const [profile] = await db.query<ReaderProfile & Record<string, unknown>>(
    `select s.id, s.email, s.name, s.status, s.time_zone as "timeZone", s.source, s.created_at as "createdAt",
            s.updated_at as "updatedAt", s.confirmed_at as "confirmedAt", s.unsubscribed_at as "unsubscribedAt",
            s.unsubscribed_via as "unsubscribedVia", s.status_version as "statusVersion", s.paused_until as "pausedUntil", s.density,
            array(select t.slug from subscriptions x join tags t on t.id = x.tag_id
                  where x.subscriber_id = s.id order by t.slug) as tags
     from subscribers s where s.id = $1`,
    [subscriberId],
  );
  if (!profile) return undefined;
  const deliveries = await db.query(
    `select d.issue_id as issue, i.week, d.status, d.sections, d.submitted_at as "submittedAt", d.outcome,
            d.opened_at as "openedAt", d.clicked_at as "clickedAt", d.error
     from deliveries d join issues i on i.id = d.issue_id where d.subscriber_id = $1 order by d.issue_id`,
    [subscriberId],
  );
  const notices = await db.query(
    `select kind, payload, created_at as "createdAt", sent_at as "sentAt", used_at as "usedAt" from notices where subscriber_id = $1 order by id`,
    [subscriberId],
  );
  const events = await db.query(
    `select type, received_at as "receivedAt", payload from events where email = $1 order by received_at`,
    [profile.email],
  );
  const [suppression] = await db.query(`select reason, created_at as "createdAt" from suppressions where email = $1`, [profile.email]);
  return { subscriber: profile, deliveries, emailsAsked: notices, providerEvents: events, suppression: suppression ?? null };
}

/**
 * Erases a reader: their row, subscriptions, deliveries, notices and provider events go; the address
 * stays only as a hash, so no import or editor can add it back.
 */
export async function eraseReader(db: Db, subscriberId: number): Promise<boolean> {
  return db.tx(async (tx) => {
    const [s] = await tx.query<{ email: string }>(`select email from subscribers where id = $1 for update`, [subscriberId]);
    if (!s) return false;
    await tx.run(`insert into erasures (email_hash) values ($1) on conflict do nothing`, [emailHash(s.email)]);
    await tx.run(`delete from events where email = $1`, [s.email]);
    await tx.run(`delete from suppressions where email = $1`, [s.email]);
    await tx.run(`delete from subscribers where id = $1`, [subscriberId]);
    return true;
  });
}

/** The names of tags given by slug, in name order (slugs that no longer exist are left out). */
export async function tagNames(db: Db, slugs: string[]): Promise<string[]> {
  if (slugs.length === 0) return [];
  const rows = await db.query<{ name: string }>(`select name from tags where slug = any($1::text[]) order by lower(name)`, [slugs]);
  return rows.map((r) => r.name);
}

/**
 * Which of these slugs a reader may choose (a submitted form may hold anything): existing tags that are
 * not hidden, and on a reader's preferences also any tag they already follow (hidden or not).
 */
export async function existingTags(db: Db, slugs: string[], followerId?: number): Promise<string[]> {
  if (slugs.length === 0) return [];
  const rows = await db.query<{ slug: string }>(
    `select t.slug from tags t where t.slug = any($1::text[])
       and (t.hidden_at is null or exists (select 1 from subscriptions x where x.tag_id = t.id and x.subscriber_id = $2))
     order by t.slug`,
    [slugs, followerId ?? null],
  );
  return rows.map((r) => r.slug);
}

/**
 * A reader's delivery of an issue: the sections frozen for them when it was planned. A section's tag
 * renamed or merged since is read under the slug it has now (tag_aliases), so the web version of a past
 * issue keeps every section; the row itself is never rewritten.
 */
export async function readerDelivery(db: Db, issueId: number, subscriberId: number): Promise<{ sections: string[]; status: string } | undefined> {
  const [row] = await db.query<{ sections: string[]; status: string }>(
    `select array(select coalesce(t.slug, u.s) from unnest(d.sections) with ordinality as u(s, n)
                  left join tag_aliases a on a.slug = u.s left join tags t on t.id = a.tag_id order by u.n) as sections,
            d.status
     from deliveries d where d.issue_id = $1 and d.subscriber_id = $2`,
    [issueId, subscriberId],
  );
  return row;
}

/** What a reader's web version of an issue needs, in one query: the issue, the reader's frozen delivery, the settings. */
export interface WebVersionRow {
  week: string;
  note: string | null;
  /** The delivery's density (null on deliveries planned before it was frozen). */
  density: 'brief' | 'full' | null;
  /** The delivery's sections as their tags are now (a renamed or merged tag by its current slug), each with its tag's id (null: the tag is gone). */
  sections: { slug: string; tagId: number | null }[];
  /**
   * The stored settings as JSON text (null before any was saved): part of the issue page's cache key as
   * it comes, parsed (settingsFromJson) only when that page is built, not on every view.
   */
  settings: string | null;
}

const WEB_VERSION_ROW = prepared(
  `select i.week, i.note, d.density,
          coalesce((select json_agg(json_build_object('slug', coalesce(t.slug, u.s), 'tagId', coalesce(t.id, live.id)) order by u.n)
                    from unnest(d.sections) with ordinality as u(s, n)
                    left join tag_aliases a on a.slug = u.s left join tags t on t.id = a.tag_id
                    left join tags live on live.slug = u.s), '[]'::json) as sections,
          ${SETTINGS_JSON}::text as settings
   from deliveries d join issues i on i.id = d.issue_id where d.issue_id = $1 and d.subscriber_id = $2`,
);

/** The web version's one query per request; undefined when the reader got no digest of that issue (or was erased). */
export async function webVersionRow(db: Db, issueId: number, subscriberId: number): Promise<WebVersionRow | undefined> {
  const [row] = await db.query<WebVersionRow>(
    WEB_VERSION_ROW,
    [issueId, subscriberId],
  );
  return row;
}

/** One delivery of an issue to a reader, for the editor's page of that reader. */
export interface ReaderDelivery {
  issueId: number;
  week: string;
  /** pending | submitted | failed | skipped: what tagcast did. */
  status: string;
  sections: string[];
  sendAt: Date | null;
  submittedAt: Date | null;
  /** The provider's last word (delivered, bounced, complained…); null before any. */
  outcome: string | null;
  openedAt: Date | null;
  clickedAt: Date | null;
  error: string | null;
  /** What the provider reported about this email, oldest first. */
  events: { type: string; receivedAt: Date }[];
}

/** Every delivery of a reader, newest issue first, each with its provider events (one statement). */
export function readerDeliveries(db: Db, subscriberId: number): Promise<ReaderDelivery[]> {
  return db.query<ReaderDelivery>(
    `select d.issue_id as "issueId", i.week, d.status, d.sections, d.send_at as "sendAt", d.submitted_at as "submittedAt",
            d.outcome, d.opened_at as "openedAt", d.clicked_at as "clickedAt", d.error,
            coalesce((select json_agg(json_build_object('type', e.type, 'receivedAt', e.received_at) order by e.received_at, e.id)
                      from events e where d.provider_id is not null and e.provider_id = d.provider_id), '[]'::json) as events
     from deliveries d join issues i on i.id = d.issue_id
     where d.subscriber_id = $1 order by d.issue_id desc`,
    [subscriberId],
  ).then((rows) => rows.map((r) => ({ ...r, events: r.events.map((e) => ({ type: e.type, receivedAt: new Date(e.receivedAt) })) })));
}

/** One email tagcast sent a reader outside the digest (confirm, export or delete link…). */
export interface ReaderNotice {
  kind: NoticeKind;
  createdAt: Date;
  sentAt: Date | null;
  usedAt: Date | null;
  error: string | null;
}

export function readerNotices(db: Db, subscriberId: number): Promise<ReaderNotice[]> {
  return db.query<ReaderNotice>(
    `select kind, created_at as "createdAt", sent_at as "sentAt", used_at as "usedAt", error
     from notices where subscriber_id = $1 order by id desc`,
    [subscriberId],
  );
}
