// Signed, purpose-bound reader links. A token names one subscriber (and for the web version one issue)
// and one purpose; an unsubscribe token cannot open preferences and vice versa. Tokens are
// deterministic (same inputs → same bytes), so a rendered digest is too.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Purpose = 'unsubscribe' | 'preferences' | 'web' | 'confirm';
const PURPOSES: Purpose[] = ['unsubscribe', 'preferences', 'web', 'confirm'];

export interface TokenClaims {
  purpose: Purpose;
  subscriberId: number;
  issueId?: number | undefined;
  /** Unix seconds; absent for links in emails, which must keep working (RFC 8058). */
  expires?: number | undefined;
}

const b64 = (b: Buffer) => b.toString('base64url');

function sign(secret: string, payload: string): Buffer {
  // A per-purpose domain separator keeps tokens from other HMAC uses of the secret apart.
  return createHmac('sha256', secret).update(`tagcast-link-v1\0${payload}`).digest().subarray(0, 18);
}

export function createToken(secret: string, c: TokenClaims): string {
  const payload = [c.purpose, c.subscriberId.toString(36), c.issueId?.toString(36) ?? '', c.expires?.toString(36) ?? ''].join('.');
  return `${b64(Buffer.from(payload))}.${b64(sign(secret, payload))}`;
}

/** Returns the claims when the token is genuine, for this purpose and unexpired; otherwise null. */
export function verifyToken(secret: string, token: string, purpose: Purpose, now = new Date()): TokenClaims | null {
  const [p, s, extra] = token.split('.');
  if (!p || !s || extra !== undefined || p.length > 200) return null;
  const payload = Buffer.from(p, 'base64url').toString();
  const expected = sign(secret, payload);
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [tokenPurpose, sid, iid, exp] = payload.split('.');
  if (tokenPurpose !== purpose || !PURPOSES.includes(tokenPurpose)) return null;
  const claims: TokenClaims = {
    purpose,
    subscriberId: parseInt(sid ?? '', 36),
    issueId: iid ? parseInt(iid, 36) : undefined,
    expires: exp ? parseInt(exp, 36) : undefined,
  };
  if (!Number.isSafeInteger(claims.subscriberId)) return null;
  if (claims.expires !== undefined && claims.expires * 1000 < now.getTime()) return null;
  return claims;
}

export interface ReaderLinks {
  web: string;
  preferences: string;
  unsubscribe: string;
  /** mailto: unsubscribe for List-Unsubscribe, for clients that do not use the https one. */
  unsubscribeMailto: string;
}

export function readerLinks(opts: { secret: string; publicUrl: string; mailDomain: string; subscriberId: number; issueId: number }): ReaderLinks {
  const t = (purpose: Purpose, issueId?: number) => createToken(opts.secret, { purpose, subscriberId: opts.subscriberId, issueId });
  const unsub = t('unsubscribe', opts.issueId);
  return {
    web: `${opts.publicUrl}/web/${opts.issueId}?t=${t('web', opts.issueId)}`,
    preferences: `${opts.publicUrl}/preferences?t=${t('preferences')}`,
    unsubscribe: `${opts.publicUrl}/unsubscribe?t=${unsub}`,
    unsubscribeMailto: `mailto:unsubscribe@${opts.mailDomain}?subject=unsubscribe%20${unsub}`,
  };
}
