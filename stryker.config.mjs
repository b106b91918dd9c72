// @ts-check
// `npm run mutate`: mutation testing of the pure modules against the unit tests that cover them
// (vitest.mutate.config.ts). Not part of `npm test`. Every surviving mutant is either killed by a
// test or listed, with why, in docs/mutation.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: [
    'src/digest/*.ts',
    'src/render/cache.ts',
    'src/lib/reader-links.ts',
    'src/time.ts',
    'src/progress.ts',
    'src/content/summary.ts',
    'src/lib/tags.ts',
    'src/lib/text.ts',
    'src/content/signal.ts',
    'src/content/markdown.ts',
    'src/config.ts',
  ],
  coverageAnalysis: 'perTest',
  // A mutant in module-level code (a schema, a table, a regular expression built at import) can only
  // be tested by importing every related test file again: each would cost a whole run, two thirds of
  // the time in all. They are left out of the score; docs/mutation.md says how many.
  ignoreStatic: true,
  // The machine is shared: two test processes, and only the mutants whose code or tests changed are
  // run again (the incremental file is a local cache, not committed: see docs/decisions.md).
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
