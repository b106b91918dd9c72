// The outbox provider: writes each email as an .eml (the whole RFC 5322 message) and an .html beside it
// under OUTBOX_DIR/<issue>/, named after the recipient; notices, of which one address may get several,
// under OUTBOX_DIR/notices/<recipient>/<notice id>. Writing is atomic (temp file + rename) and
// idempotent: a retried batch rewrites the same bytes.
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HeaderError, toMime } from './mime.ts';
import { sleepUntil, type BatchResult, type OutgoingEmail, type Provider, type SendOptions } from './provider.ts';

/** Characters a plain file name may hold: lower-case, so names differ even on a case-insensitive disk. */
const PLAIN = /^[a-z0-9@_+-][a-z0-9@._+-]*$/;
/** 128 + ".html" = 133 bytes: within 255 (ext4, APFS, NTFS) and 143 (eCryptfs, encrypted home folders). */
const MAX_PLAIN = 128;
const PREFIX = 63;

/**
 * The file name (without extension) for a recipient: `<address>` for an ordinary address, otherwise
 * `<readable prefix>~<SHA-256 of the address, hex>`.
 *
 * Injective: a plain name is the address itself (identity on the plain set), and never contains "~",
 * which is outside PLAIN; every hashed name contains "~". So a plain and a hashed name never meet, two
 * plain names are equal only for equal addresses, and two hashed names only when the full addresses'
 * SHA-256 digests are equal (a collision nobody can produce). The prefix is only for people reading the
 * folder. Every name is lower-case ASCII, so this holds on case-insensitive and normalising disks too
 * (APFS, NTFS). No name starts with "." (hidden files, "." and ".."), and none is longer than 128 bytes.
 */
export function outboxFileName(email: string): string {
  const addr = /<([^>]+)>/.exec(email)?.[1] ?? email;
  if (addr.length <= MAX_PLAIN && PLAIN.test(addr)) return addr;
  const prefix = addr
    .toLowerCase()
    .replace(/[^a-z0-9@._+-]/g, '_')
    .replace(/^\./, '_')
    .slice(0, PREFIX);
  return `${prefix}~${createHash('sha256').update(addr).digest('hex')}`;
}

/**
 * Where an email is written, without the extension: `<dir>/<folder>/<recipient>`, or with `keep`
 * `<dir>/<folder>/<recipient>/<keep>` so earlier emails to the same recipient stay beside it.
 */
export function outboxPath(dir: string, folder: string, to: string, keep?: string): string {
  const base = path.join(dir, folder, outboxFileName(to));
  return keep === undefined ? base : path.join(base, outboxFileName(keep));
}

async function writeAtomic(file: string, data: string): Promise<void> {
  // A fixed-length temp name (whatever the file's length), hidden, and per process so two workers
  // writing the same retried batch never share one; the final name never starts with "." so the two
  // cannot meet.
  const name = createHash('sha256').update(path.basename(file)).digest('hex').slice(0, 16);
  const tmp = path.join(path.dirname(file), `.${name}.${process.pid}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, file);
}

export function createOutbox(dir: string): Provider {
  return {
    name: 'outbox',
    maxBatch: 100,
    async sendBatch(emails: OutgoingEmail[], opts: SendOptions): Promise<BatchResult> {
      await sleepUntil(opts.notBefore);
      opts.onSent?.();
      const outcomes = await Promise.all(
        emails.map(async (email, index) => {
          const base = outboxPath(dir, opts.folder, email.to, opts.keep);
          await mkdir(path.dirname(base), { recursive: true });
          let mime: string;
          try {
            mime = toMime(email);
          } catch (e) {
            // A header that cannot be written (a line over 998 octets with nowhere to fold) fails this
            // email alone, as a provider's validation error would; the rest of the batch is written.
            if (e instanceof HeaderError) return { index, status: 'rejected' as const, error: e.message };
            throw e;
          }
          await writeAtomic(`${base}.html`, email.html);
          await writeAtomic(`${base}.eml`, mime);
          const providerId = `outbox-${createHash('sha256').update(opts.idempotencyKey).update(email.to).digest('hex').slice(0, 20)}`;
          return { index, status: 'accepted' as const, providerId };
        }),
      );
      return { outcomes };
    },
  };
}
