import { theme } from './theme.ts';

/**
 * The inbox preview text, hidden in the body. Our own rather than React Email's <Preview>, whose
 * padding depends on the text's length: a fixed pad keeps the layout the same bytes for every reader,
 * which lets the layout be rendered once per issue.
 */
export function Preheader({ text }: { text: string }) {
  return (
    <div style={{ display: 'none', overflow: 'hidden', lineHeight: '1px', opacity: 0, maxHeight: 0, maxWidth: 0, color: theme.page }}>
      {text}
      {'\u00a0\u200c'.repeat(40)}
    </div>
  );
}
