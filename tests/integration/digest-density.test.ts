// Every digest in the outbox, both engines × both densities × a reader of one tag and a reader of every
// tag, passes the project's .eml checks: the headers, a text part with the same parts as the HTML, the
// HTML under the size guard, every in-email anchor present, and every link to the site a 2xx page.
// The density is each reader's own (subscribers.density), frozen on the delivery when the issue is
// planned: the same path a reader's "send me the brief version" click takes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../jobs/index.ts';
import type { SendBatchDeps } from '../../jobs/send-batch.ts';
import { planIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { HTML_BUDGET } from '../../src/digest/budget.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { weekIssue } from '../support/issues.ts';
import { parseEml, textSections } from '../support/mail.ts';
import { createHarness, jobContext, type Harness } from '../support/pipeline.ts';
import { addSummaries, ORIGIN, readerApp, type ReaderApp } from '../support/reader.ts';

const TAGS = ['AI', 'Rust', 'Security', 'Databases', 'Careers', 'Frontend'];
/** "DATABASES" (a text part's section heading) → "Databases", as the tag is named. */
const cap = (heading: string) => TAGS.find((t) => t.toUpperCase() === heading)!;
const sendBatch = (data: { issueId: number; batch: number }, deps: SendBatchDeps) => jobs['send-batch'].process(data, deps);

describe.sequential(`every digest in the outbox, both engines and densities, on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;
  beforeAll(async () => {
    t = await createTestDb();
    h = await createHarness(t.db);
    r = await readerApp(t.db);
    await upsertSubscribers(t.db, [
      { email: 'one@density.example', name: null, timeZone: null, tags: ['Rust'], status: 'active', source: 'test' },
      { email: 'every@density.example', name: null, timeZone: null, tags: TAGS, status: 'active', source: 'test' },
    ]);
  });
  afterAll(async () => {
    await r?.app.close();
    await h?.close();
    await t?.drop();
  });

  const cases = [
    ['react', 'full', '2026-W41'],
    ['react', 'brief', '2026-W42'],
    ['mjml', 'full', '2026-W43'],
    ['mjml', 'brief', '2026-W44'],
  ] as const;

  it.each(cases)('%s, %s: both readers\' .eml pass the checks', async (engine, density, week) => {
    await addSummaries(
      t.db,
      week,
      TAGS.flatMap((tag, n) => [
        { title: `${tag} first ${week}`, tags: [tag], signal: `First sentence about ${tag}. A second one.`, minutes: 10 + n },
        { title: `${tag} second ${week}`, tags: n % 2 ? [tag, TAGS[0]!] : [tag] },
      ]),
    );
    const issue = await weekIssue(t.db, { week, engine, subject: null });
    await t.db.query(`update subscribers set density = $1`, [density]);
    await t.db.query(`update issues set status = 'scheduled' where id = $1`, [issue.id]);
    await planIssue(t.db, issue.id, 100);
    const frozen = await t.db.query<{ density: string }>(`select distinct density from deliveries where issue_id = $1`, [issue.id]);
    expect(frozen).toEqual([{ density }]);
    await sendBatch({ issueId: issue.id, batch: 0 }, jobContext(t.db, h, h.provider));

    const dir = path.join(h.outboxDir, String(issue.id));
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(2);
    const checked = new Set<string>();
    for (const file of files) {
      const eml = parseEml(readFileSync(path.join(dir, file), 'utf8'));
      const every = eml.headers.get('to')!.includes('every@');
      // Headers.
      expect(eml.headers.get('subject')).toBeTruthy();
      expect(eml.headers.get('list-unsubscribe')).toMatch(/^<https:\/\/news\.example\.test\/unsubscribe\?t=[^>]+>, <mailto:/);
      expect(eml.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      // Size.
      expect(Buffer.byteLength(eml.html)).toBeLessThanOrEqual(HTML_BUDGET);
      // The text part: contents, every section with its way out, the density switch, the reader's tags.
      const sections = textSections(eml.text);
      expect(sections).toHaveLength(every ? TAGS.length : 1);
      expect(eml.text).toContain('IN THIS ISSUE');
      expect(eml.text.match(/^You get this because you follow .+\. Stop .+: https:\/\//gm)).toHaveLength(sections.length);
      expect(eml.text).toContain(density === 'brief' ? 'Send me the full version: https://' : 'Send me the brief version: https://');
      expect(eml.text.includes('The Case')).toBe(density === 'full');
      if (density === 'brief') expect(eml.text).toContain('First sentence about Rust.\nRead on the web: ');
      // The footer names the reader's tags, in section order.
      const named = /^You get this digest because you follow (.+) on Tagcast Test\.$/m.exec(eml.text)![1]!;
      expect(named).toBe(every ? `${sections.slice(0, -1).map(cap).join(', ')} and ${cap(sections.at(-1)!)}` : 'Rust');
      // In-email anchors: each contents link has its target.
      const anchors = [...eml.html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
      expect(anchors.length).toBeGreaterThan(sections.length);
      for (const a of anchors) expect(eml.html).toContain(`id="${a}"`);
      // Every title a link (no summary here has a source: each links to its anchor on the web version).
      const titles = [...eml.html.matchAll(/<h3[^>]*>\s*<a href="([^"]+)"/g)].map((m) => m[1]!);
      expect(titles.length).toBe(every ? 12 : 2);
      for (const href of titles) expect(href).toMatch(/^https:\/\/news\.example\.test\/web\/\d+\?t=[^#]+#s-\d+$/);
      // Every link to the site opens a page.
      const links = new Set([...eml.html.matchAll(/href="(https:\/\/news\.example\.test[^"#]*)/g)].map((m) => m[1]!.replaceAll('&amp;', '&')));
      for (const url of [...eml.text.matchAll(/https:\/\/news\.example\.test\S*/g)].map((m) => m[0].replace(/#.*$/, ''))) links.add(url);
      for (const link of links) {
        if (checked.has(link)) continue;
        checked.add(link);
        const res = await r.app.inject({ method: 'GET', url: link.slice(ORIGIN.length) });
        expect(res.statusCode, link).toBeGreaterThanOrEqual(200);
        expect(res.statusCode, link).toBeLessThan(300);
      }
    }
    expect(checked.size).toBeGreaterThanOrEqual(4);
  });
});
