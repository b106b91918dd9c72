// The publication's identity and the editor's note, through all three faces (admin page, API, the
// operations the CLI calls) on the test's database; both engines show them in the .eml the outbox
// writes; a low-contrast accent is refused with its ratio; a note cannot change once sent; and a real
// provider (the Resend emulator) does not start sending without a postal address.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { getIssue } from '../../src/db/issues.ts';
import { writeSettings } from '../../src/db/settings.ts';
import { upsertSubscribers } from '../../src/db/subscribers.ts';
import { localEditor } from '../../src/editor/index.ts';
import { sendIssueNow } from '../../src/issues.ts';
import { NO_POSTAL_ADDRESS } from '../../src/publication.ts';
import { createResend } from '../../src/send/resend.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { weekIssue } from '../support/issues.ts';
import { parseEml } from '../support/mail.ts';
import { createHarness, testConfig, waitForStatus, type Harness } from '../support/pipeline.ts';
import { addSummaries, Browser, readerApp, type ReaderApp } from '../support/reader.ts';
import { startResendEmulator, type Emulator } from '../support/resend-emulator.ts';

const PASSWORD = 'publication-admin-password';

describe.sequential(`the publication's identity and the editor's note on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let h: Harness;
  let r: ReaderApp;
  let b: Browser;
  let token: string;

  beforeAll(async () => {
    t = await createTestDb();
    h = await createHarness(t.db);
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD, ARCHIVE: 'on' }, deps: { queues: async () => h.queues, provider: h.provider } });
    b = new Browser(r.app, '198.51.100.211');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
    token = (await createApiToken(t.db, 'publication-tests')).token;
    await upsertSubscribers(t.db, [{ email: 'ada@publication.example', name: 'Ada', timeZone: null, tags: ['AI'], status: 'active', source: 'test' }]);
  });
  afterAll(async () => {
    await r?.app.close();
    await h?.close();
    await t?.drop();
  });

  const api = (method: 'GET' | 'PUT', url: string, body?: object) =>
    r.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
  const editor = () => localEditor({ db: t.db, config: r.config, now: () => new Date(), actor: 'cli' });

  it('reads well on a fresh install: the name from MAIL_FROM, the default accent, no postal address', async () => {
    const s = await editor().settings.show();
    // MAIL_FROM is "Tagcast Test <digest@example.test>" here: its display name is the default.
    expect(s).toMatchObject({ name: 'Tagcast Test', senderName: 'Tagcast Test', accent: '#0b6bcb', postalAddress: '', set: [] });
  });

  it('refuses a low-contrast accent with its ratio, an http logo and unknown fields, on every face', async () => {
    await expect(editor().settings.set({ accent: '#ffcc00' })).rejects.toMatchObject({
      kind: 'invalid',
      message: 'the accent colour #ffcc00 has a contrast of 1.51:1 against white; text needs at least 4.5:1 (WCAG AA): choose a darker colour',
    });
    await expect(editor().settings.set({ accent: '#000080' })).rejects.toThrow(/contrast of 1\.\d\d:1 against the dark-mode background #0f1216; it needs at least 3:1/);
    const viaApi = await api('PUT', '/settings', { logoUrl: 'http://cdn.example.test/logo.png' });
    expect(viaApi.statusCode).toBe(400);
    expect(viaApi.json()).toMatchObject({ error: 'the logo URL must start with https:// (mail clients block other images)' });
    expect((await api('PUT', '/settings', { colour: '#000000' })).statusCode).toBe(400);
    const page = await b.submit('/admin/settings', '/admin/settings', { name: 'Fine', accent: '#ffff00' });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('contrast of 1.07:1 against white');
    expect(page.body).toContain('value="Fine"'); // what was typed stays
    expect((await editor().settings.show()).set).toEqual([]);
  });

  it('saves through the admin page and the API, and every page and feed names the publication', async () => {
    const saved = await b.submit('/admin/settings', '/admin/settings', {
      name: 'The Gardener',
      tagline: 'Soil and signal',
      logo_url: 'https://cdn.example.test/logo.png',
      accent: '#8A2BE2',
      sender_name: 'Gardener Desk',
      reply_to: 'Editor@Example.test',
      footer: 'Written in Leeds.',
      postal_address: '1 Allotment Row\r\nLeeds LS1 1AA',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/settings?done=settings-saved');
    const got = (await api('GET', '/settings')).json();
    expect(got).toMatchObject({ name: 'The Gardener', accent: '#8a2be2', replyTo: 'editor@example.test', postalAddress: '1 Allotment Row\nLeeds LS1 1AA' });
    const put = await api('PUT', '/settings', { tagline: '' });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ tagline: '', name: 'The Gardener' });
    expect(put.json().set).not.toContain('tagline');
    await api('PUT', '/settings', { tagline: 'Soil and signal' });

    const subscribe = await b.get('/subscribe');
    expect(subscribe.body).toMatch(/<title>[^<]* · The Gardener<\/title>/);
    expect(subscribe.body).toContain('class="brand" href="/archive">The Gardener</a>');
    expect(subscribe.body).not.toMatch(/>tagcast</);
    const feed = await b.get('/feed.xml');
    expect(feed.body).toContain('<title>The Gardener: every issue</title>');
  });

  it.each(['react', 'mjml'] as const)('%s: the digest in the outbox shows the identity and the note, HTML and text', async (engine) => {
    const week = engine === 'react' ? '2026-W40' : '2026-W41';
    await addSummaries(t.db, week, [{ title: `Compost ${engine}`, tags: ['AI'] }]);
    const issue = await weekIssue(t.db, { week, engine, subject: null });
    const note = await api('PUT', `/issues/${issue.id}/note`, { text: 'Hello **readers** <b>x</b>\n\n- see [the plot](https://example.test/plot)' });
    expect(note.statusCode).toBe(200);
    expect(note.json()).toMatchObject({ issueId: issue.id, note: 'Hello **readers** <b>x</b>\n\n- see [the plot](https://example.test/plot)', updatedBy: 'api:publication-tests' });
    const workers = h.start();
    try {
      await sendIssueNow(t.db, h.queues, issue.id);
      await waitForStatus(t.db, issue.id);
    } finally {
      await h.stopAll();
      void workers;
    }
    const dir = path.join(h.outboxDir, String(issue.id));
    const eml = parseEml(readFileSync(path.join(dir, readdirSync(dir).find((f) => f.endsWith('.eml'))!), 'utf8'));
    expect(eml.headers.get('from')).toBe('"Gardener Desk" <digest@example.test>');
    expect(eml.headers.get('reply-to')).toBe('editor@example.test');
    expect(eml.headers.get('list-id')).toMatch(/^The Gardener digest </);
    for (const s of ['The Gardener · ', 'Soil and signal', 'src="https://cdn.example.test/logo.png"', 'color:#8a2be2', '1 Allotment Row<br/>Leeds LS1 1AA', 'Written in Leeds.', 'Hello <strong>readers</strong> &lt;b&gt;x&lt;/b&gt;', 'href="https://example.test/plot"']) {
      expect(eml.html).toContain(s);
    }
    expect(eml.html).not.toContain('tagcast weekly');
    expect(eml.html).not.toContain('<b>x</b>');
    expect(eml.html.indexOf('Hello <strong>')).toBeLessThan(eml.html.indexOf(`Compost ${engine}`));
    expect(eml.text.split('\n')[0]).toMatch(/^The Gardener · /);
    expect(eml.text).toContain('Hello **readers** <b>x</b>'.replace(/\*\*/g, ''));
    expect(eml.text).toContain('- see the plot (https://example.test/plot)');
    expect(eml.text).toContain('1 Allotment Row\nLeeds LS1 1AA');
    expect(eml.text.indexOf('Hello readers')).toBeLessThan(eml.text.indexOf(`Compost ${engine}`));

    // Sent: the note cannot change any more, on any face.
    await expect(editor().notes.set(issue.id, 'too late')).rejects.toMatchObject({ kind: 'conflict' });
    expect((await api('PUT', `/issues/${issue.id}/note`, { text: 'too late' })).statusCode).toBe(409);
    const form = await b.submit(`/admin/issues/${issue.id}/note`, `/admin/issues/${issue.id}/note`, { note: 'too late' });
    expect(form.statusCode).toBe(409);
    expect(form.body).toContain(`Issue ${issue.id} is sent: its note can change only while it is a draft or scheduled`);
    expect((await b.get(`/admin/issues/${issue.id}/note`)).body).toContain('its note can no longer change');
  });

  it('edits a draft note on the admin page (linked from the issue page); an unknown issue is 404 on every face', async () => {
    const issue = await weekIssue(t.db, { week: '2026-W42', engine: 'react', subject: null });
    expect((await b.get(`/admin/issues/${issue.id}`)).body).toContain(`href="/admin/issues/${issue.id}/note"`);
    const saved = await b.submit(`/admin/issues/${issue.id}/note`, `/admin/issues/${issue.id}/note`, { note: 'A *short* week.' });
    expect(saved.statusCode).toBe(303);
    expect(await editor().notes.show(issue.id)).toMatchObject({ note: 'A *short* week.', updatedBy: 'admin' });
    expect((await b.get(`/admin/issues/${issue.id}/note`)).body).toContain('<em>short</em>');
    expect((await b.submit(`/admin/issues/${issue.id}/note`, `/admin/issues/${issue.id}/note`, { note: '  ' })).headers.location).toContain('done=note-removed');
    expect((await editor().notes.show(issue.id)).note).toBeNull();
    expect((await api('PUT', '/issues/999999/note', { text: 'x' })).statusCode).toBe(404);
    expect((await b.get('/admin/issues/999999/note')).statusCode).toBe(404);
    await expect(editor().notes.set(999999, 'x')).rejects.toMatchObject({ kind: 'not-found' });
  });

  describe('through a real provider (the Resend emulator)', () => {
    let emu: Emulator;
    let real: Harness;
    beforeAll(async () => {
      emu = await startResendEmulator();
      real = await createHarness(t.db, createResend({ apiKey: emu.options.apiKey, baseUrl: emu.url, timeoutMs: 5000 }));
    });
    afterAll(async () => {
      await real?.close();
      await emu?.close();
    });

    it('does not start sending without a postal address: the issue pauses with one line saying where to set it', async () => {
      await writeSettings(t.db, { postalAddress: null }, 'test');
      await addSummaries(t.db, '2026-W43', [{ title: 'Mulch', tags: ['AI'] }]);
      const issue = await weekIssue(t.db, { week: '2026-W43', engine: 'react', subject: null });
      real.start();
      try {
        await sendIssueNow(t.db, real.queues, issue.id);
        const paused = await waitForStatus(t.db, issue.id, ['paused', 'sending', 'sent']);
        expect(paused.status).toBe('paused');
        expect(paused.statusReason).toBe(NO_POSTAL_ADDRESS);
        expect(NO_POSTAL_ADDRESS).toContain('/admin/settings');
        expect(NO_POSTAL_ADDRESS).toContain('tagcast settings set --postal-address');
        expect(emu.stats.emails).toHaveLength(0);
        // With the address set, resuming sends it.
        await writeSettings(t.db, { postalAddress: '1 Allotment Row' }, 'test');
        const { resumeIssue } = await import('../../src/issues.ts');
        await resumeIssue(t.db, real.queues, issue.id);
        await waitForStatus(t.db, issue.id);
        expect(emu.stats.emails.map((e) => e.to)).toEqual(['Ada <ada@publication.example>']);
        expect(emu.stats.emails[0]!.html).toContain('1 Allotment Row');
      } finally {
        await real.stopAll();
      }
      expect((await getIssue(t.db, issue.id))!.status).toBe('sent');
      void testConfig;
    });

    it('an editor who sends or schedules with a real provider and no postal address is refused at once, on every face', async () => {
      await writeSettings(t.db, { postalAddress: null }, 'test');
      await addSummaries(t.db, '2026-W42', [{ title: 'Compost', tags: ['AI'] }]);
      const issue = await weekIssue(t.db, { week: '2026-W42', engine: 'react', subject: null });
      const ops = localEditor({ db: t.db, config: { ...r.config, emailProvider: 'resend' }, now: () => new Date(), queues: async () => real.queues, actor: 'cli' });
      const refusal = { kind: 'conflict', httpStatus: 409, exitCode: 1 };
      await expect(ops.issues.send(issue.id)).rejects.toMatchObject({ ...refusal, message: expect.stringContaining('tagcast settings set --postal-address') });
      await expect(ops.issues.schedule(issue.id, { at: new Date(Date.now() + 3_600_000) })).rejects.toMatchObject(refusal);
      await expect(ops.issues.scheduleLocal(issue.id, { localTime: '09:00', date: '2030-01-07' })).rejects.toMatchObject(refusal);
      expect((await getIssue(t.db, issue.id))!.status).toBe('draft');
      expect((await ops.issues.cancel(issue.id)).status).toBe('cancelled');
      await writeSettings(t.db, { postalAddress: '1 Allotment Row' }, 'test');
    });
  });
});
