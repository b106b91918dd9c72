// Content that spells the assembler's own syntax — fragment marks (old and new), layout placeholders,
// HTML comments, MJML template syntax, control characters — renders like any other text: no error, the
// assembled email equals a from-scratch render byte for byte, and the reader sees the text as written.
import { describe, expect, it } from 'vitest';
import { assembleDigest, indexIssue, type Digest, type DigestSummary } from '../../src/digest/assemble.ts';
import { MARKS, createEngine } from '../../src/render/engines.tsx';
import { createDigestRenderer, LayoutRenderError, type DigestRenderer } from '../../src/render/index.ts';
import { layoutMjml } from '../../src/render/mjml.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { DEFAULT_PUBLICATION } from '../../src/render/publication.ts';
import { visibleText } from '../support/html.ts';

const links = (id: number) => readerLinks({ secret: 's'.repeat(32), publicUrl: 'https://news.example.test', mailDomain: 'example.test', subscriberId: id, issueId: 7 });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const PLACEHOLDER_KEYS = ['subject', 'preheader', 'issueName', 'summaryLine', 'webUrl', 'preferencesUrl', 'unsubscribeUrl', 'densityUrl', 'tagList', 'count', 'href', 'unfollow', 'webAnchor', 'total'];

/** Raw, and as it looks once escaped (an editor can paste either). */
const HOSTILE: string[] = [
  'tc0mark0x',
  '<!--tc0mark0x-->',
  '<mj-raw><!--tc0mark0x--></mj-raw>',
  ...Object.values(MARKS).flatMap((m) => [m, escapeHtml(m), `<mj-raw>${m}</mj-raw>`]),
  '<tc-mark>',
  '</tc-mark>',
  ...PLACEHOLDER_KEYS.map((k) => `tc0ph0${k}0x`),
  // Shells and cards take the reader's links at attribute values that are exactly a placeholder.
  '"tc0ph0unfollow0x"',
  '"tc0ph0webAnchor0x"',
  '<!--',
  '-->',
  escapeHtml('<!--'),
  '\u0001',
  'a\u0001b',
  '{{subject}}',
  '{{{sections}}}',
  '{{> preheader}}',
  '<![endif]-->\n<!--[if mso | IE]>',
];
const ALL = HOSTILE.join(' ');

const fold = (s: string) => s.replace(/\s+/g, ' ').trim();
const decode = (s: string) => visibleText(`<p>${s}</p>`);

/**
 * Every field of a summary carries `h`; the reader follows two tags named with it, so `h` is in both
 * section headings, in an "also in" line, in a linked title and in a plain one, and in the subject.
 */
function hostileIssue(h: string, subject: string | null = `Subject ${h}`): { digest: Digest; first: DigestSummary } {
  const [a, b] = [`Alpha ${h}`, `Beta ${h}`];
  const base = { timeSavedMinutes: 12, casePoints: [] as string[] };
  const first: DigestSummary = {
    ...base,
    id: 1,
    title: `Title ${h} one`,
    signal: `Signal ${h}`,
    casePoints: [h, `Point ${h}`],
    take: `Take ${h}`,
    sourceUrl: `https://example.org/talk?q=${h}`,
    tags: [a, b],
  };
  const summaries: DigestSummary[] = [
    first,
    { ...base, id: 2, title: `Title ${h} two`, signal: h, casePoints: [`${h}`], take: h, sourceUrl: null, tags: [b] },
    { ...base, id: 3, title: `Title ${h} three`, signal: 's', casePoints: ['c'], take: 't', sourceUrl: null, tags: [a] },
  ];
  const digest = assembleDigest(indexIssue('2026-W48', summaries, subject), [a, b])!;
  return { digest, first };
}

async function fromScratch(engine: 'react' | 'mjml', d: Digest, id: number): Promise<string> {
  const reference = createEngine(engine);
  return reference.finish(await reference.renderFull(d, links(id)));
}

describe.each(['react', 'mjml'] as const)('%s engine with hostile content', (engine) => {
  it.each([...HOSTILE.map((h) => [JSON.stringify(h), h]), ['every hostile string at once', ALL]])('renders %s as text, byte-identical to a from-scratch render', async (_, h) => {
    const { digest, first } = hostileIssue(h);
    // The setup really puts `h` where it must be tested: two sections and an "also in" line.
    expect(digest.sections.map((s) => s.tag)).toEqual([`Alpha ${h}`, `Beta ${h}`]);
    expect(digest.sections[0]!.items[0]!.alsoIn).toEqual([`Beta ${h}`]);
    const renderer = createDigestRenderer(engine);
    const out = await renderer.render(digest, links(1), { json: true });
    expect(out.html).toBe(await fromScratch(engine, digest, 1));
    // A sender's JSON of the HTML, joined from pieces escaped apart, is the whole HTML's.
    if (out.htmlJson) expect(Buffer.concat(out.htmlJson).toString()).toBe(JSON.stringify(out.html));
    expect(Buffer.concat(out.textJson!).toString()).toBe(JSON.stringify(out.text));
    expect(out.html).not.toMatch(/[^\x00-\xff]/);
    // No mark, raw, survives into an email.
    for (const m of Object.values(MARKS)) expect(out.html).not.toContain(m);
    const text = visibleText(out.html);
    for (const shown of [first.title, first.signal, ...first.casePoints, first.take, `Alpha ${h}`, `Beta ${h}`, `also in: Beta ${h}`, 'Title', 'two', 'three']) {
      expect(text).toContain(fold(shown));
    }
    expect(out.html).toContain(`href="${renderer.engine.escape(first.sourceUrl!)}"`);
    expect(decode(/<title>([\s\S]*?)<\/title>/.exec(out.html)![1]!)).toBe(fold(`Subject ${h}`));
    expect(out.subject).toBe(`Subject ${h}`);
  });

  it('renders every hostile string at once in the brief digest, byte-identical to a from-scratch render', async () => {
    const { digest } = hostileIssue(ALL);
    const brief: Digest = { ...digest, density: 'brief' };
    const out = await createDigestRenderer(engine).render(brief, links(4));
    expect(out.html).toBe(await fromScratch(engine, brief, 4));
    expect(visibleText(out.html)).toContain(fold(`Title ${ALL} two`));
  });

  it('renders every hostile string at once under the size budget, with "N more on the web", equal to a from-scratch render', async () => {
    const { digest } = hostileIssue(ALL);
    const renderer = createDigestRenderer(engine, { budget: 1 });
    const out = await renderer.render(digest, links(2), { json: true });
    expect(out.cut).toBeGreaterThan(0);
    if (out.htmlJson) expect(Buffer.concat(out.htmlJson).toString()).toBe(JSON.stringify(out.html));
    expect(Buffer.concat(out.textJson!).toString()).toBe(JSON.stringify(out.text));
    expect(out.html).toMatch(/\d+ more on the web &#8594;/);
    expect(out.html).toBe(await fromScratch(engine, out.shown, 2));
  });

  it('renders a blank editor subject (white space only) equal to a from-scratch render', async () => {
    for (const subject of ['', ' ', ' \n ', '\u00a0\u2028']) {
      const { digest } = hostileIssue('x', subject);
      const out = await createDigestRenderer(engine).render(digest, links(3));
      expect(out.html, JSON.stringify(subject)).toBe(await fromScratch(engine, digest, 3));
    }
  });

  it('keeps two "also in" lists apart whatever their tag names hold', async () => {
    // One summary under four tags; reader 1 sees it with "also in: A, B", reader 2 with "also in: A\u0001B".
    // Joined with \u0001, the two lists were one cache key, and reader 2 got reader 1's card.
    const s = (id: number, tags: string[]): DigestSummary => ({ id, title: `S${id}`, signal: 's', casePoints: ['c'], take: 't', timeSavedMinutes: null, sourceUrl: null, tags });
    const content = indexIssue('2026-W48', [s(1, ['Z', 'A', 'B', 'A\u0001B']), s(2, ['Z']), s(3, ['Z']), s(4, ['A']), s(5, ['B']), s(6, ['A\u0001B'])]);
    const one = assembleDigest(content, ['Z', 'A', 'B'])!;
    const two = assembleDigest(content, ['Z', 'A\u0001B'])!;
    expect(one.sections[0]!.items[0]!.alsoIn).toEqual(['A', 'B']);
    expect(two.sections[0]!.items[0]!.alsoIn).toEqual(['A\u0001B']);
    const renderer: DigestRenderer = createDigestRenderer(engine);
    await renderer.prepare([one, two]);
    for (const [n, d] of [one, two].entries()) expect((await renderer.render(d, links(n))).html).toBe(await fromScratch(engine, d, n));
  });
});

describe('MJML templates', () => {
  it('never read a filled value as template syntax, in a partial or not', () => {
    // issueName is filled inside the digest-header partial, subject in the main template.
    const v = { subject: '{{webUrl}}', preheader: 'p', issueName: '{{subject}} {{> preheader}}', summaryLine: '{{{sections}}}', webUrl: 'https://w.test/', preferencesUrl: 'https://p.test/', unsubscribeUrl: 'https://u.test/', densityUrl: 'https://d.test/', tagList: '{{tagList}}' };
    const mjml = layoutMjml(v, '<mj-section><mj-column><mj-text>{{subject}}</mj-text></mj-column></mj-section>', DEFAULT_PUBLICATION);
    expect(mjml).toContain('<mj-title>{{webUrl}}</mj-title>');
    expect(mjml).toContain('tagcast weekly · {{subject}} {{&gt; preheader}} ·');
    expect(mjml).toContain('>{{{sections}}}</mj-text>');
    expect(mjml).toContain('<mj-text>{{subject}}</mj-text>'); // raw sections are inserted as given, not filled
  });
});

describe.each(['react', 'mjml'] as const)('a %s layout that fails to render', (engine) => {
  it('says it is the layout (no reader is to blame) and is rendered again by the next reader', async () => {
    const { digest } = hostileIssue('x');
    const renderer = createDigestRenderer(engine);
    const real = renderer.engine.renderLayout;
    let calls = 0;
    // The engine fails once, as it would on a full disk or a passing allocation failure.
    renderer.engine.renderLayout = async (v, density) => (calls++ === 0 ? Promise.reject(new Error('EMFILE: too many open files')) : real(v, density));
    const failed = await renderer.render(digest, links(1)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(LayoutRenderError);
    expect((failed as Error).message).toBe('the layout cannot be rendered: EMFILE: too many open files');
    // The rejection was not cached: the next render renders the layout again, and right.
    expect((await renderer.render(digest, links(1))).html).toBe(await fromScratch(engine, digest, 1));
    expect(calls).toBe(2);
  });
});
