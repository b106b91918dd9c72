// Tags managed by the editor through the three faces (src/editor/tags.ts): the list with its numbers,
// rename (a taken slug is a conflict naming the other tag), merge (followers and summaries move in one
// set-based transaction, duplicates collapse, the tag disappears, readers are not mailed, sent
// deliveries untouched), describe and hide; and what the subscribe and preferences pages offer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/db/api-tokens.ts';
import { upsertSubscribers, type SubscriberInput } from '../../src/db/subscribers.ts';
import { summariesForWeek } from '../../src/db/summaries.ts';
import { isoWeek } from '../../src/digest/week.ts';
import { localEditor, type Editor } from '../../src/editor/index.ts';
import { links } from '../../src/web/reader/common.tsx';
import { cliSetup } from '../support/cli-setup.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { inProcess } from '../support/in-process.ts';
import { addSummaries, Browser, plannedIssue, readerApp, sentIssue, subscriberByEmail, type ReaderApp } from '../support/reader.ts';

const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;
const NOW = new Date();
const WEEK = isoWeek(NOW);
const LAST_WEEK = isoWeek(new Date(NOW.getTime() - 7 * DAY));
/** Twenty weeks ago: outside the default eight weeks of the subscribe page. */
const OLD_WEEK = isoWeek(new Date(NOW.getTime() - 140 * DAY));

const reader = (email: string, tags: string[]): SubscriberInput => ({ email, name: null, timeZone: null, tags, status: 'active', source: 'test' });

/** Every tag's slugs, followers and summaries, straight from the tables. */
async function tagTable(t: TestDb) {
  return t.db.query<{ slug: string; followers: string[]; summaries: string[] }>(
    `select t.slug,
            array(select r.email from subscriptions x join subscribers r on r.id = x.subscriber_id where x.tag_id = t.id order by r.email) as followers,
            array(select s.title from summary_tags st join summaries s on s.id = st.summary_id where st.tag_id = t.id order by s.title) as summaries
     from tags t order by t.slug`,
  );
}

describe.sequential(`tags managed by the editor on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let ed: Editor;
  beforeAll(async () => {
    t = await createTestDb();
    ed = localEditor({ db: t.db, config: {} as never, now: () => new Date(), actor: 'cli' });
    await addSummaries(t.db, WEEK, [
      { title: 'Borrowing', tags: ['Rust'] },
      { title: 'Lifetimes', tags: ['Rust Lang', 'Rust'] },
      { title: 'Async traits', tags: ['Rust Lang'] },
      { title: 'Agents', tags: ['AI'] },
    ]);
    await addSummaries(t.db, OLD_WEEK, [{ title: 'Punch cards', tags: ['Retro'] }]);
    await upsertSubscribers(t.db, [reader('both@tags.example', ['Rust', 'Rust Lang']), reader('typo@tags.example', ['Rust Lang']), reader('ai@tags.example', ['AI', 'Retro'])]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('lists every tag with followers, summaries, last week with content, description and visibility', async () => {
    const tags = await ed.tags.list();
    expect(tags.map((x) => [x.name, x.slug, x.followers, x.summaries, x.lastWeek, x.hidden, x.description])).toEqual([
      ['AI', 'ai', 1, 1, WEEK, false, null],
      ['Retro', 'retro', 1, 1, OLD_WEEK, false, null],
      ['Rust', 'rust', 1, 2, WEEK, false, null],
      ['Rust Lang', 'rust-lang', 2, 2, WEEK, false, null],
    ]);
    // Named by name or slug, case-insensitively.
    expect((await ed.tags.show({ tag: 'RUST lang' })).slug).toBe('rust-lang');
    await expect(ed.tags.show({ tag: 'nope' })).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('renames with the importer’s rules; a slug another tag has is a conflict naming it', async () => {
    await expect(ed.tags.rename({ tag: 'retro', name: 'rust' })).rejects.toMatchObject({
      kind: 'conflict',
      message: 'the name "rust" is taken: tag "Rust" has the slug rust; merge "Retro" into it instead',
      details: { other: { name: 'Rust', slug: 'rust' } },
    });
    await expect(ed.tags.rename({ tag: 'retro', name: '  ' })).rejects.toMatchObject({ kind: 'invalid', message: 'a tag name needs at least one letter or digit' });
    await expect(ed.tags.rename({ tag: 'retro', name: 'a\nb' })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(ed.tags.rename({ tag: 'retro', name: 'x'.repeat(61) })).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining('the limit is 60') });

    const renamed = await ed.tags.rename({ tag: 'Retro', name: 'Computing   History' });
    expect(renamed).toMatchObject({ name: 'Computing History', slug: 'computing-history', followers: 1, summaries: 1, changedBy: 'cli' });
    // Case only: the same slug, a new name.
    expect(await ed.tags.rename({ tag: 'computing-history', name: 'computing history' })).toMatchObject({ name: 'computing history', slug: 'computing-history' });
    // The old slug is no tag any more, and says what it became.
    await expect(ed.tags.show({ tag: 'retro' })).rejects.toMatchObject({ kind: 'not-found', details: { current: 'computing-history' } });
    // A file that still names the old tag, imported again, lands on the renamed tag instead of bringing it back.
    await addSummaries(t.db, OLD_WEEK, [{ title: 'Mainframes', tags: ['Retro', 'Computing History'] }]);
    expect((await tagTable(t)).find((x) => x.slug === 'computing-history')!.summaries).toEqual(['Mainframes', 'Punch cards']);
    expect((await tagTable(t)).some((x) => x.slug === 'retro')).toBe(false);
    // The public tag page and feed at the old address move to the new one.
    const r = await readerApp(t.db);
    try {
      const moved = await r.app.inject({ url: '/tags/retro?page=1' });
      expect([moved.statusCode, moved.headers.location]).toEqual([301, '/tags/computing-history?page=1']);
      expect((await r.app.inject({ url: '/tags/retro/feed.xml' })).headers.location).toBe('/tags/computing-history/feed.xml');
      expect((await r.app.inject({ url: '/tags/never-was' })).statusCode).toBe(404);
    } finally {
      await r.app.close();
    }
  });

  it('describes and hides a tag; the subscribe page offers visible tags with recent content, with descriptions', async () => {
    await expect(ed.tags.describe({ tag: 'ai', description: 'x'.repeat(281) })).rejects.toMatchObject({ kind: 'invalid' });
    expect((await ed.tags.describe({ tag: 'ai', description: ' Models,\n agents  & <evals>. ' })).description).toBe('Models, agents & <evals>.');
    expect((await ed.tags.hide({ tag: 'rust-lang', hidden: true })).hidden).toBe(true);

    const r = await readerApp(t.db, { env: { SUBSCRIBE_TAG_WEEKS: '8' } });
    try {
      const page = (await r.app.inject({ url: '/subscribe' })).body;
      expect(page).toContain('value="ai"');
      expect(page).toContain('Models, agents &amp; &lt;evals&gt;.');
      expect(page).toContain('value="rust"');
      expect(page).not.toContain('value="rust-lang"'); // hidden
      expect(page).not.toContain('value="computing-history"'); // no content in the last 8 weeks
      // Its followers keep a hidden or quiet tag on their preferences.
      const typo = await subscriberByEmail(t.db, 'typo@tags.example');
      const prefs = (await r.app.inject({ url: links(r.config, typo!.id).preferences })).body;
      expect(prefs).toContain('value="rust-lang"');
      expect(prefs).not.toContain('value="computing-history"');
      const ai = await subscriberByEmail(t.db, 'ai@tags.example');
      expect((await r.app.inject({ url: links(r.config, ai!.id).preferences })).body).toContain('value="computing-history"');
      // A crafted post cannot choose a hidden tag the form does not offer.
      const crafted = await new Browser(r.app).submit('/subscribe', '/subscribe', { email: 'crafty@tags.example', name: '', tags: ['rust-lang'], time_zone: 'UTC', website: '' });
      expect(crafted.statusCode).toBe(400);
      expect(crafted.body).toContain('&quot;rust-lang&quot; is not a tag here any more');
      expect(await subscriberByEmail(t.db, 'crafty@tags.example')).toBeUndefined();
    } finally {
      await r.app.close();
    }
    // SUBSCRIBE_TAG_WEEKS reaches further back.
    const wide = await readerApp(t.db, { env: { SUBSCRIBE_TAG_WEEKS: '30' } });
    try {
      expect((await wide.app.inject({ url: '/subscribe' })).body).toContain('value="computing-history"');
    } finally {
      await wide.app.close();
    }
    expect((await ed.tags.hide({ tag: 'rust-lang', hidden: false })).hidden).toBe(false);
    expect((await ed.tags.describe({ tag: 'ai', description: '' })).description).toBeNull();
  });

  it('merges set-based: followers and summaries move, duplicates collapse, the tag disappears, nobody is mailed, sent deliveries stay', async () => {
    const sent = await sentIssue(t.db, WEEK);
    const deliveriesBefore = await t.db.query(`select * from deliveries where issue_id = $1 order by subscriber_id`, [sent.id]);
    expect(deliveriesBefore.some((d) => (d.sections as string[]).includes('rust-lang'))).toBe(true);
    const noticesBefore = await t.db.query(`select count(*)::int as n from notices`);

    await expect(ed.tags.merge({ from: 'rust', into: 'Rust' })).rejects.toMatchObject({ kind: 'invalid' });
    const plan = await ed.tags.mergePlan({ from: 'Rust Lang', into: 'rust' });
    expect(plan).toMatchObject({ followersMoved: 1, followersKept: 1, summariesMoved: 1, summariesKept: 1 });
    expect((await tagTable(t)).some((x) => x.slug === 'rust-lang')).toBe(true); // the plan changed nothing

    const done = await ed.tags.merge({ from: 'Rust Lang', into: 'rust' });
    expect(done).toMatchObject({ from: { name: 'Rust Lang', slug: 'rust-lang' }, into: { slug: 'rust', followers: 2, summaries: 3 }, followersMoved: 1, followersKept: 1 });
    const table = await tagTable(t);
    expect(table.find((x) => x.slug === 'rust')).toEqual({ slug: 'rust', followers: ['both@tags.example', 'typo@tags.example'], summaries: ['Async traits', 'Borrowing', 'Lifetimes'] });
    expect(table.some((x) => x.slug === 'rust-lang')).toBe(false);
    // "Lifetimes" had Rust Lang first: its one Rust tag takes that first place.
    expect((await summariesForWeek(t.db, WEEK)).find((s) => s.title === 'Lifetimes')!.tags).toEqual(['Rust']);

    expect(await t.db.query(`select * from deliveries where issue_id = $1 order by subscriber_id`, [sent.id])).toEqual(deliveriesBefore);
    // The reader's web version of that sent issue still has the merged tag's summaries, under the tag it became.
    const r = await readerApp(t.db);
    try {
      const typo = await subscriberByEmail(t.db, 'typo@tags.example');
      const web = await r.app.inject({ url: links(r.config, typo!.id).web(sent.id) });
      expect(web.statusCode).toBe(200);
      expect(web.body).toContain('Async traits');
    } finally {
      await r.app.close();
    }
    expect(await t.db.query(`select count(*)::int as n from notices`)).toEqual(noticesBefore);
    await expect(ed.tags.merge({ from: 'rust-lang', into: 'rust' })).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('refuses to rename or merge a tag an issue is still sending (its frozen sections name it)', async () => {
    await addSummaries(t.db, LAST_WEEK, [{ title: 'Sending now', tags: ['AI'] }]);
    const issue = await plannedIssue(t.db, LAST_WEEK);
    await expect(ed.tags.rename({ tag: 'ai', name: 'ML' })).rejects.toMatchObject({ kind: 'conflict', details: { issues: [issue.id] } });
    await expect(ed.tags.merge({ from: 'ai', into: 'rust' })).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining(`issue ${issue.id} is sending it`) });
    // Describing and hiding do not change what it sends.
    expect((await ed.tags.hide({ tag: 'ai', hidden: true })).hidden).toBe(true);
    await t.db.query(`update deliveries set status = 'skipped' where issue_id = $1`, [issue.id]);
    expect((await ed.tags.rename({ tag: 'ai', name: 'ML' })).slug).toBe('ml');
  });
});

describe.sequential(`the tags API and admin pages on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  let r: ReaderApp;
  let b: Browser;
  let token: string;
  const api = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
    r.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    t = await createTestDb();
    await addSummaries(t.db, WEEK, [
      { title: 'Borrowing', tags: ['Rust'] },
      { title: 'Async', tags: ['Rust Lang'] },
      { title: 'Agents', tags: ['AI'] },
      { title: 'Iron', tags: ['Oxide'] },
    ]);
    await upsertSubscribers(t.db, [reader('a@tags.example', ['Rust Lang'])]);
    token = (await createApiToken(t.db, 'editor-script')).token;
    r = await readerApp(t.db, { env: { ADMIN_PASSWORD: PASSWORD } });
    b = new Browser(r.app, '198.51.100.77');
    expect((await b.submit('/admin/login', '/admin/login', { password: PASSWORD })).statusCode).toBe(303);
  });
  afterAll(async () => {
    await r?.app.close();
    await t?.drop();
  });

  it('API: lists, renames, describes, hides; a taken name is 409 naming the other tag; merges with a plan first', async () => {
    const list = await api('GET', '/tags');
    expect(list.statusCode).toBe(200);
    expect(list.json().tags.map((x: { slug: string }) => x.slug)).toEqual(['ai', 'oxide', 'rust', 'rust-lang']);

    const taken = await api('PUT', '/tags/rust-lang', { name: 'RUST' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: expect.stringContaining('taken'), other: { name: 'Rust', slug: 'rust' } });
    expect((await api('PUT', '/tags/rust-lang', {})).statusCode).toBe(400);
    expect((await api('PUT', '/tags/rust-lang', { hidden: 'yes' })).statusCode).toBe(400);
    expect((await api('PUT', '/tags/nope', { hidden: true })).statusCode).toBe(404);
    // Nothing changes when one of the changes is refused.
    expect((await api('PUT', '/tags/ai', { name: 'Artificial', description: 'x'.repeat(281) })).statusCode).toBe(400);
    expect((await api('PUT', '/tags/rust-lang', { name: 'rust', hidden: true })).statusCode).toBe(409);
    expect((await api('GET', '/tags/ai')).json().tag).toMatchObject({ name: 'AI', description: null });
    expect((await api('GET', '/tags/rust-lang')).json().tag).toMatchObject({ hidden: false });

    const changed = await api('PUT', '/tags/ai', { name: 'Machine Learning', description: 'Models.', hidden: true });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().tag).toMatchObject({ name: 'Machine Learning', slug: 'machine-learning', description: 'Models.', hidden: true, changedBy: 'api:editor-script' });

    const plan = await api('GET', '/tags/rust-lang/merge?into=rust');
    expect(plan.json()).toMatchObject({ followersMoved: 1, summariesMoved: 1, from: { slug: 'rust-lang' }, into: { slug: 'rust' } });
    expect((await api('GET', '/tags')).json().tags).toHaveLength(4);
    const merged = await api('POST', '/tags/rust-lang/merge', { into: 'rust' });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ from: { slug: 'rust-lang' }, into: { slug: 'rust', followers: 1, summaries: 2 } });
    expect((await api('POST', '/tags/rust-lang/merge', { into: 'rust' })).statusCode).toBe(404);
    // Put back for the admin test.
    await t.db.query(`update tags set name = 'AI', slug = 'ai', hidden_at = null, description = null where slug = 'machine-learning'`);
  });

  it('admin: the list, a tag’s page, rename and describe by form, a merge confirmed on a page before it happens', async () => {
    const list = await b.get('/admin/tags');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/admin/tags/rust"');
    expect(list.body).toMatch(/<a href="\/admin\/tags">Tags<\/a>|aria-current="page"[^>]*>Tags/);

    const page = await b.get('/admin/tags/ai');
    expect(page.statusCode).toBe(200);
    expect((await b.get('/admin/tags/nope')).statusCode).toBe(404);

    // Without the form's CSRF field nothing changes.
    expect((await b.post('/admin/tags/ai/rename', { name: 'Other' })).statusCode).toBe(403);
    const renamed = await b.submit('/admin/tags/ai', '/admin/tags/ai/rename', { name: 'Artificial Intelligence' });
    expect(renamed.statusCode).toBe(303);
    expect(renamed.headers.location).toBe('/admin/tags/artificial-intelligence?done=tag-renamed');
    const taken = await b.submit('/admin/tags/artificial-intelligence', '/admin/tags/artificial-intelligence/rename', { name: 'rust' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('tag &quot;Rust&quot; has the slug rust');
    expect((await b.submit('/admin/tags/rust', '/admin/tags/rust/describe', { description: 'Safe systems code.' })).statusCode).toBe(303);
    expect((await b.submit('/admin/tags/rust', '/admin/tags/rust/hide', { hidden: 'on' })).headers.location).toBe('/admin/tags/rust?done=tag-hidden');
    expect((await b.submit('/admin/tags/rust', '/admin/tags/rust/hide', { hidden: 'maybe' })).statusCode).toBe(400);
    const rust = await b.get('/admin/tags/rust?done=tag-hidden');
    expect(rust.body).toContain('Safe systems code.');
    expect(rust.body).toContain('Offer the tag');

    // The GET shows what would move and changes nothing.
    const confirm = await b.get('/admin/tags/oxide/merge?into=rust');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body.replace(/<!-- -->/g, '')).toContain('1 summary moves to “Rust”');
    expect(confirm.body).toContain('This cannot be undone.');
    expect((await t.db.query(`select 1 from tags where slug = 'oxide'`)).length).toBe(1);
    expect((await b.get('/admin/tags/oxide/merge?into=oxide')).statusCode).toBe(400);

    const merged = await b.submit('/admin/tags/oxide/merge?into=rust', '/admin/tags/oxide/merge', { into: 'rust' });
    expect(merged.statusCode).toBe(303);
    expect(merged.headers.location).toBe('/admin/tags/rust?done=tag-merged');
    expect((await t.db.query(`select 1 from tags where slug = 'oxide'`)).length).toBe(0);
  });
});

describe.sequential(`tagcast tags on ${process.env.TAGCAST_TEST_DB}`, () => {
  const setup = cliSetup('tags-cli', { LOG_LEVEL: 'warn' });
  let env: Record<string, string>;
  beforeAll(async () => {
    env = setup.env;
    const db = await setup.t.reopen();
    await addSummaries(db, WEEK, [
      { title: 'Borrowing', tags: ['Rust'] },
      { title: 'Async', tags: ['Rust Lang'] },
    ]);
    await upsertSubscribers(db, [reader('a@tags.example', ['Rust Lang'])]);
    await setup.t.release();
  });

  it('lists, shows, renames, describes, hides and merges; refusals are one line with their exit code', async () => {
    expect(await inProcess(['tags', 'list'], env)).toEqual({
      code: 0,
      stderr: '',
      stdout: `Rust\trust\t0 followers\t1 summary\tlast ${WEEK}\tshown\nRust Lang\trust-lang\t1 follower\t1 summary\tlast ${WEEK}\tshown\n2 tags\n`,
    });
    expect(await inProcess(['tags', 'rename', 'rust lang', 'RUST'], env)).toMatchObject({
      code: 1,
      stderr: 'tagcast: the name "RUST" is taken: tag "Rust" has the slug rust; merge "Rust Lang" into it instead\n',
    });
    expect(await inProcess(['tags', 'rename', 'nope', 'x'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('there is no tag "nope"') });
    expect((await inProcess(['tags', 'describe', 'Rust', 'Safe systems code.'], env)).stdout).toBe('Rust: Safe systems code.\n');
    expect((await inProcess(['tags', 'hide', 'rust-lang'], env)).stdout).toBe('Rust Lang is hidden from new readers (1 follower keeps it)\n');
    const shown = await inProcess(['tags', 'show', 'Rust Lang'], env);
    expect(shown.stdout).toContain('Rust Lang (rust-lang) · hidden from new readers\n  followers:   1 (1 active)');
    expect((await inProcess(['tags', 'unhide', 'rust-lang'], env)).stdout).toBe('Rust Lang is offered again\n');
    expect(await inProcess(['tags', 'merge', 'Rust Lang', 'rust'], env)).toEqual({
      code: 0,
      stderr: '',
      stdout: 'merged: 1 follower and 1 summary move from "Rust Lang" to "Rust" (0 followed both, 0 had both); "Rust Lang" is gone\n',
    });
    expect((await inProcess(['tags', 'list'], env)).stdout).toBe(`Rust\trust\t1 follower\t2 summaries\tlast ${WEEK}\tshown\n1 tag\n`);
    expect((await inProcess(['tags', 'merge', 'rust', 'rust'], env)).code).toBe(2);
  });
});
