// RFC 5322 / 2045 messages: multipart/alternative with a quoted-printable text and HTML part.
// Everything is derived from the email itself, so the same email always gives the same bytes.
import { createHash } from 'node:crypto';
import type { OutgoingEmail } from './provider.ts';

/** RFC 5322 §2.1.1: a line SHOULD be at most 78 characters and MUST be at most 998. */
const SOFT = 78;
const HARD = 998;
/** RFC 2047 §2: an encoded word is at most 75 characters. */
const WORD = 75;
const PRINTABLE = /^[\x20-\x7e]*$/;

/** A header that cannot be written as valid lines: the email is refused rather than sent broken. */
export class HeaderError extends Error {
  override name = 'HeaderError';
}

const isWsp = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * Splits one logical line at white space so each line is at most 78 characters where it can be:
 * greedily, the last fold point that keeps the line within 78, else the first one after. A fold goes
 * before the last white-space character of a run, so every continuation line starts with exactly one
 * white-space character followed by text, and unfolding (removing the CRLFs) gives the value back.
 * `from` is the first index where a fold may go. Deterministic: the same input always folds the same.
 */
function foldLine(line: string, from: number): string[] {
  const out: string[] = [];
  let rest = line;
  let start = from;
  while (rest.length > SOFT) {
    let at = -1;
    for (let i = start; i < rest.length - 1; i++) {
      if (!isWsp(rest[i]) || isWsp(rest[i + 1])) continue;
      if (i <= SOFT) at = i;
      else {
        if (at < 0) at = i;
        break;
      }
    }
    if (at < 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
    start = 1;
  }
  out.push(rest);
  return out;
}

/** Whether `text`, starting `used` characters into a header line, folds into lines of at most 998 octets. */
function folds(text: string, used: number): boolean {
  return foldLine('x'.repeat(used) + text, used + 1).every((l) => Buffer.byteLength(l) <= HARD);
}

/** Bytes of UTF-8 an encoded word of `chars` characters can carry (=?UTF-8?B?…?= is 12 of them). */
const wordBytes = (chars: number) => Math.max(4, Math.floor((chars - 12) / 4) * 3);

/**
 * RFC 2047 B-encoded words, one per line. The first word is sized so that, after the `used` characters
 * already on its line ("Subject: "), the line stays within 78; the others take a whole line (one space
 * and at most 75). A word never splits a UTF-8 sequence, so each decodes on its own.
 */
function encodeWords(value: string, used: number): string {
  const words: string[] = [];
  let chunk = '';
  let room = wordBytes(Math.min(WORD, SOFT - used));
  for (const ch of value) {
    if (chunk && Buffer.byteLength(chunk + ch) > room) {
      words.push(chunk);
      chunk = '';
      room = wordBytes(WORD);
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/**
 * An unstructured header value (Subject): printable ASCII stays as it is, to be folded at white space;
 * anything else becomes RFC 2047 encoded words — non-ASCII, control characters (so a CR/LF can never
 * start a header of its own), text that would read as an encoded word ("=?", RFC 2047 §5), and runs of
 * text too long to fold within 998 octets. `used`: characters before the value on its first line.
 */
export function encodeHeader(value: string, used = 0): string {
  if (PRINTABLE.test(value) && !value.includes('=?') && folds(value, used)) return value;
  return encodeWords(value, used);
}

/** An address header: the display name encoded when needed, the address untouched. */
export function encodeAddress(value: string, used = 0): string {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  if (!m || !m[1]) return value.trim();
  // A quoted display name is unquoted first (RFC 5322 quoted-string), so it is never escaped twice.
  const name = /^".*"$/.test(m[1]) ? m[1].slice(1, -1).replace(/\\(.)/g, '$1') : m[1];
  const quoted = `"${name.replace(/["\\]/g, '\\$&')}"`;
  // A quoted string may be folded at its white space (RFC 5322 §3.2.4); one with none to fold at within
  // 998 octets is encoded instead.
  const shown = PRINTABLE.test(name) && folds(quoted, used) ? quoted : encodeWords(name, used);
  return `${shown} <${m[2]}>`;
}

/**
 * `Name: value` as folded lines (RFC 5322 §2.2.3). A value may arrive already folded (encoded words,
 * one per line); its lines are folded further where they are too long. Throws HeaderError rather than
 * write a line over 998 octets (a value with nowhere to fold, such as a very long URL), a bare CR or LF,
 * a control character or a line of only white space: any of those would give a broken message or let
 * the value start a header of its own.
 */
export function foldHeader(name: string, value: string): string {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw new HeaderError(`"${name}" is not a header field name`);
  const lines = `${name}: ${value}`
    .split(/\r\n(?=[ \t])/)
    .flatMap((segment, n) => foldLine(segment, n === 0 ? name.length + 3 : 1));
  for (const [n, line] of lines.entries()) {
    // Tab is the one control character a header may hold; CR and LF are left only where a fold is.
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) throw new HeaderError(`${name}: the value contains a line break or another control character`);
    if (n > 0 && /^[ \t]*$/.test(line)) throw new HeaderError(`${name}: the value has a line of only white space`);
    const size = Buffer.byteLength(line);
    if (size > HARD) throw new HeaderError(`${name}: a line of ${size} octets with no white space to fold at (at most ${HARD} allowed)`);
  }
  return lines.join('\r\n');
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
    ['From', encodeAddress(email.from, 'From: '.length)],
    ['To', encodeAddress(email.to, 'To: '.length)],
    ['Subject', encodeHeader(email.subject, 'Subject: '.length)],
    ['Date', email.date.toUTCString().replace('GMT', '+0000')],
    ['MIME-Version', '1.0'],
    ...Object.entries(email.headers),
    ['Content-Type', `multipart/alternative; boundary="${boundary}"`],
  ];
  return [
    ...headers.map(([k, v]) => foldHeader(k, v)),
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
