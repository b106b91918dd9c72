import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../src/digest/assemble.ts';
import type { DigestRenderer } from '../../src/render/index.ts';
import { composeEmail, listId } from '../../src/send/compose.ts';
import { DEFAULT_PUBLICATION } from '../../src/render/publication.ts';
import { encodeAddress, encodeHeader, foldHeader, HeaderError, quotedPrintable, toMime } from '../../src/send/mime.ts';
import { createOutbox, outboxFileName, outboxPath } from '../../src/send/outbox.ts';
import type { OutgoingEmail } from '../../src/send/provider.ts';
import { mailDomain, normaliseEmail } from '../../src/lib/mail.ts';
import { parseEml } from '../support/mail.ts';

/** RFC 2045 quoted-printable decoder, written independently of the encoder under test. */
function decodeQP(encoded: string): string {
  expect(encoded).not.toMatch(/\r(?!\n)|(?<!\r)\n/); // only CRLF line breaks
  const joined = encoded.replace(/=\r\n/g, ''); // soft line breaks
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i]!;
    if (c === '=') {
      const hex = joined.slice(i + 1, i + 3);
      expect(hex).toMatch(/^[0-9A-F]{2}$/);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '\r' && joined[i + 1] === '\n') {
      bytes.push(0x0a); // a hard line break stands for the text's newline
      i++;
    } else {
      const code = c.charCodeAt(0);
      expect(code).toBeLessThan(128);
      bytes.push(code);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 5322 §2.2.3 unfolding: a CRLF before white space is removed, the white space kept. */
const unfold = (value: string) => value.replace(/\r\n(?=[ \t])/g, '');

/** RFC 2047 decoder for B-encoded UTF-8 words, possibly folded over several lines. */
function decodeWords(value: string): string {
  // White space between adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const words = unfold(value).trim().split(/[ \t]+/);
  const bytes: Buffer[] = [];
  for (const w of words) {
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i.exec(w.trim());
    expect(m, `not an encoded word: ${w}`).not.toBeNull();
    bytes.push(Buffer.from(m![1]!, 'base64'));
  }
  return Buffer.concat(bytes).toString('utf8');
}

const lines = (s: string) => s.split('\r\n');

describe('quotedPrintable', () => {
  const samples = [
    'plain ascii',
    'a=b and == and =3D',
    'Kubernetes’s dominance — “quoted” — Zoë, 東京, 🚀 emoji',
    'x'.repeat(200),
    'é'.repeat(80),
    '🚀'.repeat(50),
    `${'a'.repeat(74)}=b${'c'.repeat(10)}`,
    `${'a'.repeat(73)}é${'c'.repeat(10)}`,
    `${'word '.repeat(40)}`,
    'trailing space \ntrailing tab\t\nnext',
    'windows\r\nline\r\nendings\r\n',
    '\n\nblank lines\n\n',
    '',
  ];

  it.each(samples.map((s) => [s]))('decodes back to the original: %j', (text) => {
    expect(decodeQP(quotedPrintable(text))).toBe(text.replace(/\r\n/g, '\n'));
  });

  it('keeps every line at most 76 characters', () => {
    for (const text of samples) {
      for (const l of lines(quotedPrintable(text))) expect(l.length).toBeLessThanOrEqual(76);
    }
  });

  it('encodes "=" and non-ASCII, keeps plain ASCII readable', () => {
    expect(quotedPrintable('a=b')).toBe('a=3Db');
    expect(quotedPrintable('é')).toBe('=C3=A9');
    expect(quotedPrintable('— ’')).toBe('=E2=80=94 =E2=80=99');
    expect(quotedPrintable('Hello, world!')).toBe('Hello, world!');
  });

  it('encodes white space at the end of a line', () => {
    expect(quotedPrintable('a \nb\t')).toBe('a=20\r\nb=09');
    expect(quotedPrintable('a b')).toBe('a b');
  });

  it('uses CRLF for hard line breaks', () => {
    expect(quotedPrintable('a\nb\r\nc')).toBe('a\r\nb\r\nc');
  });

  it('never splits an escape sequence across a soft break', () => {
    for (const l of lines(quotedPrintable('é'.repeat(100)))) {
      expect(l.replace(/=$/, '')).toMatch(/^(=[0-9A-F]{2})*$/);
    }
  });

  it('ends no line in unencoded white space', () => {
    for (const text of samples) {
      for (const l of lines(quotedPrintable(text))) expect(l).not.toMatch(/[ \t]$/);
    }
  });
});

describe('encodeHeader', () => {
  it('leaves printable ASCII alone', () => {
    expect(encodeHeader('Kubernetes and AI: your week 48 digest')).toBe('Kubernetes and AI: your week 48 digest');
    expect(encodeHeader('')).toBe('');
  });

  it.each([
    ['Zoë'],
    ['Kubernetes’s week — 48'],
    ['東京の週間ダイジェスト'.repeat(4)],
    ['🚀 '.repeat(30)],
    ['Kubernetes — ünïcödé 🚀 '.repeat(5)],
  ])('encodes %j as RFC 2047 words that decode back', (value) => {
    const encoded = encodeHeader(value);
    expect(encoded).toMatch(/^=\?UTF-8\?B\?/);
    expect(decodeWords(encoded)).toBe(value);
    for (const l of lines(encoded)) expect(l.trim().length).toBeLessThanOrEqual(75);
    expect(encoded).toMatch(/^[\x20-\x7e\r\n]*$/);
  });

  it('makes each word decode on its own (no split UTF-8 sequence)', () => {
    const encoded = encodeHeader('é🚀'.repeat(40));
    for (const w of encoded.split('\r\n ')) {
      const b64 = /^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!;
      expect(Buffer.from(b64, 'base64').toString('utf8')).not.toContain('\uFFFD');
    }
  });

  it('cannot be used to inject a header', () => {
    const encoded = encodeHeader('Hello\r\nBcc: victim@example.com');
    expect(encoded).not.toMatch(/\r\n(?![ \t])/);
    expect(encoded).not.toContain('Bcc:');
    expect(decodeWords(encoded)).toBe('Hello\r\nBcc: victim@example.com');
  });
});

describe('encodeAddress', () => {
  it('leaves a bare address alone', () => {
    expect(encodeAddress('digest@example.com')).toBe('digest@example.com');
    expect(encodeAddress('  digest@example.com ')).toBe('digest@example.com');
    expect(encodeAddress('<digest@example.com>')).toBe('<digest@example.com>');
  });

  it('quotes an ASCII display name', () => {
    expect(encodeAddress('Tagcast <digest@example.com>')).toBe('"Tagcast" <digest@example.com>');
    expect(encodeAddress('Doe, Jane <jane@example.com>')).toBe('"Doe, Jane" <jane@example.com>');
    expect(encodeAddress('"Tagcast Weekly" <digest@example.com>')).toBe('"Tagcast Weekly" <digest@example.com>');
  });

  it('escapes quotes and backslashes in a bare display name', () => {
    expect(encodeAddress('Jo "JJ" Smith <jo@example.com>')).toBe('"Jo \\"JJ\\" Smith" <jo@example.com>');
  });

  it('keeps an already quoted display name with escaped quotes as it is', () => {
    // RFC 5322 quoted-string: "Jo \"JJ\" Smith" is the name Jo "JJ" Smith; it must not be escaped twice.
    expect(encodeAddress('"Jo \\"JJ\\" Smith" <jo@example.com>')).toBe('"Jo \\"JJ\\" Smith" <jo@example.com>');
  });

  it('encodes a non-ASCII display name and leaves the address untouched', () => {
    const out = encodeAddress('Zoë Müller <zoe@example.com>');
    const m = /^(.*) <zoe@example\.com>$/.exec(out);
    expect(m).not.toBeNull();
    expect(decodeWords(m![1]!)).toBe('Zoë Müller');
  });
});

// --- toMime ------------------------------------------------------------------------------------

const email: OutgoingEmail = {
  from: 'Tagcast Weekly <digest@news.example.com>',
  to: 'Zoë Müller <zoe@example.com>',
  subject: 'Kubernetes and AI — your week 48 digest',
  html: `<!doctype html><html><body><h1 style="color:#333">Week 48</h1><p>${'Kubernetes’s success — a long paragraph. '.repeat(20)}</p></body></html>`,
  text: `Week 48\n\n${'Kubernetes’s success — a long line = that wraps. '.repeat(10)}\nUnsubscribe: https://news.example.com/unsubscribe?t=abc.def\n`,
  headers: {
    'Message-ID': '<issue-1.reader-2@news.example.com>',
    'List-Id': 'tagcast weekly digest <weekly.news.example.com>',
    'List-Unsubscribe': '<https://news.example.com/unsubscribe?t=abc.def>, <mailto:unsubscribe@news.example.com?subject=unsubscribe%20abc.def>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  date: new Date('2026-11-23T08:00:00Z'),
};

function parseMime(raw: string) {
  const split = raw.indexOf('\r\n\r\n');
  expect(split).toBeGreaterThan(0);
  const headerText = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const h of headerText.split(/\r\n(?![ \t])/)) {
    const colon = h.indexOf(':');
    headers.set(h.slice(0, colon).toLowerCase(), unfold(h.slice(colon + 1)).replace(/^ /, ''));
  }
  return { headerText, headers, body };
}

describe('toMime', () => {
  const raw = toMime(email);
  const { headerText, headers, body } = parseMime(raw);

  it('uses CRLF for every line ending', () => {
    expect(raw).not.toMatch(/\r(?!\n)/);
    expect(raw).not.toMatch(/(?<!\r)\n/);
    expect(raw.endsWith('\r\n')).toBe(true);
  });

  it('keeps every line within the RFC 5322 limit and in ASCII', () => {
    for (const l of lines(raw)) expect(l.length).toBeLessThanOrEqual(998);
    expect(raw).toMatch(/^[\x20-\x7e\r\n]*$/);
  });

  it('has the standard headers, encoded', () => {
    expect(headers.get('from')).toBe('"Tagcast Weekly" <digest@news.example.com>');
    expect(decodeWords(/^(.*) <zoe@example\.com>$/.exec(headers.get('to')!)![1]!)).toBe('Zoë Müller');
    expect(decodeWords(headers.get('subject')!)).toBe(email.subject);
    expect(headers.get('date')).toBe('Mon, 23 Nov 2026 08:00:00 +0000');
    expect(headers.get('mime-version')).toBe('1.0');
  });

  it('has every header it was given, as given', () => {
    for (const [k, v] of Object.entries(email.headers)) expect(headers.get(k.toLowerCase())).toBe(v);
    expect(headerText).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('is multipart/alternative with a boundary that delimits a text and an HTML part', () => {
    const m = /^multipart\/alternative; boundary="([^"]+)"$/.exec(headers.get('content-type')!);
    expect(m).not.toBeNull();
    const boundary = m![1]!;
    expect(boundary.length).toBeLessThanOrEqual(70);
    expect(body.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(body.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
    const parts = body.slice(0, body.lastIndexOf(`\r\n--${boundary}--`)).split(new RegExp(`(?:^|\\r\\n)--${boundary}\\r\\n`)).slice(1);
    expect(parts).toHaveLength(2);
    const [text, html] = parts.map((p) => parseMime(p)) as [ReturnType<typeof parseMime>, ReturnType<typeof parseMime>];
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.headers.get('content-transfer-encoding')).toBe('quoted-printable');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-transfer-encoding')).toBe('quoted-printable');
    expect(decodeQP(text.body)).toBe(email.text);
    expect(decodeQP(html.body)).toBe(email.html);
    // The boundary occurs only in the header and the three delimiter lines, never inside the content.
    expect(raw.split(boundary).length - 1).toBe(4);
  });

  it('is byte-identical for the same input, and differs when the content does', () => {
    expect(toMime({ ...email, headers: { ...email.headers } })).toBe(raw);
    expect(toMime({ ...email, text: `${email.text}!` })).not.toBe(raw);
    expect(toMime({ ...email, date: new Date('2026-11-24T08:00:00Z') })).not.toBe(raw);
  });

  it('uses a different boundary for a different recipient', () => {
    const other = parseMime(toMime({ ...email, to: 'other@example.com' }));
    expect(other.headers.get('content-type')).not.toBe(headers.get('content-type'));
    expect(other.headers.get('to')).toBe('other@example.com');
  });
});

describe('compose helpers', () => {
  it('mailDomain takes the domain of the sender address', () => {
    expect(mailDomain('Tagcast <digest@example.com>')).toBe('example.com');
    expect(mailDomain('"Weekly, Tagcast" <digest@news.example.org>')).toBe('news.example.org');
    expect(mailDomain('digest@tagcast.localhost')).toBe('tagcast.localhost');
  });

  it('listId is an RFC 2919 list id under the public host', () => {
    expect(listId('https://news.example.com')).toBe('tagcast weekly digest <weekly.news.example.com>');
    expect(listId('https://news.example.com:8443/base/')).toBe('tagcast weekly digest <weekly.news.example.com>');
    expect(listId('http://localhost:3000')).toBe('tagcast weekly digest <weekly.localhost>');
    expect(listId('https://news.example.com')).toMatch(/^[^<>]* <[A-Za-z0-9.-]+\.[A-Za-z0-9-]+>$/);
  });
});

// --- header folding ----------------------------------------------------------------------------

/** The header block's physical lines. */
const headerLines = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');

/**
 * Every header line is at most 998 octets, and one over 78 had nowhere to fold within its first 78
 * characters (white space followed by text, past the field name and the first word of its value).
 */
function expectFolded(raw: string) {
  for (const line of headerLines(raw)) {
    expect(Buffer.byteLength(line), line).toBeLessThanOrEqual(998);
    if (line.length <= 78) continue;
    const from = /^[ \t]/.test(line) ? 1 : line.indexOf(':') + 3;
    for (let i = from; i <= 78; i++) expect(/[ \t]/.test(line[i]!) && !/[ \t]/.test(line[i + 1] ?? ' '), `could fold at ${i}: ${line}`).toBe(false);
  }
  // Every physical line of the whole message, body included, keeps to the hard limit.
  for (const l of lines(raw)) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(998);
}

/** A header's physical lines: its first line and the continuation lines after it. */
function fieldLines(raw: string, name: string): string[] {
  const all = headerLines(raw);
  const start = all.findIndex((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  expect(start).toBeGreaterThanOrEqual(0);
  let end = start + 1;
  while (end < all.length && /^[ \t]/.test(all[end]!)) end++;
  return all.slice(start, end);
}

/** 1,400 characters of words of 1–12 letters, with a double space now and then: deterministic. */
function longAsciiSubject(): string {
  let out = '';
  for (let i = 0; out.length < 1400; i++) out += `${'abcdefghijkl'.slice(0, 1 + ((i * 7) % 12))}${i % 9 === 4 ? '  ' : ' '}`;
  return out.slice(0, 1400).trim();
}

describe('header folding', () => {
  it('folds a 1,400-character subject at white space: lines of at most 78, the value intact', () => {
    const subject = longAsciiSubject();
    expect(subject.length).toBeGreaterThan(1390);
    const raw = toMime({ ...email, subject });
    expectFolded(raw);
    const subj = fieldLines(raw, 'Subject');
    expect(subj.length).toBeGreaterThan(18);
    for (const l of subj) expect(l.length).toBeLessThanOrEqual(78);
    // tests/support/mail.ts unfolds as a mail client does; the double spaces survive.
    expect(parseEml(raw).headers.get('subject')).toBe(subject);
    expect(subject).toContain('  ');
  });

  it('encodes a 1,400-character subject with no white space, rather than write a line over 998', () => {
    const subject = `${'x'.repeat(1000)}/${'y'.repeat(399)}`;
    const raw = toMime({ ...email, subject });
    expectFolded(raw);
    for (const l of fieldLines(raw, 'Subject')) expect(l.length).toBeLessThanOrEqual(78);
    expect(decodeWords(parseEml(raw).headers.get('subject')!)).toBe(subject);
  });

  it('keeps a subject of ASCII that reads like an encoded word literal', () => {
    const subject = 'Read =?UTF-8?B?SGk=?= literally';
    const raw = toMime({ ...email, subject });
    expect(decodeWords(parseEml(raw).headers.get('subject')!)).toBe(subject);
  });

  it('fits a long non-ASCII subject in lines of at most 78, the field name included', () => {
    const subject = 'Kubernetes — ünïcödé 🚀 東京 '.repeat(40).trim();
    const raw = toMime({ ...email, subject });
    expectFolded(raw);
    const subj = fieldLines(raw, 'Subject');
    expect(subj.length).toBeGreaterThan(10);
    for (const l of subj) expect(l.length).toBeLessThanOrEqual(78);
    expect(decodeWords(parseEml(raw).headers.get('subject')!)).toBe(subject);
  });

  it('folds long display names, ASCII and not, and keeps the address whole', () => {
    const ascii = `${'Very Long Display Name '.repeat(9)}End`;
    const other = 'Zoë Müller-Lüdenscheidt, Ph.D. '.repeat(7).trim();
    for (const name of [ascii, other]) {
      const raw = toMime({ ...email, to: `${name} <reader@example.com>` });
      expectFolded(raw);
      const to = fieldLines(raw, 'To');
      expect(to.length).toBeGreaterThan(2);
      for (const l of to) expect(l.length).toBeLessThanOrEqual(78);
      const value = parseEml(raw).headers.get('to')!;
      const m = /^(.*) <reader@example\.com>$/.exec(value);
      expect(m, value).not.toBeNull();
      expect(m![1]!.startsWith('"') ? m![1]!.slice(1, -1) : decodeWords(m![1]!)).toBe(name);
    }
  });

  it('folds List-Unsubscribe after the comma between two long URLs', () => {
    const token = 'T'.repeat(300);
    const value = `<https://news.example.com/unsubscribe?t=${token}>, <mailto:unsubscribe@news.example.com?subject=unsubscribe%20${token}>`;
    const raw = toMime({ ...email, headers: { ...email.headers, 'List-Unsubscribe': value } });
    expectFolded(raw);
    const field = fieldLines(raw, 'List-Unsubscribe');
    expect(field).toEqual([`List-Unsubscribe: <https://news.example.com/unsubscribe?t=${token}>,`, ` <mailto:unsubscribe@news.example.com?subject=unsubscribe%20${token}>`]);
    expect(parseEml(raw).headers.get('list-unsubscribe')).toBe(value);
  });

  it('folds the standard email within 78 wherever white space allows', () => {
    expectFolded(toMime(email));
    expect(fieldLines(toMime(email), 'Content-Type')).toHaveLength(2);
  });

  it('refuses a header line over 998 octets with nowhere to fold, rather than write it', () => {
    const url = `https://news.example.com/unsubscribe?t=${'T'.repeat(1400)}`;
    expect(() => toMime({ ...email, headers: { ...email.headers, 'List-Unsubscribe': `<${url}>` } })).toThrow(HeaderError);
    expect(() => foldHeader('List-Unsubscribe', `<${url}>`)).toThrow(/1[0-9]{3} octets with no white space to fold at/);
    // Just within the limit it is written, unfolded.
    const fits = `<${'u'.repeat(998 - 'X-Long: '.length - 2)}>`;
    expect(foldHeader('X-Long', fits)).toBe(`X-Long: ${fits}`);
  });

  it('refuses a line break or control character in a header it does not encode', () => {
    for (const bad of ['x\r\nBcc: victim@example.com', 'x\nBcc: y', 'x\rBcc: y', 'x\u0000y', 'x\r\n', 'x\r\n \r\n y']) {
      expect(() => toMime({ ...email, headers: { ...email.headers, 'List-Id': bad } }), JSON.stringify(bad)).toThrow(HeaderError);
    }
    expect(() => foldHeader('Bad Name', 'x')).toThrow(HeaderError);
  });

  it('folds deterministically: the same email gives the same bytes', () => {
    const long = { ...email, subject: longAsciiSubject(), to: `${'Név '.repeat(40)}<a@example.com>` };
    expect(toMime({ ...long, headers: { ...long.headers } })).toBe(toMime(long));
  });
});

// --- compose: defence in depth -----------------------------------------------------------------

describe('composeEmail', () => {
  const renderer = (subject: string): DigestRenderer => ({
    engine: undefined as never,
    publication: DEFAULT_PUBLICATION,
    prepare: async () => undefined,
    render: async () => ({ subject, preheader: '', html: '<p>x</p>', text: 'x', cut: 0, shown: undefined as never }),
  });
  const ctx = (subject: string) => ({
    secret: 'a-test-secret-of-enough-length',
    publicUrl: 'https://news.example.com',
    mailFrom: 'Tagcast <digest@news.example.com>',
    issueId: 1,
    renderer: renderer(subject),
    date: new Date('2026-11-23T08:00:00Z'),
  });

  it('never puts a line break or control character from the database into a header value', async () => {
    const out = await composeEmail(ctx('Hello\r\nBcc: victim@example.com\u0085x\u2028y'), { subscriberId: 2, email: 'a@example.com\r\nBcc: v@example.com', name: 'Eve\r\nBcc: v@example.com\u0007' }, { sections: [] } as unknown as Digest);
    for (const v of [out.to, out.subject, out.from, ...Object.values(out.headers)]) expect(v).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(out.subject).toBe('Hello Bcc: victim@example.com x y');
    // And so the written message has no Bcc header of its own.
    expect(headerLines(toMime(out)).some((l) => /^bcc:/i.test(l))).toBe(false);
  });
});

// --- outbox file names -------------------------------------------------------------------------

describe('outbox', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagcast-outbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const send = (folder: string, to: string[]) =>
    createOutbox(dir).sendBatch(
      to.map((addr) => ({ ...email, to: addr })),
      { idempotencyKey: `k-${folder}`, folder },
    );

  it('keeps the readable <address> name for an ordinary address', () => {
    expect(outboxFileName('ada@example.com')).toBe('ada@example.com');
    expect(outboxFileName('Ada Lovelace <ada+news@example.com>')).toBe('ada+news@example.com');
    expect(outboxFileName('o.k_1-2@sub.example.co.uk')).toBe('o.k_1-2@sub.example.co.uk');
  });

  it('gives addresses that differ only in characters outside the safe set different files', async () => {
    const addresses = ['a/b@x.example', 'a_b@x.example', 'A_B@x.example', 'a b@x.example', 'a\\b@x.example', '.a_b@x.example', '_a_b@x.example', 'a_b@x.example~x'];
    const names = addresses.map(outboxFileName);
    expect(new Set(names).size).toBe(addresses.length);
    // Different on a case-insensitive disk too.
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(addresses.length);
    const r = await send('collide', addresses);
    expect(r.outcomes.every((o) => o.status === 'accepted')).toBe(true);
    const files = readdirSync(path.join(dir, 'collide'));
    expect(files).toHaveLength(addresses.length * 2); // one .eml and one .html each, no temp file left
    expect(files).toContain('a_b@x.example.eml');
    for (const addr of addresses) {
      const eml = readFileSync(path.join(dir, 'collide', `${outboxFileName(addr)}.eml`), 'utf8');
      expect(parseEml(eml).headers.get('to')).toBe(addr.trim());
    }
  });

  it('writes the files of a valid 254-character address, within every file-name limit', async () => {
    const addr = `${'l'.repeat(64)}@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(57)}.com`;
    expect(addr).toHaveLength(254);
    expect(normaliseEmail(addr)).toEqual({ email: addr });
    const name = outboxFileName(addr);
    expect(Buffer.byteLength(`${name}.html`)).toBeLessThanOrEqual(143);
    expect(name.startsWith(`${'l'.repeat(63)}~`)).toBe(true);
    const r = await send('long', [addr, `${addr.slice(0, -4)}.net`]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted']);
    expect(readdirSync(path.join(dir, 'long')).sort()).toEqual([`${name}.eml`, `${name}.html`, `${outboxFileName(`${addr.slice(0, -4)}.net`)}.eml`, `${outboxFileName(`${addr.slice(0, -4)}.net`)}.html`].sort());
    expect(parseEml(readFileSync(path.join(dir, 'long', `${name}.eml`), 'utf8')).headers.get('to')).toBe(addr);
  });

  it('maps many kinds of address to distinct, bounded, plain file names', () => {
    const chars = ['a', 'A', '_', '/', '.', '~', ' ', '-', '+', 'é', '\\', ':', '\u0000', '%'];
    const addresses = new Set<string>();
    for (const x of chars) for (const y of chars) for (const len of [1, 60, 200]) addresses.add(`${x}${'q'.repeat(len)}${y}@x.example`);
    const names = [...addresses].map(outboxFileName);
    expect(new Set(names).size).toBe(addresses.size);
    for (const n of names) {
      expect(Buffer.byteLength(`${n}.html`)).toBeLessThanOrEqual(143);
      expect(n).toMatch(/^[a-z0-9@_+-][a-z0-9@._+~-]*$/);
    }
  });

  it('keeps every email of a folder kept per recipient: a second notice to an address does not overwrite the first', async () => {
    const outbox = createOutbox(dir);
    const to = 'Ada.Reader@example.com';
    await outbox.sendBatch([{ ...email, to, subject: 'first' }], { idempotencyKey: 'n-7', folder: 'notices', keep: '7' });
    await outbox.sendBatch([{ ...email, to, subject: 'second' }], { idempotencyKey: 'n-9', folder: 'notices', keep: '9' });
    const folder = path.join(dir, 'notices', outboxFileName(to));
    expect(readdirSync(folder).sort()).toEqual(['7.eml', '7.html', '9.eml', '9.html']);
    expect(outboxPath(dir, 'notices', to, '7')).toBe(path.join(folder, '7'));
    expect(parseEml(readFileSync(path.join(folder, '7.eml'), 'utf8')).headers.get('subject')).toBe('first');
    expect(parseEml(readFileSync(path.join(folder, '9.eml'), 'utf8')).headers.get('subject')).toBe('second');
  });

  it('rejects only the email whose header cannot be written, and writes the others', async () => {
    const bad = { ...email, to: 'bad@example.com', headers: { ...email.headers, 'List-Unsubscribe': `<https://x.example/${'u'.repeat(1400)}>` } };
    const r = await createOutbox(dir).sendBatch([{ ...email, to: 'good@example.com' }, bad], { idempotencyKey: 'k-rej', folder: 'rej' });
    expect(r.outcomes[0]).toMatchObject({ index: 0, status: 'accepted' });
    expect(r.outcomes[1]).toMatchObject({ index: 1, status: 'rejected', error: expect.stringMatching(/^List-Unsubscribe: a line of \d+ octets/) });
    expect(readdirSync(path.join(dir, 'rej')).filter((f) => f.endsWith('.eml'))).toEqual(['good@example.com.eml']);
  });
});
