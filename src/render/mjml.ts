// The MJML engine: the same digest model and visible content as the React template.
import mjml2html from 'mjml';
import { formatMinutes, type Digest } from '../digest/assemble.ts';
import type { ReaderLinks } from '../subscriptions/tokens.ts';
import { theme } from '../../emails/_components/theme.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const label = (s: string) =>
  `<mj-text padding="0 0 4px" font-size="12px" font-weight="700" text-transform="uppercase" color="${theme.muted}">${s}</mj-text>`;
const para = (s: string) => `<mj-text padding="0 0 8px" font-size="15px" line-height="22px" color="${theme.text}">${escapeHtml(s)}</mj-text>`;

export function digestMjml(digest: Digest, links: ReaderLinks): string {
  const e = escapeHtml;
  const sections = digest.sections
    .map((section) => {
      const items = section.items
        .map(({ summary, alsoIn }) => {
          const title = summary.sourceUrl
            ? `<a href="${e(summary.sourceUrl)}" style="color:${theme.text};text-decoration:underline">${e(summary.title)}</a>`
            : e(summary.title);
          const meta = [
            summary.timeSavedMinutes ? `Time saved: ${formatMinutes(summary.timeSavedMinutes)}` : '',
            alsoIn.length > 0 ? `also in: ${alsoIn.join(', ')}` : '',
          ].filter(Boolean);
          return [
            `<mj-text padding="0 0 6px" font-size="16px" line-height="22px" font-weight="700" color="${theme.text}"><h3 style="margin:0;font-size:16px">${title}</h3></mj-text>`,
            label('The Signal'),
            para(summary.signal),
            label('The Case'),
            `<mj-text padding="0 0 8px" font-size="15px" line-height="22px" color="${theme.text}"><ul style="margin:0;padding-left:20px">${summary.casePoints
              .map((p) => `<li style="margin-bottom:4px">${e(p)}</li>`)
              .join('')}</ul></mj-text>`,
            label('The 1 Minute Signal Take'),
            para(summary.take),
            meta.length > 0 ? `<mj-text padding="0" font-size="13px" color="${theme.muted}">${e(meta.join(' · '))}</mj-text>` : '',
            `<mj-divider padding="16px 0 0" border-width="1px" border-color="${theme.rule}" />`,
          ].join('\n');
        })
        .join('\n');
      return `<mj-section background-color="${theme.card}" padding="8px 24px 0"><mj-column>
<mj-text padding="16px 0 8px" font-size="18px" line-height="24px" color="${theme.accent}"><h2 id="tag-${e(section.slug)}" style="margin:0;font-size:18px">${e(section.tag)}</h2></mj-text>
${items}
</mj-column></mj-section>`;
    })
    .join('\n');
  const count = `${digest.summaryCount} ${digest.summaryCount === 1 ? 'summary' : 'summaries'}`;
  const saved = digest.totalMinutes > 0 ? ` · saves you ${formatMinutes(digest.totalMinutes)} of watching and reading` : '';
  return `<mjml lang="en" dir="ltr">
<mj-head>
  <mj-title>${e(digest.subject)}</mj-title>
  <mj-preview>${e(digest.preheader)}</mj-preview>
  <mj-attributes><mj-all font-family="${e(theme.font)}" /></mj-attributes>
  <mj-raw><meta name="color-scheme" content="light dark" /><meta name="supported-color-schemes" content="light dark" /></mj-raw>
</mj-head>
<mj-body background-color="${theme.page}" width="${theme.width}px">
  <mj-section background-color="${theme.card}" padding="24px 24px 8px"><mj-column>
    <mj-text padding="0" font-size="12px" color="${theme.muted}">tagcast weekly · ${e(digest.weekLabel)} · <a href="${e(links.web)}" style="color:${theme.accent}">view in browser</a></mj-text>
    <mj-text padding="8px 0 4px" font-size="24px" line-height="30px" color="${theme.text}"><h1 style="margin:0;font-size:24px">Your tags this week</h1></mj-text>
    <mj-text padding="0" font-size="14px" color="${theme.muted}">${e(count + saved)}</mj-text>
  </mj-column></mj-section>
${sections}
  <mj-section background-color="${theme.card}" padding="16px 24px 24px"><mj-column>
    <mj-text padding="0" font-size="12px" line-height="18px" color="${theme.muted}">You get this digest because you follow these tags on tagcast. <a href="${e(links.preferences)}" style="color:${theme.accent}">Choose your tags</a> · <a href="${e(links.web)}" style="color:${theme.accent}">Web version</a> · <a href="${e(links.unsubscribe)}" style="color:${theme.accent}">Unsubscribe</a></mj-text>
  </mj-column></mj-section>
</mj-body>
</mjml>`;
}

export async function renderMjmlDigest(digest: Digest, links: ReaderLinks): Promise<string> {
  const out = await mjml2html(digestMjml(digest, links), { validationLevel: 'strict', minify: false });
  if (out.errors.length > 0) throw new Error(`MJML: ${out.errors.map((x) => x.formattedMessage).join('; ')}`);
  return out.html;
}
