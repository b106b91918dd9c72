// A page rendered once per variant and filled per request (src/web/page-template.ts) is byte for byte
// the page React renders with those values, whatever they hold (markup characters, quotes, ampersands),
// for each variant.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { pageTemplate } from '../../src/web/page-template.ts';
import { renderPage } from '../../src/web/views/layout.tsx';
import { UnsubscribedPage } from '../../src/web/views/reader.tsx';

type Values = { undo: string; preferences: string; csrf: string };
const direct = (v: Values, o: { changed: boolean; undo: boolean }) =>
  renderPage(createElement(UnsubscribedPage, { undoAction: o.undo ? v.undo : null, preferencesLinkAction: v.preferences, csrf: v.csrf, archive: true, changed: o.changed }));

describe('pageTemplate', () => {
  const page = pageTemplate(['undo', 'preferences', 'csrf'], (slot, o: { changed: boolean; undo: boolean }) =>
    renderPage(createElement(UnsubscribedPage, { undoAction: o.undo ? slot.undo : null, preferencesLinkAction: slot.preferences, csrf: slot.csrf, archive: true, changed: o.changed })),
  );

  it('fills each variant exactly as rendering it with the values would, escaping what React escapes', () => {
    const values: Values[] = [
      { undo: '/unsubscribe/undo?t=abc.DEF_-1', preferences: '/unsubscribe/preferences-link?t=x', csrf: 'tok-1' },
      { undo: `/u?a=1&b="2"&c='3'<script>`, preferences: `/p?x=<b>&amp;'"`, csrf: `"><img src=x onerror=1>&` },
    ];
    for (const v of values) {
      for (const changed of [true, false]) {
        for (const undo of [true, false]) expect(page({ changed, undo }, v)).toBe(direct(v, { changed, undo }));
      }
    }
  });
});
