// Readers as the editor manages them, through the admin pages and the JSON API on one server (both call
// src/editor/subscribers.ts): unknown tags refused with the known ones named unless asked to create
// them; the list's filters (active, paused, pending, unsubscribed, bounced, complained); a reader's
// page with every delivery and its provider events and the notices sent; edit, unsubscribe, and erase
// — the reader's own erasure, after a confirm step. The CLI faces are in api-cli-fallback.test.ts
// (through a running server) and cli.test.ts (its own process).
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { createNotice } from '../../src/db/notices.ts';
import { emailHash } from '../../src/db/readers.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { addSummaries, Browser, csrfField, readerApp, sentIssue, subscriberByEmail, type ReaderApp } from '../support/reader.ts';

const PASSWORD = 'an editor password for readers';
const WEEK = '2026-W48';

describe.sequential(`readers in the admin pages and the API on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let b: Browser;
  let token: string;
  const ids: Record<string, number> = {};

  const api = (method: string, url: string, body?: unknown) =>
    r.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
  const json = (res: LightMyRequestResponse) => res.json() as Record<string, any>;

  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [
      { title: 'Kubernetes at scale', tags: ['Kubernetes'] },
      { title: 'Models', tags: ['AI'] },
    ]);
    const reader = (email: string, tags: string[]): SubscriberInput => ({ email, name: null, timeZone: null, tags, status: 'active', source: 'test' });
    await upsertSubscribers(t.db, ['ada', 'bob', 'cy', 'dee', 'eve', 'fay'].map((n) => reader(`${n}@example.test`, ['AI'])));
    for (const row of await t.db.query<{ id: number; email: string }>(`select id, email from subscribers`)) ids[row.email.split('@')[0]!] = row.id;
    // Ada got the week's issue; the provider reported it delivered, then opened.
    const issue = await sentIssue(t.db, WEEK);
    for (const [n, type] of ['email.delivered', 'email.opened'].entries()) {
      await t.db.query(`insert into events (id, type, email, provider_id, payload, received_at) values ($1, $2, $3, $4, '{}', now() + $5 * interval '1 minute')`, [
        `ev-${n}`,
        type,
        'ada@example.test',
        `p-${issue.id}-${ids.ada}`,
        n,
      ]);
    }
    await createNotice(t.db, ids.ada!, 'export');
    await t.db.query(`update subscribers set paused_until = now() + interval '14 days' where email = 'bob@example.test'`);
    await t.db.query(`update subscribers set status = 'bounced' where email = 'cy@example.test'`);
    await t.db.query(`update subscribers set status = 'complained' where email = 'dee@example.test'`);
    await t.db.query(`update subscribers set status = 'pending' where email = 'eve@example.test'`);
    await t.db.query(`update subscribers set status = 'unsubscribed' where email = 'fay@example.test'`);
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD } });
    b = new Browser(r.app, '198.51.100.211');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
    token = (await createApiToken(t.db, 'readers')).token;
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  it('refuses an unknown tag on every face, naming the known tags, unless asked to create it', async () => {
    const refused = await api('POST', '/subscribers', { email: 'new@example.test', tags: ['Nonexistent Tag', 'ai'] });
    expect(refused.statusCode).toBe(400);
    expect(json(refused)).toEqual({ error: 'unknown tag "Nonexistent Tag"; known tags: ai, kubernetes (to follow a new tag, ask to create it)', unknownTags: ['Nonexistent Tag'] });
    expect(await subscriberByEmail(t.db, 'new@example.test')).toBeUndefined();
    expect(await t.db.query(`select 1 from tags where slug = 'nonexistent-tag'`)).toEqual([]);

    const page = await b.get('/admin/subscribers');
    const added = await b.post('/admin/subscribers', { _csrf: csrfField(page.body)!, email: 'new@example.test', tags: 'kubernetes, Nonexistent Tag' });
    expect(added.statusCode).toBe(400);
    expect(added.body).toContain('Unknown tag &quot;Nonexistent Tag&quot;; known tags: ai, kubernetes');

    // A known tag in any case is that tag; createTags makes the new one.
    const ok = await api('POST', '/subscribers', { email: 'new@example.test', tags: ['kubernetes', 'Nonexistent Tag'], createTags: true });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(json(ok)).toMatchObject({ created: true, email: 'new@example.test', tags: ['Kubernetes', 'Nonexistent Tag'] });
    expect((await subscriberByEmail(t.db, 'new@example.test'))!.tags).toEqual(['kubernetes', 'nonexistent-tag']);
    // CSV rows: refused by line, unless the import creates tags.
    const csv = 'email,tags\nrow@example.test,Typo Tag\nfine@example.test,AI\n';
    expect(json(await api('POST', '/subscribers/import', { csv }))).toMatchObject({
      created: 1,
      errors: [{ line: 2, problem: 'unknown tag "Typo Tag"; known tags: ai, kubernetes, nonexistent-tag (to follow a new tag, ask to create it)' }],
    });
    expect(json(await api('POST', '/subscribers/import', { csv, createTags: true }))).toMatchObject({ created: 1, updated: 1, errors: [] });
    expect(json(await api('POST', '/subscribers', { email: 'x@example.test', tags: ['ai'], createTags: 'yes' })).issues[0].path).toBe('body.createTags');
    await t.db.query(`delete from subscribers where email in ('new@example.test', 'row@example.test', 'fine@example.test')`);
  });

  it('filters the list by active, paused, pending, unsubscribed, bounced and complained on the admin page and the API', async () => {
    const expected: Record<string, string[]> = {
      active: ['ada'],
      paused: ['bob'],
      bounced: ['cy'],
      complained: ['dee'],
      pending: ['eve'],
      unsubscribed: ['fay'],
    };
    for (const [status, names] of Object.entries(expected)) {
      const res = json(await api('GET', `/subscribers?status=${status}`));
      expect(res.subscribers.map((s: { email: string }) => s.email.split('@')[0]), status).toEqual(names);
      const html = (await b.get(`/admin/subscribers?status=${status}`)).body;
      for (const n of Object.keys(ids)) expect(html.includes(`>${n}@example.test</a>`), `${status}: ${n}`).toBe(names.includes(n));
    }
    const bob = json(await api('GET', '/subscribers?status=paused')).subscribers[0];
    expect(new Date(bob.pausedUntil).getTime()).toBeGreaterThan(Date.now());
    expect((await b.get('/admin/subscribers?status=paused')).body).toMatch(/paused<\/span> <span class="small muted nowrap">until \d{4}-\d\d-\d\d/);
    expect(json(await api('GET', '/subscribers?email=ADA@example.test')).subscribers.map((s: { id: number }) => s.id)).toEqual([ids.ada]);
    expect((await api('GET', '/subscribers?status=sleeping')).statusCode).toBe(400);
    expect((await b.get('/admin/subscribers?status=sleeping')).statusCode).toBe(400);
  });

  it("shows a reader's deliveries with the provider's events and the notices sent, on the page and in the API", async () => {
    const shown = json(await api('GET', `/subscribers/${ids.ada}`));
    expect(shown.subscriber).toMatchObject({ id: ids.ada, email: 'ada@example.test', status: 'active', tags: ['AI'], timeZone: null });
    expect(shown.deliveries).toHaveLength(1);
    expect(shown.deliveries[0]).toMatchObject({ week: WEEK, status: 'submitted', sections: ['ai'] });
    expect(shown.deliveries[0].events.map((e: { type: string }) => e.type)).toEqual(['email.delivered', 'email.opened']);
    expect(shown.notices.map((n: { kind: string }) => n.kind)).toEqual(['export']);
    expect((await api('GET', '/subscribers/999999')).statusCode).toBe(404);

    const page = await b.get(`/admin/subscribers/${ids.ada}`);
    expect(page.statusCode).toBe(200);
    const text = page.body.replace(/<!-- -->/g, '');
    expect(text).toContain('<h1>ada@example.test</h1>');
    expect(text).toMatch(/email\.delivered <span class="small muted">[^<]+UTC<\/span><\/li><li>email\.opened/);
    expect(text).toContain('<td>export</td>');
    expect((await b.get('/admin/subscribers/999999')).statusCode).toBe(404);
    expect((await b.get('/admin/subscribers/1e3')).statusCode).toBe(404);
  });

  it("edits tags and time zone (each a POST with CSRF), refusing an unknown tag; the API's PUT does the same", async () => {
    const url = `/admin/subscribers/${ids.ada}`;
    const csrf = csrfField((await b.get(url)).body)!;
    expect((await b.post(url, { tags: 'Kubernetes', time_zone: 'Europe/Berlin' })).statusCode).toBe(403);
    const typo = await b.post(url, { _csrf: csrf, tags: 'Kubernetis', time_zone: 'Europe/Berlin' });
    expect(typo.statusCode).toBe(400);
    expect(typo.body).toContain('Unknown tag &quot;Kubernetis&quot;; known tags: ai, kubernetes');
    const saved = await b.post(url, { _csrf: csrf, tags: 'kubernetes, AI', time_zone: 'Europe/Berlin' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${url}?done=saved`);
    expect(await subscriberByEmail(t.db, 'ada@example.test')).toMatchObject({ timeZone: 'Europe/Berlin', tags: ['ai', 'kubernetes'] });

    const put = await api('PUT', `/subscribers/${ids.ada}`, { tags: ['AI'], timeZone: null });
    expect(put.statusCode, put.body).toBe(200);
    expect(json(put).subscriber).toMatchObject({ tags: ['AI'], timeZone: null });
    expect((await api('PUT', `/subscribers/${ids.ada}`, { tags: ['Typo'], timeZone: null })).statusCode).toBe(400);
    expect((await api('PUT', '/subscribers/999999', { tags: ['AI'], timeZone: null })).statusCode).toBe(404);
  });

  it('unsubscribes a reader from the page and the API (once: a second time changes nothing)', async () => {
    const url = `/admin/subscribers/${ids.eve}/unsubscribe`;
    const csrf = csrfField((await b.get(`/admin/subscribers/${ids.eve}`)).body)!;
    expect((await b.post(url, {})).statusCode).toBe(403);
    const done = await b.post(url, { _csrf: csrf });
    expect(done.headers.location).toBe(`/admin/subscribers/${ids.eve}?done=unsubscribed`);
    expect((await subscriberByEmail(t.db, 'eve@example.test'))!.status).toBe('unsubscribed');
    const again = json(await api('POST', `/subscribers/${ids.eve}/unsubscribe`));
    expect(again).toMatchObject({ changed: false, subscriber: { status: 'unsubscribed' } });
    expect(json(await api('POST', `/subscribers/${ids.ada}/unsubscribe`))).toMatchObject({ changed: true, subscriber: { status: 'unsubscribed' } });
  });

  it("erases a reader after a confirm step, as the reader's own delete-my-data does; no face adds the address back", async () => {
    const url = `/admin/subscribers/${ids.ada}`;
    const csrf = csrfField((await b.get(url)).body)!;
    // The reader page's button opens the confirm page; a GET erases nothing.
    const confirm = await b.get(`${url}/erase`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<h1>Erase ada@example.test?</h1>');
    expect(await subscriberByEmail(t.db, 'ada@example.test')).toBeDefined();
    // A POST without the confirm page's field goes to the confirm page; without CSRF it is refused.
    expect((await b.post(`${url}/erase`, { _csrf: csrf })).headers.location).toBe(`${url}/erase`);
    expect((await b.post(`${url}/erase`, { confirm: 'erase' })).statusCode).toBe(403);
    expect(await subscriberByEmail(t.db, 'ada@example.test')).toBeDefined();
    const erased = await b.post(`${url}/erase`, { _csrf: csrfField(confirm.body)!, confirm: 'erase' });
    expect(erased.headers.location).toBe('/admin/subscribers?done=erased');
    // The reader's own erasure: everything goes, the address stays only as its hash.
    expect(await subscriberByEmail(t.db, 'ada@example.test')).toBeUndefined();
    for (const table of ['deliveries', 'notices', 'subscriptions']) {
      expect(await t.db.query(`select 1 from ${table} where subscriber_id = $1`, [ids.ada]), table).toEqual([]);
    }
    expect(await t.db.query(`select 1 from events where email = 'ada@example.test'`)).toEqual([]);
    expect(await t.db.query(`select 1 from erasures where email_hash = $1`, [emailHash('ada@example.test')])).toHaveLength(1);
    expect((await api('POST', '/subscribers', { email: 'ada@example.test', tags: ['AI'] })).statusCode).toBe(409);

    expect(json(await api('DELETE', `/subscribers/${ids.bob}`))).toEqual({ erased: true, id: ids.bob, email: 'bob@example.test' });
    expect((await api('DELETE', `/subscribers/${ids.bob}`)).statusCode).toBe(404);
    expect(await t.db.query(`select 1 from erasures where email_hash = $1`, [emailHash('bob@example.test')])).toHaveLength(1);
  });
});
