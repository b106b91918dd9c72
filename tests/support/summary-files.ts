// Summary files for parser tests, built line by line so a test can name the line of a problem.

export type SignalPart = 'tag' | 'title' | 'signal' | 'case' | 'take' | 'time' | 'tags';

/** A small valid Signal file; lines: 1 Tag, 2 title, 3-4 Signal, 5-7 Case, 8-9 Take, 10 Time saved, 11-12 Tags. */
export function signalLines(over: Partial<Record<SignalPart, string[]>> = {}): string[] {
  return [
    ...(over.tag ?? ['Tag: Rust']),
    ...(over.title ?? ['A title']),
    ...(over.signal ?? ['The Signal', 'The signal paragraph.']),
    ...(over.case ?? ['The Case', '- first point', '- second point']),
    ...(over.take ?? ['The 1 Minute Signal Take', 'The take.']),
    ...(over.time ?? ['Time saved: 12 min']),
    ...(over.tags ?? ['Tags', 'Tag: Rust']),
  ];
}
