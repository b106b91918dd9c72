// A notice's email says the same in its HTML and its text part: a reader whose mail client shows the
// text part reads what the HTML says, sentence for sentence, with the link where the button is.
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../src/db/notices.ts';
import { composeNotice } from '../../src/subscriptions/notices.ts';

const ctx = { secret: 'notice-test-secret-0123456789abcdef', publicUrl: 'https://news.example.test', mailFrom: 'tagcast <digest@news.example.test>' };
const notice: Notice = {
  id: 7,
  subscriberId: 3,
  kind: 'confirm',
  payload: { tags: ['rust', 'ai'] },
  createdAt: new Date('2026-12-07T08:00:00Z'),
  sentAt: null,
  usedAt: null,
  error: null,
  email: 'ada@example.com',
  name: null,
  status: 'pending',
  suppressed: false,
};

/** The words a person reads in an HTML email: tags gone, entities decoded, white space collapsed. */
function readable(html: string): string {
  const body = html.slice(html.indexOf('<body'));
  return body
    .replace(/<div[^>]*display:none[^>]*>.*?<\/div>/s, ' ') // the preheader, which clients show only in the inbox list
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&[a-z#0-9]+;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the confirmation email', () => {
  it('says the same in its HTML and text parts: every line of the text is in the HTML, in order', async () => {
    const email = await composeNotice(ctx, notice, ['Rust', 'AI']);
    const html = readable(email.html);
    const lines = email.text.split('\n').filter((l) => l.trim() !== '');
    let at = 0;
    for (const line of lines) {
      // The button's link is the button in HTML: its label is what must match.
      const words = line.replace(/: https:\/\/\S+$/, '');
      const found = html.indexOf(words, at);
      expect(found, `the HTML part lacks, or has out of order: "${words}"\n${html}`).toBeGreaterThanOrEqual(0);
      at = found + words.length;
    }
    expect(email.html).toContain(`href="https://news.example.test/confirm?t=`);
    expect(email.text).toMatch(/^Confirm my subscription: https:\/\/news\.example\.test\/confirm\?t=\S+$/m);
    expect(html).toContain('The link works for 3 days.');
  });
});
