// The whole weekly pipeline through real Redis and the test's database: 240 readers with mixed
// tags, the sample corpus, outbox delivery. Every reader must get exactly the sections they follow.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../src/content/import.ts';
import { tagSlug } from '../../src/lib/tags.ts';
import { issueProgress, pendingBatches } from '../../src/db/deliveries.ts';
import { getIssue, planIssue } from '../../src/db/issues.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { summariesForWeek } from '../../src/db/summaries.ts';
import { cancelIssue, pauseIssue, resumeIssue, sendIssueNow } from '../../src/issues.ts';
import { enqueueTo } from '../../src/enqueue.ts';
import { outboxFileName } from '../../src/send/outbox.ts';
import { ProviderError } from '../../src/send/provider.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { parseEml, textSections } from '../support/mail.ts';
import { createHarness, jobCompleted, waitForStatus, type Harness } from '../support/pipeline.ts';
import { deleteKeys } from '../support/redis.ts';
import { weekIssue } from '../support/issues.ts';
import { eventually } from '../support/eventually.ts';

const WEEK = '2026-W48';
const TAGS = ['Kubernetes', 'Databases', 'Rust', 'AI', 'Security', 'Frontend', 'Observability', 'Careers', 'Distributed Systems', 'Platform Engineering', 'Quantum Computing'];

/** A deterministic spread of tag sets: 1–4 tags each, some only following a tag without content. */
function readers(n: number, domain: string): SubscriberInput[] {
  let seed = 42;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => {
    const tags = i % 12 === 0 ? ['Quantum Computing'] : TAGS.filter(() => rand() < 0.22);
    if (tags.length === 0) tags.push(TAGS[i % 10]!);
    return { email: `reader${i}@${domain}`, name: i % 3 ? `Reader ${i}` : null, timeZone: null, tags, status: 'active', source: 'test' };
  });
}

describe.sequential(`weekly pipeline on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  beforeAll(async () => {
    t = await createTestDb();
    const r = await importPaths(t.db, [path.resolve('content')]);
    expect(r.errors).toEqual([]);
  });
  afterAll(async () => {
    await h?.close();
    await t?.drop();
  });

  it('sends 240 readers exactly the sections they follow, and nothing to readers without matching content', async () => {
    h = await createHarness(t.db);
    const list = readers(240, 'pipeline.example');
    await upsertSubscribers(t.db, list);
    // Readers who must never be mailed: unsubscribed, and suppressed.
    await upsertSubscribers(t.db, [{ email: 'gone@pipeline.example', name: null, timeZone: null, tags: ['AI'], status: 'unsubscribed', source: 'test' }]);
    await upsertSubscribers(t.db, [{ email: 'bounced@pipeline.example', name: null, timeZone: null, tags: ['AI'], status: 'active', source: 'test' }]);
    await t.db.query(`insert into suppressions (email, reason) values ('bounced@pipeline.example', 'bounced')`);

    const summaries = await summariesForWeek(t.db, WEEK);
    const weekTags = new Set(summaries.flatMap((s) => s.tags.map(tagSlug)));
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    await sendIssueNow(t.db, h.queues, issue.id);
    h.start();
    const sent = await waitForStatus(t.db, issue.id);

    const expectedReaders = list.filter((r) => r.tags.some((tag) => weekTags.has(tagSlug(tag))));
    const skippedReaders = list.filter((r) => !expectedReaders.includes(r));
    expect(skippedReaders.length).toBeGreaterThan(10);
    expect(sent.submitted).toBe(expectedReaders.length);
    expect(sent.skipped).toBe(skippedReaders.length);
    expect(sent.failed).toBe(0);

    const folder = path.join(h.outboxDir, String(issue.id));
    const files = readdirSync(folder).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBe(expectedReaders.length);
    // Exactly once: every recipient was carried by exactly one provider call.
    expect([...h.provider.sentTo.values()].every((n) => n === 1)).toBe(true);
    expect(h.provider.sentTo.size).toBe(expectedReaders.length);

    for (const r of expectedReaders) {
      const eml = parseEml(readFileSync(path.join(folder, `${outboxFileName(r.email)}.eml`), 'utf8'));
      const follows = new Set(r.tags.map(tagSlug));
      const sections = textSections(eml.text);
      // Every section is a followed tag, each at most once.
      expect(new Set(sections).size).toBe(sections.length);
      for (const s of sections) expect(follows.has(tagSlug(s))).toBe(true);
      // Every summary under a followed tag appears exactly once; no other summary appears.
      for (const s of summaries) {
        const wanted = s.tags.some((tag) => follows.has(tagSlug(tag)));
        const count = eml.text.split(`\n${s.title}\n`).length - 1;
        expect(count, `${r.email}: "${s.title}"`).toBe(wanted ? 1 : 0);
      }
      // Every followed tag with content has its own section unless all its summaries sit in earlier ones.
      for (const tag of r.tags.filter((x) => weekTags.has(tagSlug(x)))) {
        const own = summaries.filter((s) => tagSlug(s.tags[0]!) === tagSlug(tag));
        if (own.length > 0) expect(sections.map(tagSlug)).toContain(tagSlug(tag));
      }
      expect(eml.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(eml.headers.get('list-unsubscribe')).toMatch(/^<https:\/\/news\.example\.test\/unsubscribe\?t=[\w.-]+>, <mailto:/);
      expect(eml.headers.get('list-id')).toMatch(/<weekly\.news\.example\.test>$/);
      expect(eml.html).toContain('lang="en"');
    }
    for (const r of [...skippedReaders.map((x) => x.email), 'gone@pipeline.example', 'bounced@pipeline.example']) {
      expect(existsSync(path.join(folder, `${outboxFileName(r)}.eml`))).toBe(false);
    }
    const ledger = await t.db.query<{ n: number }>(`select count(*)::int as n from deliveries where issue_id = $1`, [issue.id]);
    expect(ledger[0]!.n).toBe(list.length); // active, unsuppressed readers only: one row each
  });

  it('does nothing when a send-batch job runs again after the issue is sent', async () => {
    const [issue] = await t.db.query<{ id: number }>(`select id from issues where status = 'sent' order by id desc limit 1`);
    const calls = h.provider.calls.length;
    await h.queues.send.add('send-batch', { issueId: issue!.id, batch: 0 }, { jobId: 'duplicate-of-batch-0' });
    await h.queues.issues.add('plan-issue', { issueId: issue!.id }, { jobId: 'duplicate-plan' });
    const done = async (id: string, q: typeof h.queues.send) => (await jobCompleted(q, id)).returnvalue;
    expect(await done('duplicate-of-batch-0', h.queues.send)).toMatchObject({ outcome: 'skipped', reason: 'issue is sent' });
    expect(await done('duplicate-plan', h.queues.issues)).toMatchObject({ outcome: 'skipped', reason: 'issue is sent' });
    expect(h.provider.calls.length).toBe(calls);
  });

  it('loses and repeats nothing when Redis loses the jobs mid-issue and the issue is resumed', async () => {
    await h.stopAll();
    h.provider.sentTo.clear();
    // Let exactly one provider call through; later ones fail as a provider outage would, until reopened.
    let open = false;
    let passed = 0;
    const inner = h.provider.sendBatch;
    h.provider.sendBatch = async (emails, opts) => {
      if (!open && passed++ >= 1) throw new ProviderError('retry', 'gate closed');
      return inner(emails, opts);
    };
    const issue = await weekIssue(t.db, { week: '2026-W47', engine: 'mjml', subject: 'Week 47, again' });
    await sendIssueNow(t.db, h.queues, issue.id);
    h.start();
    await eventually(async () => (await issueProgress(t.db, issue.id)).submitted > 0, { what: 'the first batch submitted', every: 5 });
    await h.stopAll();
    await deleteKeys(h.prefix); // what FLUSHALL does to this installation's queues
    const before = await issueProgress(t.db, issue.id);
    expect(before.submitted).toBeGreaterThan(0); // exactly one batch went through
    expect(before.pending).toBeGreaterThan(0);
    open = true;
    const { batches } = await resumeIssue(t.db, h.queues, issue.id);
    expect(batches).toBe(Math.ceil(before.pending / 100));
    h.start();
    const sent = await waitForStatus(t.db, issue.id);
    h.provider.sendBatch = inner;
    expect(sent.submitted + sent.skipped).toBe(240);
    expect([...h.provider.sentTo.values()].every((n) => n === 1)).toBe(true);
    expect(h.provider.sentTo.size).toBe(sent.submitted);
    const eml = readFileSync(path.join(h.outboxDir, String(issue.id), `${outboxFileName('reader1@pipeline.example')}.eml`), 'utf8');
    expect(parseEml(eml).headers.get('subject')).toBe('Week 47, again');
  });

  it('pauses, resumes and cancels from the ledger', async () => {
    await h.stopAll();
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    await sendIssueNow(t.db, h.queues, issue.id);
    await pauseIssue(t.db, issue.id);
    h.start();
    // The plan job sees a paused issue and does nothing: no ledger rows, no provider call.
    const calls = h.provider.calls.length;
    await jobCompleted(h.queues.issues, `plan-issue-${issue.id}`);
    expect((await issueProgress(t.db, issue.id)).pending).toBe(0);
    expect(h.provider.calls.length).toBe(calls);
    const resumed = await resumeIssue(t.db, h.queues, issue.id);
    expect(resumed.issue.status).toBe('scheduled');
    const sent = await waitForStatus(t.db, issue.id);
    expect(sent.submitted).toBeGreaterThan(0);
    await expect(cancelIssue(t.db, issue.id)).rejects.toThrow(/can no longer be cancelled/);
    const draft = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
    expect((await cancelIssue(t.db, draft.id)).status).toBe('cancelled');
    expect((await getIssue(t.db, draft.id))!.status).toBe('cancelled');
  });

  it('sends a batch whose job found the issue paused just before a resume, at the next reconcile', async () => {
    await h.stopAll();
    const r = await createHarness(t.db, undefined, { reconcileEveryMs: 300 });
    try {
      const issue = await weekIssue(t.db, { week: WEEK, engine: 'react', subject: null });
      await t.db.query(`update issues set status = 'scheduled' where id = $1`, [issue.id]);
      await planIssue(t.db, issue.id, 100);
      await pauseIssue(t.db, issue.id);
      const batches = await pendingBatches(t.db, issue.id);
      await enqueueTo(r.queues).batches(issue.id, batches.map((batch) => ({ batch, delayMs: 0 })));
      r.start();
      // Every batch job runs, finds the issue paused and ends without sending.
      for (const batch of batches) await jobCompleted(r.queues.send, `send-batch-${issue.id}-${batch}`);
      expect(r.provider.calls).toHaveLength(0);
      // The race: an editor's resume re-drove the queue a moment before those jobs ended, so the issue
      // is sending and every job for it is spent. Only reconcile puts them back.
      await t.db.query(`update issues set status = 'sending', status_reason = null where id = $1`, [issue.id]);
      const sent = await waitForStatus(t.db, issue.id);
      expect(sent.submitted).toBeGreaterThan(0);
      expect([...r.provider.sentTo.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await r.close();
    }
  });
});
