import { defineConfig } from 'vitest/config';

// Integration tests run twice: on embedded PGlite and on a real PostgreSQL server.
const integration = (db: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name: `integration-${db}`,
    include: ['tests/integration/**/*.test.ts'],
    env: { TAGCAST_TEST_DB: db },
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    pool: 'forks',
    // Finds Redis, PostgreSQL and Chromium for the projects that run, or starts private Redis and
    // PostgreSQL servers; a piece that is not installed stops the run with one line saying how to
    // install it. Projects inherit it (`extends: true`) and run it before their own global setup.
    globalSetup: ['tests/support/services.ts'],
    projects: [
      // First, so a missing Chromium stops the run before the integration projects build anything.
      {
        extends: true,
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      integration('pglite'),
      integration('postgres'),
    ],
  },
});
