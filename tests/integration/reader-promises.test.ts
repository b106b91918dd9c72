// Two reader promises of docs/reader-pages.md with their figures written out: a confirmation link lasts 3 days,
// and one-click unsubscribes posted all at once are each counted once on the issue.
import { issueUnsubscribes } from '../../src/db/readers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { mailDomain } from '../../src/lib/mail.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { addSummaries, Browser, noticeLink, noticesOf, readerApp, sentIssue, subscriberByEmail, type ReaderApp } from '../support/reader.ts';

const DAYS_3 = 3 * 24 * 3600_000;

describe.sequential(`reader promises on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  /** The app's clock: real time unless a test sets it. */
  let clock: Date | null = null;
  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, '2026-W45', [{ title: 'Agents that plan', tags: ['AI'] }]);
    r = await readerApp(t.db, { deps: { now: () => clock ?? new Date() } });
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  /** Subscribes through the form; the confirmation link emailed, and when its notice was made. */
  async function confirmLink(email: string): Promise<{ link: string; madeAt: Date }> {
    const res = await new Browser(r.app).submit('/subscribe', '/subscribe', { email, name: '', tags: ['ai'], time_zone: 'UTC', website: '' });
    expect(res.statusCode).toBe(200);
    const [notice] = await noticesOf(t.db, email);
    const [row] = await t.db.query<{ at: Date }>(`select created_at as at from notices where id = $1`, [notice!.id]);
    return { link: await noticeLink(t.db, r.config, notice!.id), madeAt: row!.at };
  }

  it('confirms a subscription with a link a minute short of 3 days old, and refuses one a minute past', async () => {
    const early = await confirmLink('early@ttl.example');
    const late = await confirmLink('late@ttl.example');
    try {
      clock = new Date(early.madeAt.getTime() + DAYS_3 - 60_000);
      const ok = await new Browser(r.app).get(early.link);
      expect(ok.statusCode).toBe(200);
      expect(await subscriberByEmail(t.db, 'early@ttl.example')).toMatchObject({ status: 'active' });
      clock = new Date(late.madeAt.getTime() + DAYS_3 + 60_000);
      const expired = await new Browser(r.app).get(late.link);
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain('expired');
      expect(await subscriberByEmail(t.db, 'late@ttl.example')).toMatchObject({ status: 'pending' });
    } finally {
      clock = null;
    }
  });

  it('counts 50 one-click unsubscribes posted at once, each twice, exactly once each', async () => {
    const emails = Array.from({ length: 50 }, (_, i) => `oc${i}@click.example`);
    await upsertSubscribers(t.db, emails.map((email) => ({ email, name: null, timeZone: null, tags: ['AI'], status: 'active' as const, source: 'test' })));
    const issueId = (await sentIssue(t.db, '2026-W45')).id;
    const paths = await Promise.all(
      emails.map(async (email) => {
        const id = (await subscriberByEmail(t.db, email))!.id;
        const links = readerLinks({ secret: r.config.secret, publicUrl: r.config.publicUrl, mailDomain: mailDomain(r.config.mailFrom), subscriberId: id, issueId });
        return links.unsubscribe.slice(r.config.publicUrl.length);
      }),
    );
    const post = (url: string) => r.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    // Every reader's POST twice, all in flight together (mailbox providers retry).
    const answers = await Promise.all([...paths, ...paths].map(post));
    expect(answers.filter((a) => a.statusCode !== 200).map((a) => a.statusCode)).toEqual([]);
    expect(await issueUnsubscribes(t.db, issueId)).toBe(50);
    expect((await t.db.query(`select status, count(*)::int as n from subscribers where email like '%@click.example' group by 1`))).toEqual([{ status: 'unsubscribed', n: 50 }]);
  });
});
