// GET/POST /subscribe and GET /confirm: double opt-in. The subscribe form answers the same whether
// the address is new, pending, subscribed or suppressed (nobody learns who reads what); the one
// click in the confirmation email activates the reader, with the tags and time zone they asked for.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { owedWelcome } from '../../db/notices.ts';
import { confirmSubscription, existingTags, readerProfile, requestSubscription, tagNames } from '../../db/readers.ts';
import { offeredTags } from '../../db/tags.ts';
import { isoWeek } from '../../digest/week.ts';
import { getSchedule, occurrences } from '../../schedule.ts';
import type { Db } from '../../db/connection.ts';
import { mailboxKey, normaliseEmail } from '../../lib/mail.ts';
import { isTimeZone, zonedInstant } from '../../time.ts';
import { SubscribePage, type FieldError, type SubscribeValues } from '../views/reader.tsx';
import { field, fields, links, readLink, sendLinkProblem, sendMessage, sendPage, type ReaderDeps } from './common.tsx';

const NAME_MAX = 200;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/**
 * The problem with tags a form sent that do not exist (a stale page, a tag renamed since, a crafted
 * post), naming them; null when every tag is known. Never silently dropped: the reader would follow
 * less than they ticked without being told.
 */
export function unknownTags(asked: string[], known: string[]): string | null {
  const missing = asked.filter((s) => !known.includes(s));
  if (missing.length === 0) return null;
  const named = missing.slice(0, 3).map((s) => `"${s.length > 60 ? `${s.slice(0, 59)}…` : s}"`);
  const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
  return `Choose tags from the list: ${named.join(', ')}${more} ${missing.length === 1 ? 'is not a tag' : 'are not tags'} here any more.`;
}

/** The first ISO week the tag lists count: SUBSCRIBE_TAG_WEEKS back from now. */
export function recentSince(deps: Pick<ReaderDeps, 'now' | 'config'>): string {
  return isoWeek(new Date(deps.now().getTime() - deps.config.subscribeTagWeeks * 7 * 86_400_000));
}

async function showForm(req: FastifyRequest, reply: FastifyReply, deps: ReaderDeps, values: SubscribeValues, errors: FieldError[], status: number, zoneFromBrowser: boolean) {
  const tags = await offeredTags(deps.db, recentSince(deps));
  return sendPage(
    reply,
    <SubscribePage tags={tags} values={values} zoneFromBrowser={zoneFromBrowser} errors={errors} csrf={deps.csrf.token(req, reply)} archive={deps.config.archive} weeks={deps.config.subscribeTagWeeks} />,
    status,
  );
}

export async function subscribeRoutes(app: FastifyInstance, deps: ReaderDeps): Promise<void> {
  app.get('/subscribe', async (req, reply) => {
    // /subscribe?tags=rust,databases pre-ticks tags (a tag page links here).
    const wanted = (field(req.query, 'tags') ?? '').split(',').filter(Boolean).slice(0, 50);
    return showForm(req, reply, deps, { email: '', name: '', tags: wanted, timeZone: deps.config.defaultTimeZone }, [], 200, true);
  });

  app.post('/subscribe', { config: { rateLimit: app.rateLimits.publicPost } }, async (req, reply) => {
    const body = req.body;
    const values: SubscribeValues = {
      email: (field(body, 'email') ?? '').slice(0, 320),
      name: (field(body, 'name') ?? '').slice(0, NAME_MAX + 1),
      tags: fields(body, 'tags').slice(0, 200),
      timeZone: field(body, 'time_zone') ?? deps.config.defaultTimeZone,
    };
    const csrfProblem = deps.csrf.check(req, field(body, '_csrf'));
    if (csrfProblem) return showForm(req, reply, deps, values, [{ message: `Not sent: ${csrfProblem}.` }], 403, false);

    const errors: FieldError[] = [];
    const address = normaliseEmail(values.email);
    if ('error' in address) errors.push({ field: 'email', message: values.email.trim() === '' ? 'Enter your email address.' : 'Enter an email address like name@example.com.' });
    const asked = [...new Set(values.tags)];
    const tags = await existingTags(deps.db, asked);
    const unknown = unknownTags(asked, tags);
    if (unknown) errors.push({ field: 'tags', message: unknown });
    else if (tags.length === 0) errors.push({ field: 'tags', message: 'Choose at least one tag to follow.' });
    if (!isTimeZone(values.timeZone)) errors.push({ field: 'time_zone', message: 'Choose a time zone from the list.' });
    const name = values.name.replace(/\s+/g, ' ').trim();
    if (name.length > NAME_MAX || CONTROL.test(name)) errors.push({ field: 'name', message: `Enter a name of at most ${NAME_MAX} characters, or leave it empty.` });
    if (errors.length > 0) return showForm(req, reply, deps, values, errors, 400, false);

    // A bot filled the field people never see: the same answer, and nothing is stored or sent.
    if ((field(body, 'website') ?? '') === '' && 'email' in address) {
      const outcome = await requestSubscription(deps.db, { email: address.email, mailbox: mailboxKey(address.email), tags, timeZone: values.timeZone, name: name || null });
      if (outcome.kind !== 'held') deps.enqueueNotice(outcome.noticeId);
    }
    return sendMessage(reply, deps, {
      title: 'Check your inbox',
      message: (
        <>
          <p>
            If <strong>{'email' in address ? address.email : values.email}</strong> can receive our emails, a message is on its way to it. Click the link in it to start your digest.
          </p>
          <p className="small">Nothing arrives? Look in the spam folder, or try again in ten minutes: we send at most one email to an inbox every ten minutes, however its address is spelled.</p>
        </>
      ),
    });
  });

  // The one GET that changes something: the click in the confirmation email. A second click, or a
  // link scanner's fetch before the reader's, finds the reader confirmed already and changes nothing.
  app.get('/confirm', async (req, reply) => {
    const link = readLink(req, deps.config.secret, 'confirm', deps.now());
    if ('problem' in link) {
      if (link.problem !== 'expired') return sendLinkProblem(reply, deps, link.problem);
      return sendMessage(reply, deps, { status: 410, title: 'Link expired', message: <p>This confirmation link has expired. <a href="/subscribe">Subscribe again</a> and use the new link within three days.</p> });
    }
    const { subscriberId, ref } = link.claims;
    const outcome = ref === undefined ? 'unknown' : await confirmSubscription(deps.db, subscriberId, ref);
    if (outcome === 'unknown') return sendLinkProblem(reply, deps, 'invalid');
    if (outcome === 'used' || outcome === 'gone') {
      // After an erasure the link names nobody any more: 410 as for a reader who left (docs/decisions.md).
      const used = outcome === 'used';
      const ended = used ? 'was used once already, and the subscription has ended since' : 'was for a subscription whose data has been erased since';
      return sendMessage(reply, deps, { status: 410, title: used ? 'Link used already' : 'Link no longer valid', message: <p>This confirmation link {ended}. To get digests again, <a href="/subscribe">subscribe again</a>.</p> });
    }
    if (outcome === 'refused') {
      return sendMessage(reply, deps, { status: 409, title: 'Not confirmed', message: 'Emails to this address bounced or were marked as spam, so we cannot send digests to it. Subscribe with another address.' });
    }
    // The welcome was written with the confirmation; queue it (a repeated click queues nothing new).
    const welcome = await owedWelcome(deps.db, subscriberId);
    if (welcome !== null) deps.enqueueNotice(welcome);
    const profile = await readerProfile(deps.db, subscriberId);
    const zone = profile?.timeZone ?? deps.config.defaultTimeZone;
    const [tags, next] = await Promise.all([tagNames(deps.db, profile?.tags ?? []), nextDigest(deps.db, zone, deps.now())]);
    return sendMessage(reply, deps, {
      title: outcome === 'confirmed' ? 'You are subscribed' : 'You are subscribed already',
      message: (
        <>
          <p>
            {outcome === 'confirmed' ? 'Thank you for confirming. ' : ''}Your digest goes to <strong>{profile?.email}</strong>, with only the tags you follow
            {tags.length > 0 ? `: ${tags.join(', ')}` : ''}.
          </p>
          <p>
            {next
              ? `The next digest goes out on ${next} (${zone}), with the tags that have news that week.`
              : 'No weekly digest is scheduled yet: your first one comes with the next issue the editors send.'}
          </p>
          <p>
            <a href={links(deps.config, subscriberId).preferences}>Your preferences</a>: change tags and time zone, pause, or unsubscribe.
          </p>
        </>
      ),
    });
  });
}

/**
 * When the weekly schedule sends next, in the reader's zone: "Thursday 10 December 2026 at 08:00", or
 * null when no schedule is set (an editor then sends each issue by hand). A schedule at each reader's
 * local time reaches them at its time of day in their own zone.
 */
export async function nextDigest(db: Db, zone: string, now: Date): Promise<string | null> {
  const s = await getSchedule(db, now);
  if (!s) return null;
  const at = s.local ? zonedInstant({ date: occurrences(s, now).next.date, time: s.time }, zone) : s.nextRun;
  const day = at.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: zone });
  const time = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });
  return `${day} at ${time}`;
}
