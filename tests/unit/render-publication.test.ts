// The publication's identity and the editor's note in both engines: shown in HTML and text, assembled
// bytes equal to a from-scratch render, strict MJML, content escaped, and a placeholder-shaped value
// shown as itself (the identity is written into the layout, which is searched for placeholders).
import mjml2html from 'mjml';
import { describe, expect, it } from 'vitest';
import { assembleDigest, indexIssue } from '../../src/digest/assemble.ts';
import { issueName } from '../../src/digest/week.ts';
import { createEngine } from '../../src/render/engines.tsx';
import { createDigestRenderer } from '../../src/render/index.ts';
import { digestMjml, MJML_OPTIONS } from '../../src/render/mjml.ts';
import { renderNote } from '../../src/render/note.ts';
import { publicationKey, DEFAULT_PUBLICATION, type Publication } from '../../src/render/publication.ts';
import { readerLinks } from '../../src/lib/reader-links.ts';
import { corpusWeek, tagSets } from '../support/corpus.ts';
import { visibleText } from '../support/html.ts';

const content = indexIssue('2026-W48', corpusWeek('2026-W48'));
const links = (id: number) => readerLinks({ secret: 's'.repeat(32), publicUrl: 'https://news.example.test', mailDomain: 'example.test', subscriberId: id, issueId: 7 });
const digest = assembleDigest(content, tagSets(1)[0]!)!;

const pub: Publication = {
  name: 'The Gardener <Weekly>',
  tagline: 'Soil & signal',
  logoUrl: 'https://cdn.example.test/logo.png?a=1&b=2',
  accent: '#8a2be2',
  footer: 'Written in Leeds by two people & a cat.',
  postalAddress: '1 Allotment Row\nLeeds LS1 1AA',
  senderName: 'The Gardener',
  replyTo: 'editor@example.test',
  note: renderNote('Hello **readers**, <script>x</script>\n\n- see [the plot](https://example.test/plot)\n- `tc0ph0subject0x` stays', '#8a2be2'),
};

describe.each(['react', 'mjml'] as const)('%s engine with an identity and a note', (engine) => {
  it('shows the name, logo, accent, tagline, footer, postal address and note; escaped; equal to a from-scratch render', async () => {
    const renderer = createDigestRenderer(engine, { publication: pub });
    const out = await renderer.render(digest, links(1));
    const reference = createEngine(engine, renderer.engine.publication);
    expect(out.html).toBe(reference.finish(await reference.renderFull(digest, links(1))));
    const text = visibleText(out.html);
    // The header names the issue by its one name, in both engines.
    expect(text).toContain(`The Gardener <Weekly> · ${issueName(digest.week)} · view in your browser`);
    expect(text).toContain('Soil & signal');
    expect(text).toContain('Written in Leeds by two people & a cat.');
    expect(text).toContain('1 Allotment Row');
    expect(text).toContain('Leeds LS1 1AA');
    expect(text).toMatch(/follow [^.]+ and Frontend on The Gardener <Weekly>\./);
    expect(out.html).toContain('src="https://cdn.example.test/logo.png?a=1&amp;b=2"');
    expect(out.html).toContain('color:#8a2be2');
    expect(out.html).not.toContain('#0b6bcb');
    // The note: Markdown's bold and link, the script tag as text, the placeholder as itself.
    expect(out.html).toContain('<strong>readers</strong>');
    expect(out.html).toContain('href="https://example.test/plot"');
    expect(out.html).not.toContain('<script>');
    expect(text).toContain('<script>x</script>');
    expect(text).toMatch(/tc0ph.?0subject0x stays/);
    expect(text).not.toContain(digest.subject + ' stays');
    // The note comes before the first section.
    expect(text.indexOf('Hello readers')).toBeLessThan(text.indexOf(digest.sections[0]!.tag));
    // The text part too.
    expect(out.text.split('\n')[0]).toBe(`The Gardener <Weekly> · ${digest.issueName}`);
    expect(out.text).toContain('Hello readers, <script>x</script>');
    expect(out.text).toContain('- see the plot (https://example.test/plot)');
    expect(out.text).toContain('1 Allotment Row\nLeeds LS1 1AA');
    expect(out.text.indexOf('Hello readers')).toBeLessThan(out.text.indexOf(`== ${digest.sections[0]!.tag.toUpperCase()} ==`));
  });

  it('defaults: "tagcast weekly", no note, no address', async () => {
    const out = await createDigestRenderer(engine).render(digest, links(1));
    expect(visibleText(out.html)).toContain('tagcast weekly · ');
    expect(out.text).not.toContain('---\n\n---');
  });
});

describe('identity in MJML and the cache key', () => {
  it('compiles with strict validation when every identity field is set', async () => {
    const out = await mjml2html(digestMjml(digest, links(1), (slug) => `${links(1).web}#tag-${slug}`, pub), MJML_OPTIONS);
    expect(out.errors).toEqual([]);
  });

  it('the key changes with every field and with the note', () => {
    const base = publicationKey(pub);
    for (const change of [{ name: 'x' }, { tagline: 'x' }, { logoUrl: null }, { accent: '#000000' }, { footer: '' }, { postalAddress: 'y' }, { senderName: 'z' }, { replyTo: null }, { note: null }]) {
      expect(publicationKey({ ...pub, ...change })).not.toBe(base);
    }
    expect(publicationKey(DEFAULT_PUBLICATION)).toBe(publicationKey({ ...DEFAULT_PUBLICATION }));
  });
});
