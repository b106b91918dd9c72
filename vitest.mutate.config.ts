import { defineConfig } from 'vitest/config';

// Used only by `npm run mutate` (stryker.config.json): the unit tests that exercise the pure modules
// Stryker mutates, without the services global setup (nothing here needs Redis, PostgreSQL or
// Chromium) and without the database and browser projects, so each mutant costs only unit tests.
// render.test.ts and render-hostile.test.ts are left out: they import the whole renderer and take
// most of a run (a thousand readers through MJML), and the assembly they exercise has its own tests
// in digest.test.ts; with them, a module-level mutant would cost a minute.
export default defineConfig({
  test: {
    pool: 'forks',
    include: [
      'tests/unit/digest.test.ts',
      'tests/unit/time.test.ts',
      'tests/unit/progress.test.ts',
      'tests/unit/content.test.ts',
      'tests/unit/content-hostile.test.ts',
      'tests/unit/config.test.ts',
      'tests/unit/subscriptions.test.ts',
      'tests/unit/*-mutants.test.ts',
    ],
  },
});
