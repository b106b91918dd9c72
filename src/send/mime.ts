// RFC 5322 / 2045 messages: multipart/alternative with a quoted-printable text and HTML part.
// Everything is derived from the email itself, so the same email always gives the same bytes.
import { createHash } from 'node:crypto';
import type { OutgoingEmail } from './provider.ts';

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
export function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    // Keep each encoded word within 75 characters, never splitting a UTF-8 sequence.
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** An address header: the display name encoded when needed, the address untouched. */
export function encodeAddress(value: string): string {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  if (!m || !m[1]) return value.trim();
  // A quoted display name is unquoted first (RFC 5322 quoted-string), so it is never escaped twice.
  const name = /^".*"$/.test(m[1]) ? m[1].slice(1, -1).replace(/\\(.)/g, '$1') : m[1];
  const shown = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : encodeHeader(name);
  return `${shown} <${m[2]}>`;
}

export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r?\n/g, '\n').split('\n');
  return lines
    .map((line) => {
      let out = '';
      let len = 0;
      const bytes = Buffer.from(line, 'utf8');
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        const last = i === bytes.length - 1;
        let enc: string;
        if ((b >= 33 && b <= 126 && b !== 61) || (b === 32 && !last) || (b === 9 && !last)) enc = String.fromCharCode(b);
        else enc = `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
        if (len + enc.length > 75) {
          out += '=\r\n';
          len = 0;
        }
        out += enc;
        len += enc.length;
      }
      return out;
    })
    .join('\r\n');
}

export function toMime(email: OutgoingEmail): string {
  const boundary = `tagcast-${createHash('sha256').update(email.to).update(email.html).update(email.text).digest('hex').slice(0, 24)}`;
  const headers: [string, string][] = [
    ['From', encodeAddress(email.from)],
    ['To', encodeAddress(email.to)],
    ['Subject', encodeHeader(email.subject)],
    ['Date', email.date.toUTCString().replace('GMT', '+0000')],
    ['MIME-Version', '1.0'],
    ...Object.entries(email.headers),
    ['Content-Type', `multipart/alternative; boundary="${boundary}"`],
  ];
  return [
    ...headers.map(([k, v]) => `${k}: ${v}`),
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    quotedPrintable(email.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    quotedPrintable(email.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
