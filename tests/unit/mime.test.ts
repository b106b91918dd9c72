import { describe, expect, it } from 'vitest';
import { listId, mailDomain } from '../../src/send/compose.ts';
import { encodeAddress, encodeHeader, quotedPrintable, toMime } from '../../src/send/mime.ts';
import type { OutgoingEmail } from '../../src/send/provider.ts';

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

/** RFC 2047 decoder for B-encoded UTF-8 words, possibly folded over several lines. */
function decodeWords(value: string): string {
  const words = value.split(/\r\n[ \t]/);
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
    headers.set(h.slice(0, colon).toLowerCase(), h.slice(colon + 1).replace(/^ /, ''));
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
