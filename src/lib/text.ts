// Checks on one line of text an editor or reader typed (a subject, a name, a token's name). Pure.

// C0, DEL, C1 and the Unicode line and paragraph separators: the same set config.ts refuses.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** The first control character in `text` as "U+000D", or null when there is none. */
export function controlCharacter(text: string): string | null {
  const c = CONTROL.exec(text)?.[0];
  return c === undefined ? null : `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
