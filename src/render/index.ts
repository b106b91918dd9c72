// One interface over the template engines: a digest model plus a reader's links in, HTML and text out.
// The engines load on first use: commands that never render (import, list, status) start faster.
import type { Engine } from '../config.ts';
import type { Digest } from '../digest/assemble.ts';
import type { ReaderLinks } from '../subscriptions/tokens.ts';
import { renderText } from './text.ts';

export interface RenderedDigest {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

let react: Promise<(d: Digest, l: ReaderLinks) => Promise<string>> | undefined;
let mjml: Promise<(d: Digest, l: ReaderLinks) => Promise<string>> | undefined;

function engineFor(engine: Engine) {
  if (engine === 'mjml') return (mjml ??= import('./mjml.ts').then((m) => m.renderMjmlDigest));
  return (react ??= Promise.all([import('react'), import('react-email'), import('../../emails/weekly-digest.tsx')]).then(
    ([{ createElement }, { render }, { default: WeeklyDigest }]) =>
      (digest: Digest, links: ReaderLinks) => render(createElement(WeeklyDigest, { digest, links })),
  ));
}

export async function renderDigest(engine: Engine, digest: Digest, links: ReaderLinks): Promise<RenderedDigest> {
  const html = await (await engineFor(engine))(digest, links);
  return { subject: digest.subject, preheader: digest.preheader, html, text: renderText(digest, links) };
}
