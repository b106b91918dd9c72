import { defineConfig } from 'vitest/config';
import LongestFirst from './tests/support/sequencer.ts';

// One fork runs many files of a project, one after another, and imports the app once (the imports were
// 200-220 s of the suite's work summed, each file importing fastify, react-email, PGlite and BullMQ
// again). The setup file resets the module state one file could leave for the next
// (tests/support/reset.ts).
const SHARED_FORK = { isolate: false, setupFiles: ['tests/support/fresh-modules.ts'] };

// Tests with a database run twice: on embedded PGlite and on a real PostgreSQL server. The global
// setup builds the migrated template database each test file clones.
const withDb = (kind: 'integration' | 'browser', include: string[], db: 'pglite' | 'postgres', exclude: string[] = []) => ({
  extends: true as const,
  test: {
    name: `${kind}-${db}`,
    include,
    exclude: ['**/node_modules/**', ...exclude],
    env: { TAGCAST_TEST_DB: db },
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // browser-postgres stays one fork per file: its six files, three at a time, spend their time in
    // Chromium, and sharing forks left its wall time where it was (62 s against 63 s).
    ...(kind === 'browser' && db === 'postgres' ? {} : SHARED_FORK),
  },
});

// The reader pages in Chromium, against the app with a database, Redis and workers. A reader's way
// through them (reader-flow) runs on both databases; the pages' accessibility, layout and screenshots
// (reader-pages) once, on PGlite: they render the same from either, and a second run would add a
// minute to every `npm test`.
// The admin pages (admin-pages) likewise run once, on PGlite.
const READER_PAGES = ['tests/browser/reader-*.test.ts', 'tests/browser/admin-*.test.ts'];

// Integration files that run once. Every file that tests storage (SQL, the ledger, the schema, a
// transaction, what a query returns) runs on both databases; these test something else, the same on
// either, so a second run would only add minutes to every `npm test` (issue 19):
const ONCE_ON_PGLITE = [
  // Hostile input at the HTTP boundary: answered 4xx before any handler or query runs.
  'tests/integration/hostile-input.test.ts',
  // The Resend emulator's strictness and the SDK's mapping of its answers; the database only holds the
  // readers of the one slow-provider send.
  'tests/integration/emulator-strict.test.ts',
  // The shared pacer: Redis only, no database.
  'tests/integration/pacer.test.ts',
  // Bull Board's guard and Content-Security-Policy: Redis and HTTP headers.
  'tests/integration/ops-bull-board.test.ts',
  // `tagcast serve` at a terminal and on a pipe: what it prints and where it listens.
  'tests/integration/serve-terminal.test.ts',
  // `npm run digest`, the first-run smoke test: the embedded database is what it is about.
  'tests/integration/digest-smoke.test.ts',
];
const ONCE_ON_POSTGRES = [
  // Worker crashes with several processes at once (PGlite is one process's database) and Redis loss.
  'tests/integration/crash.test.ts',
  // A real Redis Cluster: for installations past one machine, which run PostgreSQL; its configuration
  // checks need neither database.
  'tests/integration/redis-cluster.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Three files at a time on two cores: most of a test's time is spent waiting on PostgreSQL, Redis,
    // Chromium or a child process, and vitest's default (cores − 1) ran one file at a time. Measured on
    // this 2-core machine, the same clone one run after the other: 580 s at one, 380 s at three.
    maxWorkers: 3,
    // Longest files first, across every project (tests/support/sequencer.ts): the run ends on short ones.
    sequence: { sequencer: LongestFirst },
    // Finds Redis, PostgreSQL and Chromium for the projects that run, or starts private Redis and
    // PostgreSQL servers; a piece that is not installed stops the run with one line saying how to
    // install it. Projects inherit it (`extends: true`) and run it before their own global setup.
    // build-once.ts rebuilds a stale dist/ once before the integration projects, whose child processes
    // run it (through tsx instead, each would compile the sources at start).
    globalSetup: ['tests/support/services.ts', 'tests/support/build-once.ts'],
    projects: [
      // First, so a missing Chromium stops the run before the projects with a database build anything.
      // Browser tests without a database (the digests as rendered) run once.
      {
        extends: true,
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], exclude: READER_PAGES, testTimeout: 120_000, hookTimeout: 120_000 },
      },
      withDb('browser', READER_PAGES, 'pglite'),
      withDb('browser', READER_PAGES, 'postgres', ['tests/browser/reader-pages.test.ts', 'tests/browser/admin-pages.test.ts']),
      // A unit test's timeout catches a hung test, not a slow one (speed belongs in `npm run bench`): rendering
      // 1,000 readers took 1.4-3.4 s in CI runs and 5.6 s once, with three files at a time on two cores,
      // past vitest's default 5 s.
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 60_000, ...SHARED_FORK } },
      withDb('integration', ['tests/integration/**/*.test.ts'], 'pglite', ONCE_ON_POSTGRES),
      withDb('integration', ['tests/integration/**/*.test.ts'], 'postgres', ONCE_ON_PGLITE),
    ],
  },
});
