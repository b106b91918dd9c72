// The order test files start in: longest first, over every project at once. The pool runs three files at
// a time; a long file that starts late keeps the run going after the others are done (vitest's own order
// runs the projects one after another by name, each with its largest files first, so the longest
// integration file started a third of the way through and the run's last minutes were one or two files).
// Starting the longest first leaves the short ones to fill the gaps at the end. Files under LONG_S then
// go project by project, so that a project sharing forks (`isolate: false`) can reuse them.
//
// How long a file takes: vitest's own record of the last run when there is one (node_modules/.vite, so
// not on a clean clone, which is what `npm test` is measured on); else the seconds below, measured on
// this 2-core machine under load (their order is what matters, not their size); else a guess from the
// file's size. A file on PostgreSQL takes about half its PGlite time (integration-postgres 214 s summed
// against integration-pglite 485 s). Refresh the table after a file grows a lot:
//   npx vitest run --project integration-pglite --reporter=json --outputFile=/tmp/t.json
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per file on PGlite (or without a database), 2026-12-07, every file over 20 s. */
const SECONDS = new Map<string, number>([
  ['tests/integration/hostile-input.test.ts', 195],
  ['tests/browser/reader-pages.test.ts', 132],
  ['tests/integration/hardening-holes.test.ts', 102],
  ['tests/browser/admin-pages.test.ts', 94],
  ['tests/integration/summaries-editor.test.ts', 88],
  ['tests/browser/reader-newcomer.test.ts', 79],
  ['tests/integration/cli.test.ts', 75],
  ['tests/integration/digest-smoke.test.ts', 67],
  ['tests/integration/tags.test.ts', 61],
  ['tests/browser/admin-journey.test.ts', 60],
  ['tests/browser/reader-flow.test.ts', 58],
  ['tests/browser/digest-density.test.ts', 56],
  ['tests/integration/young-generation.test.ts', 46],
  ['tests/integration/resend.test.ts', 45],
  ['tests/integration/link-purposes.test.ts', 43],
  ['tests/integration/pipeline.test.ts', 43],
  ['tests/integration/api-cli-fallback.test.ts', 40],
  ['tests/integration/hardening-cli.test.ts', 36],
  ['tests/integration/emulator-strict.test.ts', 35],
  ['tests/integration/render-failure.test.ts', 35],
  ['tests/browser/render.test.ts', 35],
  ['tests/browser/admin-settings.test.ts', 35],
  ['tests/browser/reader-digest-links.test.ts', 34],
  ['tests/integration/reader-archive.test.ts', 32],
  ['tests/integration/one-issue-per-week.test.ts', 31],
  ['tests/integration/reader-subscribe.test.ts', 28],
  ['tests/integration/admin-auth.test.ts', 25],
  ['tests/integration/digest-density.test.ts', 25],
  ['tests/integration/reader-preferences.test.ts', 25],
  ['tests/integration/admin-issues.test.ts', 24],
  ['tests/integration/api-routes.test.ts', 23],
  ['tests/integration/digest-links.test.ts', 22],
  ['tests/integration/ops-test-send.test.ts', 22],
  ['tests/integration/api-cli-tokens.test.ts', 21],
  ['tests/integration/publication.test.ts', 21],
  ['tests/integration/serve-terminal.test.ts', 21],
  ['tests/browser/admin-summaries.test.ts', 21],
  ['tests/integration/reader-unsubscribe.test.ts', 20],
]);

/**
 * Files that run on PostgreSQL only, measured in integration-postgres on a lighter load (load average
 * 4–10): crash is the suite's longest file wherever it runs (3,000 and 5,000 readers through worker
 * processes), so it is put ahead of everything.
 */
const POSTGRES_ONLY = new Map<string, number>([
  ['tests/integration/crash.test.ts', 200],
  ['tests/integration/redis-cluster.test.ts', 25],
]);

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const estimate = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId);
      const key = `${spec.project.name}:${file}`;
      const last = this.ctx.cache.getFileTestResults(key);
      if (last && !last.failed && last.duration > 0) return last.duration / 1000;
      const onPostgres = spec.project.name.endsWith('-postgres');
      const s = POSTGRES_ONLY.get(file) ?? SECONDS.get(file);
      if (s !== undefined) return onPostgres && !POSTGRES_ONLY.has(file) ? s / 2 : s;
      // Unlisted: under 20 s on PGlite; bigger files tend to take longer.
      return Math.min(19, (this.ctx.cache.getFileStats(key)?.size ?? 0) / 1000);
    };
    const byTime = new Map(files.map((f) => [f, estimate(f)]));
    const longestFirst = (a: TestSpecification, b: TestSpecification) => byTime.get(b)! - byTime.get(a)!;
    const sorted = [...files].sort(longestFirst);
    // A project that shares forks (`isolate: false`) reuses one only when the next file waiting is of
    // the same project, so the short files go project by project: a fork then runs a block of them,
    // importing the app once, instead of giving way to the next project's file each time. The long
    // files still start first, in one order over every project.
    const long = sorted.filter((f) => byTime.get(f)! >= LONG_S);
    const blocks = new Map<string, TestSpecification[]>();
    for (const f of sorted) if (byTime.get(f)! < LONG_S) blocks.set(f.project.name, [...(blocks.get(f.project.name) ?? []), f]);
    return [...long, ...[...blocks.values()].flat()];
  }
}

/** Files at least this long (seconds) start in one longest-first order; shorter ones go project by project. */
const LONG_S = 30;
