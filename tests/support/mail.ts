// Reads back the .eml files the outbox wrote: headers, and the decoded text and HTML parts.
export function decodeQuotedPrintable(body: string): string {
  const soft = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A header value as a person reads it: RFC 2047 B-encoded UTF-8 words decoded, the space between adjacent words dropped. */
export function decodeHeader(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

export interface ParsedEml {
  headers: Map<string, string>;
  text: string;
  html: string;
}

export function parseEml(raw: string): ParsedEml {
  const split = raw.indexOf('\r\n\r\n');
  const headerBlock = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of headerBlock.split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error('not multipart');
  const parts = raw.slice(split + 4).split(`--${boundary}`).slice(1, -1);
  const part = (type: string) => {
    const p = parts.find((x) => x.includes(`Content-Type: ${type}`));
    if (!p) throw new Error(`no ${type} part`);
    return decodeQuotedPrintable(p.slice(p.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '')).replace(/\r\n/g, '\n');
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

/** Section headings of the text part ("== TAG =="), in order. */
export function textSections(text: string): string[] {
  return [...text.matchAll(/^== (.+) ==$/gm)].map((m) => m[1]!);
}
