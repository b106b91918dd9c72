import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubscribers, upsertSubscribers } from '../../src/db/subscribers.ts';
import { exportSubscribersCsv, importSubscribersCsv, validateSubscriber } from '../../src/subscriptions/subscribers.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

describe.sequential(`subscribers on ${process.env.TAGCAST_TEST_DB}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('normalises addresses and merges the tags of a repeated address', async () => {
    const a = validateSubscriber({ email: '  Ada@Example.COM ', tags: 'Rust, Databases', name: 'Ada' }, 'test');
    const b = validateSubscriber({ email: 'ada@example.com', tags: ['databases', 'AI'], timeZone: 'Europe/London' }, 'test');
    if ('errors' in a || 'errors' in b) throw new Error('valid input rejected');
    expect(await upsertSubscribers(t.db, [a])).toEqual({ created: 1, updated: 0, erased: 0 });
    expect(await upsertSubscribers(t.db, [b])).toEqual({ created: 0, updated: 1, erased: 0 });
    const [row] = (await listSubscribers(t.db)).filter((r) => r.email === 'ada@example.com');
    expect(row).toMatchObject({ name: 'Ada', timeZone: 'Europe/London', status: 'active' });
    expect(row!.tags).toEqual(['AI', 'Databases', 'Rust']);
  });

  it('never re-subscribes an unsubscribed reader through an import', async () => {
    await t.db.query(`update subscribers set status = 'unsubscribed' where email = 'ada@example.com'`);
    const r = await importSubscribersCsv(t.db, 'email,tags\nada@example.com,Security\n', 'x.csv', { createTags: true });
    expect(r).toMatchObject({ created: 0, updated: 1, errors: [] });
    const [row] = (await listSubscribers(t.db)).filter((x) => x.email === 'ada@example.com');
    expect(row!.status).toBe('unsubscribed');
  });

  it('reports bad CSV rows by line and keeps the good ones', async () => {
    const csv = [
      'Email,Name,Tags,Time_Zone',
      'grace@example.com,Grace,"AI,Careers",America/New_York',
      'not-an-address,Bad,AI,',
      '"linus@example.com","Linus ""the"" penguin","Kubernetes;Rust",Mars/Olympus',
      '"ken@example.com","Ken',
      'Thompson",Rust,Asia/Tokyo',
      'GRACE@example.com,,Databases,',
      'x@example.com,a,b,c,d',
    ].join('\r\n');
    const r = await importSubscribersCsv(t.db, csv, 'people.csv', { createTags: true });
    expect(r.errors).toEqual([
      { line: 3, problem: '"not-an-address" is not an email address' },
      { line: 4, problem: '"Mars/Olympus" is not a time zone (expected e.g. Europe/Berlin)' },
      { line: 8, problem: '5 fields, but the header has 4' },
    ]);
    expect(r.created).toBe(2);
    const rows = await listSubscribers(t.db);
    expect(rows.find((x) => x.email === 'grace@example.com')!.tags).toEqual(['AI', 'Careers', 'Databases']);
    expect(rows.find((x) => x.email === 'ken@example.com')!.name).toBe('Ken Thompson'); // white space folded
  });

  it('round-trips export → import into an empty database', async () => {
    const csv = await exportSubscribersCsv(t.db);
    const before = await listSubscribers(t.db);
    const other = await createTestDb();
    try {
      const r = await importSubscribersCsv(other.db, csv, 'export.csv', { createTags: true });
      expect(r.errors).toEqual([]);
      const after = await listSubscribers(other.db);
      const shape = (rows: typeof before) => rows.map((x) => ({ email: x.email, name: x.name, status: x.status, timeZone: x.timeZone, tags: x.tags }));
      expect(shape(after)).toEqual(shape(before));
    } finally {
      await other.drop();
    }
  });
});
