// A digest that cannot be rendered fails that reader's delivery, with its reason, and the rest of the batch
// is sent exactly once; `issue status` and `preview` say why without a stack trace.
//
// The failure is real: a stored summary whose case points are not text (jsonb objects; the importer never
// writes them, but the column accepts them) breaks both engines on that summary's card. Failures that must
// not count as the reader's (out of memory, a broken layout, a one-off) are injected at the renderer
// boundary through send-batch's `wrapRenderer` seam, with the job's process() called directly so each
// attempt is one call.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../jobs/index.ts';
import type { SendBatchDeps } from '../../jobs/send-batch.ts';
import { importPaths } from '../../src/content/import.ts';
import { getIssue, planIssue, type Issue } from '../../src/db/issues.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import type { Digest } from '../../src/digest/assemble.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { jobIds } from '../../jobs/catalog.ts';
import { LayoutRenderError, type DigestRenderer } from '../../src/render/index.ts';
import { ProviderError, type OutgoingEmail, type Provider } from '../../src/send/provider.ts';
import { createOutbox } from '../../src/send/outbox.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { REDIS_URL } from '../support/env.ts';
import { createHarness, jobContext, waitForStatus, type Harness } from '../support/pipeline.ts';
import { inProcess } from '../support/in-process.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';
import { weekIssue } from '../support/issues.ts';
import { eventually } from '../support/eventually.ts';

const WEEK = '2026-W48';
const DOMAIN = 'render-failure.example';
const at = (local: string) => `${local}@${DOMAIN}`;
/** "Name <a@b>" → "a@b". */
const address = (to: string) => /<([^>]+)>$/.exec(to)?.[1] ?? to;

/** The plain Signal format, as editors paste it. */
const signal = (title: string, tags: string[]) =>
  [`Tag: ${tags[0]}`, title, 'The Signal', `${title}, in one paragraph.`, 'The Case', '- one point', '- another point', 'The 1 Minute Signal Take', 'Worth it.', 'Time saved: 10 min', 'Tags', ...tags.map((t) => `Tag: ${t}`), ''].join('\n');

// 24 readers in one batch: 20 who follow AI and maybe Rust, two whose digests hold the broken summary
// (with their AI summaries beside it), and one who alone follows Careers (the transient tests' target).
const READERS: SubscriberInput[] = [
  ...Array.from({ length: 20 }, (_, i) => ({ email: at(`reader${i}`), name: `Reader ${i}`, timeZone: null, tags: i % 2 ? ['AI', 'Rust'] : ['AI'], status: 'active' as const, source: 'test' })),
  { email: at('victim1'), name: null, timeZone: null, tags: ['AI', 'Broken'], status: 'active', source: 'test' },
  { email: at('victim2'), name: null, timeZone: null, tags: ['Broken'], status: 'active', source: 'test' },
  { email: at('careers'), name: null, timeZone: null, tags: ['Careers'], status: 'active', source: 'test' },
];
const VICTIMS = [at('victim1'), at('victim2')];
const HEALTHY = READERS.map((r) => r.email).filter((e) => !VICTIMS.includes(e));

// Through the catalog, as a worker calls it (send-batch imported alone would load before the catalog it is in).
const sendBatch = (data: { issueId: number; batch: number }, deps: SendBatchDeps) => jobs['send-batch'].process(data, deps);

describe.sequential(`a digest that cannot be rendered, on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let dir: string;
  const cliPrefix = testPrefix();
  const issues: Record<string, Issue> = {};

  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(path.join(tmpdir(), 'tagcast-render-failure-'));
    const week = path.join(dir, 'content', WEEK);
    mkdirSync(week, { recursive: true });
    writeFileSync(path.join(week, 'ai-1.txt'), signal('Agents that read the manual', ['AI']));
    writeFileSync(path.join(week, 'ai-2.txt'), signal('Small models, big wins', ['AI', 'Rust']));
    writeFileSync(path.join(week, 'rust.txt'), signal('Borrowing without tears', ['Rust']));
    writeFileSync(path.join(week, 'careers.txt'), signal('Staff engineer, a year in', ['Careers']));
    writeFileSync(path.join(week, 'broken.txt'), signal('The broken one', ['Broken']));
    const r = await importPaths(t.db, [path.join(dir, 'content')]);
    expect(r.errors).toEqual([]);
    const broken = await t.db.run(`update summaries set case_points = '[{"point": "not text"}]'::jsonb where title = 'The broken one'`);
    expect(broken).toBe(1);
    await upsertSubscribers(t.db, READERS);
  });
  afterAll(async () => {
    await t?.drop();
    await deleteKeys(cliPrefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Each delivery of an issue: status and error, by address. */
  async function ledger(issueId: number): Promise<Map<string, { status: string; error: string | null; batch: number | null; leased: boolean }>> {
    const rows = await t.db.query<{ email: string; status: string; error: string | null; batch: number | null; leased: boolean }>(
      `select s.email, d.status, d.error, d.batch, d.lease_until is not null as leased
       from deliveries d join subscribers s on s.id = d.subscriber_id where d.issue_id = $1`,
      [issueId],
    );
    return new Map(rows.map((r) => [r.email, r]));
  }

  describe.each(['react', 'mjml'] as const)('%s engine, through the queue', (engine) => {
    it("fails only the readers whose digest holds the broken summary, with the reason, and sends the rest of their batch once", async () => {
      const h = await createHarness(t.db);
      try {
        const issue = await weekIssue(t.db, { week: WEEK, engine, subject: null });
        await sendIssueNow(t.db, h.queues, issue.id);
        h.start();
        // Sent, or the batch job failed an attempt (before the fix, every attempt failed and the issue
        // stayed "sending"): either way the wait ends, and the assertions say which.
        const jobId = jobIds['send-batch']({ issueId: issue.id, batch: 0 });
        let failedReason: string | undefined;
        await eventually(
          async () => {
            if ((await getIssue(t.db, issue.id))?.status === 'sent') return true;
            failedReason = (await h.queues.send.getJob(jobId))?.failedReason;
            return Boolean(failedReason);
          },
          { what: `issue ${issue.id} sent, or job ${jobId} failed`, every: 50 },
        );
        expect(failedReason).toBeUndefined();
        const sent = (await waitForStatus(t.db, issue.id))!;
        issues[engine] = sent;
        expect(sent.submitted).toBe(HEALTHY.length);
        expect(sent.failed).toBe(VICTIMS.length);

        const rows = await ledger(issue.id);
        // All in one batch: the victims' failure did not hold back the readers beside them.
        expect(new Set([...rows.values()].map((r) => r.batch))).toEqual(new Set([0]));
        for (const v of VICTIMS) {
          expect(rows.get(v)).toMatchObject({ status: 'failed' });
          expect(rows.get(v)!.error).toMatch(engine === 'react' ? /^render: Objects are not valid as a React child/ : /^render: .*is not a function/);
          expect(rows.get(v)!.error).not.toContain('\n');
        }
        for (const e of HEALTHY) expect(rows.get(e)).toMatchObject({ status: 'submitted', error: null });
        // Exactly once: one provider call, carrying every healthy reader once and no victim.
        expect(h.provider.calls).toHaveLength(1);
        expect([...h.provider.sentTo.keys()].map(address).sort()).toEqual([...HEALTHY].sort());
        expect([...h.provider.sentTo.values()].every((n) => n === 1)).toBe(true);
      } finally {
        await h.close();
      }
    });
  });

  /** The job's own dependencies, as startWorkers builds them, around the given provider. */
  function jobDeps(h: Harness, provider: Provider, wrapRenderer?: SendBatchDeps['wrapRenderer']): SendBatchDeps {
    return { ...jobContext(t.db, h, provider), wrapRenderer };
  }

  /** A planned, sending issue whose jobs no worker runs: the test calls the job itself. */
  async function plannedIssue(engine: 'react' | 'mjml'): Promise<Issue> {
    const issue = await weekIssue(t.db, { week: WEEK, engine, subject: null });
    await t.db.query(`update issues set status = 'scheduled' where id = $1`, [issue.id]);
    return (await planIssue(t.db, issue.id, 100))!;
  }

  /** Wraps renderers so `fails(n, digest)` decides, for the n-th renderer a job wraps, whether render throws. */
  function failing(fails: (n: number, d: Digest) => Error | undefined): SendBatchDeps['wrapRenderer'] {
    let wrapped = 0;
    return (r: DigestRenderer): DigestRenderer => {
      const n = wrapped++;
      return {
        engine: r.engine,
        publication: r.publication,
        prepare: (ds) => r.prepare(ds),
        async render(d, links) {
          const e = fails(n, d);
          if (e) throw e;
          return r.render(d, links);
        },
      };
    };
  }
  const careers = (d: Digest) => d.sections.some((s) => s.slug === 'careers');

  /** A provider that remembers every email it was handed, call by call. */
  function remembering(inner: Provider, after?: (call: number) => void): Provider & { bodies: OutgoingEmail[][]; keys: string[] } {
    const p = {
      name: 'remembering',
      maxBatch: inner.maxBatch,
      joinsJson: inner.joinsJson,
      bodies: [] as OutgoingEmail[][],
      keys: [] as string[],
      async sendBatch(emails: OutgoingEmail[], opts: Parameters<Provider['sendBatch']>[1]) {
        p.bodies.push(emails);
        p.keys.push(opts.idempotencyKey);
        const result = await inner.sendBatch(emails, opts);
        after?.(p.bodies.length);
        return result;
      },
    };
    return p;
  }

  it('sends the same emails under the same key when a batch with a broken digest is retried after a lost response', async () => {
    const h = await createHarness(t.db);
    try {
      const issue = await plannedIssue('react');
      // The provider accepts the first request, then the response is lost: the retry must repeat it exactly.
      const provider = remembering(createOutbox(h.outboxDir), (call) => {
        if (call === 1) throw new ProviderError('retry', 'connection reset after the provider accepted');
      });
      const deps = jobDeps(h, provider);
      await expect(sendBatch({ issueId: issue.id, batch: 0 }, deps)).rejects.toThrow(/connection reset/);
      expect([...(await ledger(issue.id)).values()].every((r) => r.status === 'pending' || r.status === 'skipped')).toBe(true);
      await sendBatch({ issueId: issue.id, batch: 0 }, deps);
      expect(provider.bodies).toHaveLength(2);
      expect(provider.keys[1]).toBe(provider.keys[0]);
      expect(JSON.stringify(provider.bodies[1])).toBe(JSON.stringify(provider.bodies[0]));
      expect(provider.bodies[0]!.map((e) => address(e.to)).sort()).toEqual([...HEALTHY].sort());
      const rows = await ledger(issue.id);
      for (const v of VICTIMS) expect(rows.get(v)!.error).toMatch(/^render: /);
      for (const e of HEALTHY) expect(rows.get(e)!.status).toBe('submitted');
    } finally {
      await h.close();
    }
  });

  it.each([
    ['for lack of memory', () => new RangeError('Invalid string length')],
    ['in its layout', () => new LayoutRenderError('layout', new Error('template bug'))],
  ])('retries a render that fails %s instead of failing the reader, so no attempt leaves them out', async (_, error) => {
    const h = await createHarness(t.db);
    try {
      const issue = await plannedIssue('mjml');
      // On every renderer this attempt, and still the failure says nothing about the reader's digest.
      const oom = failing((_, d) => (careers(d) ? error() : undefined));
      await expect(sendBatch({ issueId: issue.id, batch: 0 }, jobDeps(h, h.provider, oom))).rejects.toThrow(error().constructor as ErrorConstructor);
      expect(h.provider.calls).toHaveLength(0); // nothing left without the reader
      const before = await ledger(issue.id);
      expect(before.get(at('careers'))).toMatchObject({ status: 'pending', leased: false }); // given back for the retry
      // The retry renders them.
      await sendBatch({ issueId: issue.id, batch: 0 }, jobDeps(h, h.provider));
      const rows = await ledger(issue.id);
      expect(rows.get(at('careers'))).toMatchObject({ status: 'submitted', error: null });
      for (const v of VICTIMS) expect(rows.get(v)!.status).toBe('failed');
      expect(h.provider.calls).toHaveLength(1);
      expect(h.provider.sentTo.get(at('careers'))).toBe(1);
      // A second reason beside the render failures, for `issue status` to group (as a provider's
      // rejection of one address would leave it).
      await t.db.query(
        `update deliveries set status = 'failed', error = 'validation_error: Invalid to field.' where issue_id = $1 and subscriber_id = (select id from subscribers where email = $2)`,
        [issue.id, at('reader0')],
      );
      issues.mixed = issue;
    } finally {
      await h.close();
    }
  });

  it("does not fail a reader for a render failure that a fresh renderer does not repeat", async () => {
    const h = await createHarness(t.db);
    try {
      const issue = await plannedIssue('react');
      // Only the first renderer (the issue's cached one) fails, with an error that looks like the digest's.
      const flaky = failing((n, d) => (n === 0 && careers(d) ? new Error('flaky') : undefined));
      await sendBatch({ issueId: issue.id, batch: 0 }, jobDeps(h, h.provider, flaky));
      const rows = await ledger(issue.id);
      expect(rows.get(at('careers'))).toMatchObject({ status: 'submitted', error: null });
      for (const v of VICTIMS) expect(rows.get(v)!.status).toBe('failed');
    } finally {
      await h.close();
    }
  });

  // The commands run in this process through main(), the entry point the binary calls.
  describe('on the command line', () => {
    let env: Record<string, string>;
    beforeAll(async () => {
      await t.release(); // main() opens the database itself, as the binary does
      env = { ...t.env, REDIS_URL, QUEUE_PREFIX: cliPrefix, OUTBOX_DIR: path.join(dir, 'outbox'), SECRET: 'test-secret-0123456789abcdef-0123456789' };
    });

    it.each(['react', 'mjml'] as const)('previews a digest that cannot be rendered (%s) with one line and exit 1', async (engine) => {
      const r = await inProcess(['preview', '--week', WEEK, '--subscriber', at('victim1'), '--engine', engine], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^tagcast: the ${engine} digest of ${at('victim1')} for ${WEEK} cannot be rendered: \\S`));
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    });

    it("previews a healthy reader's digest of the same week", async () => {
      const ok = await inProcess(['preview', '--week', WEEK, '--subscriber', at('reader1'), '--text'], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('Agents that read the manual');
    });

    it('previews a reader of an issue as it sends (--issue); a week and an issue together, or neither, is a usage error', async () => {
      const issue = issues.react!;
      const ok = await inProcess(['preview', '--issue', String(issue.id), '--subscriber', at('reader1'), '--text'], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('Agents that read the manual');
      const failed = await inProcess(['preview', '--issue', String(issue.id), '--subscriber', at('victim1')], env);
      expect(failed).toMatchObject({ code: 1, stdout: '' });
      expect(failed.stderr).toMatch(new RegExp(`^tagcast: the react digest of ${at('victim1')} for ${WEEK} cannot be rendered: \\S`));
      for (const args of [['--week', WEEK, '--issue', String(issue.id)], []]) {
        const r = await inProcess(['preview', ...args, '--subscriber', at('reader1')], env);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toContain('give --week W or --issue ID (one of them)');
      }
    });

    it('shows the failures and their reason in `issue status`', async () => {
      const issue = issues.react!;
      const r = await inProcess(['issue', 'status', String(issue.id)], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/\n  failed: +2 \(render: Objects are not valid as a React child/);
      expect(r.stdout).toMatch(new RegExp(`readers sent: +${HEALTHY.length}\\n`));
      // Several reasons: grouped, most common first, each with its count.
      const mixed = await inProcess(['issue', 'status', String(issues.mixed!.id)], env);
      expect(mixed.stdout).toMatch(/\n  failed: +3 \(2 × render: [^;\n]+; 1 × validation_error: Invalid to field\.\)\n/);
    });
  });
});
