// Signed, purpose-bound reader links. A token names one subscriber (and for the web version one issue,
// for an emailed confirmation, export or delete link the notice that carried it, for an undo the
// unsubscription it undoes, for an unfollow the tag it stops) and one purpose; an unsubscribe token cannot open preferences and vice
// versa. What each purpose opens and may show is in docs/decisions.md ("What each link purpose may
// do"). Tokens are deterministic (same inputs → same bytes), so a rendered digest is too.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const PURPOSES = ['unsubscribe', 'undo', 'preferences', 'web', 'confirm', 'export', 'delete', 'feed', 'unfollow', 'density', 'test'] as const;
export type Purpose = (typeof PURPOSES)[number];

export interface TokenClaims {
  purpose: Purpose;
  subscriberId: number;
  issueId?: number | undefined;
  /** Unix seconds; absent for links in digests, which must keep working (RFC 8058). */
  expires?: number | undefined;
  /**
   * The notice (emailed link) the token came in: a confirmation, export or delete link works for its
   * own request. For an undo, the subscriber's status version its unsubscription left. For an
   * unfollow, the id of the tag it stops (never its slug: a renamed tag keeps its id).
   */
  ref?: number | undefined;
}

const b64 = (b: Buffer) => b.toString('base64url');

function sign(secret: string, payload: string): Buffer {
  // A per-purpose domain separator keeps tokens from other HMAC uses of the secret apart.
  return createHmac('sha256', secret).update(`tagcast-link-v1\0${payload}`).digest().subarray(0, 18);
}

export function createToken(secret: string, c: TokenClaims): string {
  const fields = [c.purpose, c.subscriberId.toString(36), c.issueId?.toString(36) ?? '', c.expires?.toString(36) ?? ''];
  // The fifth field is added only when present, so every token made before it existed is unchanged.
  if (c.ref !== undefined) fields.push(c.ref.toString(36));
  const payload = fields.join('.');
  return `${b64(Buffer.from(payload))}.${b64(sign(secret, payload))}`;
}

/**
 * The longest token createToken can make: a payload of at most 59 bytes (an 11-letter purpose, four
 * dots, four base-36 safe integers of at most 11 digits) is 79 characters, then a dot and the
 * 24-character signature (18 bytes).
 */
const MAX_TOKEN = 104;
const TOKEN = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{24})$/;
/** A base-36 number as toString(36) writes it: no sign, no leading zero, lower case. */
const NUMBER = '(?:0|[1-9a-z][0-9a-z]*)';
const PAYLOAD = new RegExp(`^(${PURPOSES.join('|')})\\.(${NUMBER})\\.(${NUMBER})?\\.(${NUMBER})?(?:\\.(${NUMBER}))?$`);

/** The bytes of `s` when it is the one canonical unpadded base64url encoding of them; otherwise null. */
function canonicalBase64url(s: string): Buffer | null {
  const bytes = Buffer.from(s, 'base64url');
  // Node's decoder skips what it does not understand and ignores spare trailing bits, so many strings
  // decode to the same bytes; only the one that re-encodes to itself is accepted.
  return b64(bytes) === s ? bytes : null;
}

/** A base-36 number (already canonical by PAYLOAD) within the safe integers; otherwise null. */
function base36(s: string): number | null {
  const n = parseInt(s, 36);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Returns the claims when the token is genuine, for this purpose and unexpired; otherwise null.
 * Exactly one string verifies for a set of claims: the one createToken makes. Anything else (padding,
 * "+" or "/", white space, other trailing bits, leading zeros, upper case) is refused before or after
 * the signature is checked, so a token can be compared, logged or used as a key as it is.
 */
export function verifyToken(secret: string, token: string, purpose: Purpose, now = new Date()): TokenClaims | null {
  if (token.length > MAX_TOKEN) return null;
  const m = TOKEN.exec(token);
  if (!m) return null;
  const payloadBytes = canonicalBase64url(m[1]!);
  const given = canonicalBase64url(m[2]!);
  if (!payloadBytes || !given) return null;
  // latin1 maps each byte to one character, so a non-ASCII byte can only fail the pattern.
  const payload = payloadBytes.toString('latin1');
  const fields = PAYLOAD.exec(payload);
  if (!fields || fields[1] !== purpose) return null;
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const subscriberId = base36(fields[2]!);
  const issueId = fields[3] === undefined ? undefined : base36(fields[3]);
  const expires = fields[4] === undefined ? undefined : base36(fields[4]);
  const ref = fields[5] === undefined ? undefined : base36(fields[5]);
  if (subscriberId === null || issueId === null || expires === null || ref === null) return null;
  if (expires !== undefined && expires * 1000 < now.getTime()) return null;
  return { purpose, subscriberId, issueId, expires, ref };
}

export interface ReaderLinks {
  web: string;
  preferences: string;
  unsubscribe: string;
  /** mailto: unsubscribe for List-Unsubscribe, for clients that do not use the https one. */
  unsubscribeMailto: string;
  /** The footer's "brief or full" page. */
  density: string;
  /** "Stop TAG" under each section: tag slug → link, for the sections readerLinks was given. */
  unfollow: Record<string, string>;
}

/** A section of the reader's digest, as an unfollow link needs it. */
export interface SectionTag {
  slug: string;
  tagId: number;
}

interface LinkOptions {
  secret: string;
  publicUrl: string;
  mailDomain: string;
  subscriberId: number;
  issueId: number;
  /** The digest's sections, each with its tag's id; without them `unfollow` is empty. */
  sections?: readonly SectionTag[] | undefined;
}

/** A reader's links in one digest email: they travel to the reader's own inbox. */
export function readerLinks(opts: LinkOptions): ReaderLinks {
  const t = (purpose: Purpose, issueId?: number, ref?: number) => createToken(opts.secret, { purpose, subscriberId: opts.subscriberId, issueId, ref });
  const unsub = t('unsubscribe', opts.issueId);
  const preferences = `${opts.publicUrl}/preferences?t=${t('preferences')}`;
  return {
    web: `${opts.publicUrl}/web/${opts.issueId}?t=${t('web', opts.issueId)}`,
    preferences,
    unsubscribe: `${opts.publicUrl}/unsubscribe?t=${unsub}`,
    unsubscribeMailto: `mailto:unsubscribe@${opts.mailDomain}?subject=unsubscribe%20${unsub}`,
    density: `${opts.publicUrl}/density?t=${t('density')}`,
    // Bound to the reader and the tag, and to the issue whose digest carried it (its unsubscribe, when
    // the reader leaves instead, is counted on that issue).
    unfollow: Object.fromEntries((opts.sections ?? []).map((s) => [s.slug, `${opts.publicUrl}/unfollow?t=${t('unfollow', opts.issueId, s.tagId)}`])),
  };
}

/** The token-free page the web version's preferences, unsubscribe, density and unfollow links lead to. */
export const MANAGE_PATH = '/manage';

/**
 * The links of a digest shown as its web version. Its address is made to be shared (a reader pastes
 * it to a friend, a chat unfurls it), so the page carries no link that reveals or changes the
 * subscription: only the web version's own; preferences, unsubscribe, density and "Stop TAG" lead to a page that points
 * back to the email. Written out field by field, so a link added to ReaderLinks is decided here too.
 */
export function webVersionLinks(opts: Pick<LinkOptions, 'publicUrl' | 'mailDomain' | 'issueId'> & { webToken: string; sections?: readonly { slug: string }[] | undefined }): ReaderLinks {
  const manage = `${opts.publicUrl}${MANAGE_PATH}`;
  return {
    // The page's own address, with the token it was opened with (just verified): no token is signed
    // for a page view.
    web: `${opts.publicUrl}/web/${opts.issueId}?t=${encodeURIComponent(opts.webToken)}`,
    preferences: manage,
    unsubscribe: manage,
    // Never rendered into a page (it is a header of the email); without a token it unsubscribes nobody.
    unsubscribeMailto: `mailto:unsubscribe@${opts.mailDomain}`,
    // Switching density or stopping a tag changes the subscription: from a shared copy, nobody's.
    density: manage,
    unfollow: Object.fromEntries((opts.sections ?? []).map((s) => [s.slug, manage])),
  };
}

/** Where a test email's links lead: pages that say it is a test, under TEST_PATH/<issue>. */
export const TEST_PATH = '/test';

/**
 * The links of a test email (an editor's test send). One `test` token for the issue, signed for no
 * reader (subscriber 0); its `ref` is the reader the test was made as, if any, so the pages show the
 * same digest. Web version, preferences and unsubscribe each open a page that says it is a test and
 * changes nothing: a forwarded test email can neither unsubscribe nor open anyone's preferences.
 */
export function testLinks(opts: Omit<LinkOptions, 'subscriberId'> & { asReader?: number | undefined }): ReaderLinks {
  return testLinksOf({ ...opts, token: createToken(opts.secret, { purpose: 'test', subscriberId: 0, issueId: opts.issueId, ref: opts.asReader }) });
}

/** A test email's links from its one token (the test pages hand on the token they were opened with). */
export function testLinksOf(opts: Pick<LinkOptions, 'publicUrl' | 'mailDomain' | 'issueId'> & { token: string }): ReaderLinks {
  const t = opts.token;
  const base = `${opts.publicUrl}${TEST_PATH}/${opts.issueId}`;
  return {
    web: `${base}?t=${t}`,
    preferences: `${base}/preferences?t=${t}`,
    unsubscribe: `${base}/unsubscribe?t=${t}`,
    // A test token is no unsubscribe token: a client that mails this unsubscribes nobody.
    unsubscribeMailto: `mailto:unsubscribe@${opts.mailDomain}?subject=unsubscribe%20test`,
    // Brief or full, and stopping a tag, are the reader's own choices: a test's links show what the reader would see.
    density: `${base}/preferences?t=${t}`,
    unfollow: {},
  };
}
