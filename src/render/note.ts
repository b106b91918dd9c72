// The editor's note: a small Markdown subset rendered to escaped HTML and to plain text. Everything is
// escaped first; only these become markup: paragraphs (blank lines), "- " lists, **bold**, *emphasis*,
// `code` and [text](https://… or http://…) links. Anything else shows as the characters typed.
import type { IssueNote } from './publication.ts';
import { escapeHtml } from './mjml.ts';

/** Longest note (characters): a few paragraphs above the digest, not an article (migration 013 checks it too). */
export const NOTE_MAX = 10_000;

function inline(text: string, linkStyle: string): string {
  let out = escapeHtml(text);
  // Links first, from escaped text: the URL cannot hold a quote or angle bracket any more.
  out = out.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, (_, label: string, url: string) => `<a href="${url}" style="${linkStyle}">${label}</a>`);
  out = out.replace(/`([^`\n]+)`/g, '<code>$1</code>');
  out = out.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
  out = out.replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, '$1<em>$2</em>');
  return out;
}

const plain = (text: string) => text.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '$1 ($2)').replace(/\*\*([^*\n]+)\*\*/g, '$1').replace(/`([^`\n]+)`/g, '$1');

/** The note as HTML and text; null for no note (empty or only white space). */
export function renderNote(markdown: string | null | undefined, accent: string): IssueNote | null {
  const source = (markdown ?? '').replace(/\r\n?/g, '\n').trim();
  if (source === '') return null;
  const linkStyle = `color:${accent};text-decoration:underline`;
  const blocks = source.split(/\n\s*\n/);
  const html: string[] = [];
  const text: string[] = [];
  for (const block of blocks) {
    const lines = block.split('\n').map((l) => l.trim());
    if (lines.every((l) => /^[-*] /.test(l))) {
      const items = lines.map((l) => l.slice(2).trim());
      html.push(`<ul style="margin:0 0 12px;padding-left:20px">${items.map((i) => `<li>${inline(i, linkStyle)}</li>`).join('')}</ul>`);
      text.push(items.map((i) => `- ${plain(i)}`).join('\n'));
    } else {
      html.push(`<p style="margin:0 0 12px">${lines.map((l) => inline(l, linkStyle)).join('<br/>')}</p>`);
      text.push(lines.map(plain).join('\n'));
    }
  }
  return { html: html.join(''), text: text.join('\n\n') };
}
