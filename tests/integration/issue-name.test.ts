// One name for an issue everywhere (issue 18, item 8): an issue really sent through planning and the
// send-batch job is called "Week 45 · 2–8 Nov 2026" in the email's subject and text part, on the
// archive index and its page, in the Atom feed's entry, in the API's issue objects, on the admin
// issue pages and in the reader's own preferences history (reached from the email's own link).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../jobs/index.ts';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { finalizeIssue, planIssue } from '../../src/db/issues.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { issueName } from '../../src/digest/week.ts';
import { issueObject } from '../../src/web/api/schemas.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { weekIssue } from '../support/issues.ts';
import { visibleText } from '../support/html.ts';
import { decodeHeader, parseEml, type ParsedEml } from '../support/mail.ts';
import { createHarness, jobContext, type Harness } from '../support/pipeline.ts';
import { addSummaries, Browser, readerApp, type ReaderApp } from '../support/reader.ts';

const WEEK = '2026-W45';
const NAME = 'Week 45 · 2–8 Nov 2026';
const PASSWORD = 'issue-name-admin-password';
/** The publication's name: MAIL_FROM's display name in the tests' configuration (tests/support/pipeline.ts). */
const PUBLICATION = 'Tagcast Test';

describe.sequential(`one name for an issue everywhere on ${process.env.TAGCAST_TEST_DB}`, () => {
  /** The one issue sent, and the reader's email of it as the outbox wrote it. */
  const sent = { issueId: 0, eml: undefined as unknown as ParsedEml };
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;

  beforeAll(async () => {
    t = await createTestDb();
    h = await createHarness(t.db);
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD } });
    await addSummaries(t.db, WEEK, [
      { title: 'Agents that plan', tags: ['AI'] },
      { title: 'Borrowing without tears', tags: ['Rust'] },
    ]);
    await upsertSubscribers(t.db, [{ email: 'named@issue-name.example', name: null, timeZone: null, tags: ['AI', 'Rust'], status: 'active', source: 'test' }]);
    const issue = await weekIssue(t.db, { week: WEEK, engine: 'mjml', subject: null });
    sent.issueId = issue.id;
    const { issueId } = sent;
    await t.db.query(`update issues set status = 'scheduled' where id = $1`, [issueId]);
    await planIssue(t.db, issueId, 100);
    await jobs['send-batch'].process({ issueId, batch: 0 }, jobContext(t.db, h, h.provider));
    expect((await finalizeIssue(t.db, issueId))?.status).toBe('sent');
    const dir = path.join(h.outboxDir, String(issueId));
    const [file, ...more] = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(more).toEqual([]);
    sent.eml = parseEml(readFileSync(path.join(dir, file!), 'utf8'));
  });
  afterAll(async () => {
    await r?.app.close();
    await h?.close();
    await t?.drop();
  });

  it('is the week number and the dates, from issueName', () => {
    expect(issueName(WEEK)).toBe(NAME);
  });

  it("names the email: the subject ends with it, the text part's first line and the HTML header carry it", () => {
    expect(decodeHeader(sent.eml.headers.get('subject')!)).toBe(`AI and Rust · ${NAME}`);
    expect(sent.eml.text.split('\n')[0]).toBe(`${PUBLICATION} · ${NAME}`);
    expect(visibleText(sent.eml.html)).toContain(`${PUBLICATION} · ${NAME} · view in your browser`);
  });

  it('names the issue in the archive, on its page and in the Atom feed', async () => {
    const b = new Browser(r.app);
    const index = await b.get('/archive');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain(`<a href="/archive/${sent.issueId}">${NAME}</a>`);
    const page = await b.get(`/archive/${sent.issueId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1>${NAME}</h1>`);
    const feed = await b.get('/feed.xml');
    expect(feed.statusCode).toBe(200);
    expect(feed.body).toContain(`<title>${PUBLICATION} · ${NAME}</title>`);
  });

  it("gives the API's issue objects the name beside the week", async () => {
    const { token } = await createApiToken(t.db, 'issue-name');
    const get = async (url: string) => {
      const res = await r.app.inject({ url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as Record<string, any>;
    };
    const [listed, ...others] = (await get('/issues')).issues;
    expect(others).toEqual([]);
    expect(listed).toMatchObject({ id: sent.issueId, week: WEEK, name: NAME });
    expect((await get(`/issues/${sent.issueId}`)).issue).toEqual(listed);
    // The answer is what the OpenAPI document says an issue is, field for field (a strict schema).
    expect(issueObject.parse(listed)).toEqual(listed);
    const doc = (await r.app.inject({ url: '/api/v1/openapi.json' })).json() as Record<string, any>;
    expect(doc.components.schemas.Issue.properties.name).toMatchObject({ type: 'string' });
    expect(doc.components.schemas.Issue.required).toEqual(expect.arrayContaining(['id', 'week', 'name']));
    expect(doc.paths['/api/v1/issues'].get.responses['200'].content['application/json'].schema.properties.issues.items.properties.name).toMatchObject({ type: 'string' });
  });

  it('names the issue on the admin pages: the list and its own page', async () => {
    const b = new Browser(r.app, '198.51.100.45');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
    const list = await b.get('/admin/issues');
    expect(list.statusCode).toBe(200);
    const cells = [...list.body.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => visibleText(m[1]!));
    expect(cells).toContain(NAME);
    const one = await b.get(`/admin/issues/${sent.issueId}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toMatch(new RegExp(`<h1>Issue ${sent.issueId}: (<!-- -->)?${NAME}</h1>`));
  });

  it("names the issue in the reader's preferences history, opened from the email's own link", async () => {
    const preferences = /^Choose your tags: (\S+)$/m.exec(sent.eml.text)?.[1];
    expect(preferences).toMatch(/^https:\/\/news\.example\.test\/preferences\?t=/);
    const page = await new Browser(r.app).get(preferences!.slice(r.config.publicUrl.length));
    expect(page.statusCode).toBe(200);
    const history = page.body.slice(page.body.indexOf('id="history-title"'));
    expect(history).toMatch(new RegExp(`<a href="[^"]+">${NAME}</a>`));
  });
});
