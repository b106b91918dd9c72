// Tests and benches that send one week several times: each run is the week's next edition, as
// `issue create --again` makes it, so the one-live-issue-per-week rule holds in every test database.
import type { Db } from '../../src/db/connection.ts';
import { createIssue, currentIssueForWeek, WeekTakenError, type Issue, type NewIssue } from '../../src/db/issues.ts';

/** The week's issue, or when the week already has a live one, its next edition (a correction of it). */
export async function weekIssue(db: Db, i: Omit<NewIssue, 'again'>): Promise<Issue> {
  try {
    return await createIssue(db, i);
  } catch (e) {
    if (!(e instanceof WeekTakenError)) throw e;
    const first = await currentIssueForWeek(db, i.week);
    return createIssue(db, { ...i, again: { of: first!.id, reason: 'another run of the same week (test)' } });
  }
}
