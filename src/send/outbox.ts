// The outbox provider: writes each email as an .eml (the whole RFC 5322 message) and an .html beside it
// under OUTBOX_DIR/<issue>/, named after the recipient. Writing is atomic (temp file + rename) and
// idempotent: a retried batch rewrites the same bytes.
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toMime } from './mime.ts';
import { sleepUntil, type BatchResult, type OutgoingEmail, type Provider, type SendOptions } from './provider.ts';

export function outboxFileName(email: string): string {
  const addr = (/<([^>]+)>/.exec(email)?.[1] ?? email).toLowerCase();
  return addr.replace(/[^a-z0-9@._+-]/g, '_');
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

export function createOutbox(dir: string): Provider {
  return {
    name: 'outbox',
    maxBatch: 100,
    async sendBatch(emails: OutgoingEmail[], opts: SendOptions): Promise<BatchResult> {
      await sleepUntil(opts.notBefore);
      const folder = path.join(dir, opts.folder);
      await mkdir(folder, { recursive: true });
      const outcomes = await Promise.all(
        emails.map(async (email, index) => {
          const base = path.join(folder, outboxFileName(email.to));
          const mime = toMime(email);
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
