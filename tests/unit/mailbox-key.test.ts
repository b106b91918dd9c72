// The mailbox an address lands in, for the one-email-per-inbox window: +tag dropped everywhere, dots
// and googlemail folded only at Gmail.
import { describe, expect, it } from 'vitest';
import { mailboxKey, normaliseEmail } from '../../src/lib/mail.ts';

const key = (input: string) => {
  const n = normaliseEmail(input);
  if ('error' in n) throw new Error(n.error);
  return mailboxKey(n.email);
};

describe('mailboxKey', () => {
  it.each([
    ['Jane.Doe@gmail.com', 'janedoe@gmail.com'],
    ['j.a.n.e.d.o.e+news@gmail.com', 'janedoe@gmail.com'],
    ['jane.doe+a+b@GoogleMail.com', 'janedoe@gmail.com'],
    ['sam+list@example.org', 'sam@example.org'],
    ['s.am+list@example.org', 's.am@example.org'],
    ['sam+@example.org', 'sam@example.org'],
    ['first.last@outlook.com', 'first.last@outlook.com'],
    ['jane.doe@mail.gmail.com', 'jane.doe@mail.gmail.com'],
  ])('%s → %s', (input, expected) => {
    expect(key(input)).toBe(expected);
  });

  it('keeps different inboxes apart', () => {
    expect(key('sam@example.org')).not.toBe(key('sam@example.net'));
    expect(key('s.am@example.org')).not.toBe(key('sam@example.org'));
    expect(key('sam-list@example.org')).not.toBe(key('sam@example.org'));
  });
});
