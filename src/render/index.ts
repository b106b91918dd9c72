// One interface over the template engines: a digest model plus a reader's links in, HTML and text out.
import { createElement } from 'react';
import { render } from 'react-email';
import type { Engine } from '../config.ts';
import type { Digest } from '../digest/assemble.ts';
import type { ReaderLinks } from '../subscriptions/tokens.ts';
import WeeklyDigest from '../../emails/weekly-digest.tsx';
import { renderMjmlDigest } from './mjml.ts';
import { renderText } from './text.ts';

export interface RenderedDigest {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export async function renderDigest(engine: Engine, digest: Digest, links: ReaderLinks): Promise<RenderedDigest> {
  const html = engine === 'mjml' ? await renderMjmlDigest(digest, links) : await render(createElement(WeeklyDigest, { digest, links }));
  return { subject: digest.subject, preheader: digest.preheader, html, text: renderText(digest, links) };
}
