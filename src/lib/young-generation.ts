// V8's young generation, sized by tagcast rather than by a flag the operator must choose. Its semi-space
// maximum counts only on node's command line, but its growth factor can be set at any time: a factor
// of 1 holds the young generation at its first 1 MB semi-space, 2 (V8's default) lets it double up to
// 16 MB. Node resets V8's flags when it starts a worker thread (tsx's loader starts one), so a worker
// sets the factor again when it starts sending. docs/decisions.md, "The program sizes the young generation".
import v8 from 'node:v8';

/** Whether node's command line or NODE_OPTIONS names a young-generation flag: then it is the operator's. */
export function youngGenerationChosen(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return /(^|\s)--(max|min)[-_]semi[-_]space[-_]size\b|(^|\s)--semi[-_]space[-_]growth[-_]factor\b/.test(` ${execArgv.join(' ')} ${nodeOptions ?? ''}`);
}

/** 'program' once bin/tagcast.js took the young generation over; 'operator' or 'untouched' otherwise (tests, benchmarks). */
let owner: 'program' | 'operator' | 'untouched' = 'untouched';

/** A process that runs workers starts small, before its modules load (bin/tagcast.js). */
export function startYoungGenerationSmall(chosenByOperator: boolean): void {
  owner = chosenByOperator ? 'operator' : 'program';
  sizeYoungGeneration(true);
}

/** Small (held at 1 MB) at a low provider rate, V8's own growth above it; only when tagcast owns it. */
export function sizeYoungGeneration(small: boolean): void {
  if (owner === 'program') v8.setFlagsFromString(`--semi-space-growth-factor=${small ? 1 : 2}`);
}
