// What a fresh process knows, for test files that share one (projects with `isolate: false` in
// vitest.config.ts run many files in one fork, one after another, sharing the modules they import).
// Every module-level cache or flag in src/ that a file's database, Redis prefix or output could leave
// behind is reset here; a new one belongs here too (docs/development.md, "One fork, many files").
import { forgetDevelopmentSecretNoted } from '../../src/cli/context.ts';
import { providerRequests } from '../../src/metrics.ts';
import { forgetIssueRenderings } from '../../src/render/cache.ts';
import { forgetLocalTestSends } from '../../src/send/test-send.ts';
import { forgetIssuePages } from '../../src/web/reader/web-version.tsx';
import { resetSiteIdentity } from '../../src/web/site.ts';

export function resetProcessState(): void {
  forgetIssueRenderings();
  forgetIssuePages();
  resetSiteIdentity();
  forgetDevelopmentSecretNoted();
  providerRequests.forget();
  forgetLocalTestSends();
}
