// Reader-link tokens at the edges the mutation run (docs/mutation.md) found unpinned: the optional
// fifth field (ref), numbers past the safe integers, the exact expiry second and the longest token.
// Only behaviour every version of tokens.ts shares (createToken and verifyToken for existing purposes).
import { describe, expect, it } from 'vitest';
import { createToken, verifyToken } from '../../src/lib/reader-links.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

describe('verifyToken at its edges', () => {
  it('returns the ref a confirmation link was made with', () => {
    const t = createToken(SECRET, { purpose: 'confirm', subscriberId: 7, ref: 42 });
    expect(verifyToken(SECRET, t, 'confirm')).toEqual({ purpose: 'confirm', subscriberId: 7, issueId: undefined, expires: undefined, ref: 42 });
  });

  it('refuses a genuine token whose issue, expiry or ref is past the safe integers', () => {
    const big = 2 ** 60;
    for (const extra of [{ issueId: big }, { expires: big }, { ref: big }]) {
      const t = createToken(SECRET, { purpose: 'web', subscriberId: 1, ...extra });
      // At the epoch, so a number read as 0 would not count as expired either.
      expect(verifyToken(SECRET, t, 'web', new Date(0))).toBeNull();
    }
  });

  it('a link still works in its last second', () => {
    const expires = 1_800_000_000;
    const t = createToken(SECRET, { purpose: 'export', subscriberId: 3, expires });
    expect(verifyToken(SECRET, t, 'export', new Date(expires * 1000))?.subscriberId).toBe(3);
    expect(verifyToken(SECRET, t, 'export', new Date(expires * 1000 + 1))).toBeNull();
  });

  it('the longest token createToken can make (104 characters) verifies', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const t = createToken(SECRET, { purpose: 'preferences', subscriberId: max, issueId: max, expires: max, ref: max });
    expect(t.length).toBe(104);
    expect(verifyToken(SECRET, t, 'preferences', new Date(0))?.ref).toBe(max);
  });
});
