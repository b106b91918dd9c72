// The welcome's one fact that is not in its notice row: when the reader's first digest goes out. From
// the weekly schedule when the editor set one, in the reader's own time zone; else the editor sends
// issues by hand and there is no date to give.
import type { Schedule } from '../db/schedules.ts';
import { occurrences } from '../schedule.ts';
import { zonedInstant } from '../time.ts';

/** "Monday, 14 December 2026 at 09:00 (Europe/Berlin time)": an instant as a reader in `zone` reads it. */
export function readerInstant(at: Date, zone: string): string {
  const day = at.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: zone });
  const time = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone });
  return `${day} at ${time} (${zone.replace(/_/g, ' ')} time)`;
}

/**
 * The sentence a welcome says about the next digest, as of `now` (the notice's creation, so every
 * retry of the email says the same). A local-time schedule reaches each reader at its time in their
 * own zone; any other at one instant, shown in the reader's zone.
 */
export function nextDigestLine(s: Schedule | undefined, zone: string, now: Date): string {
  if (!s) return 'The editor sends each issue by hand, so there is no fixed day: your first digest comes with the next issue.';
  const { next } = occurrences(s, now);
  const at = s.local ? zonedInstant({ date: next.date, time: s.time }, zone) : next.at;
  return `The next issue goes out on ${readerInstant(at, zone)}; your digest comes with it when your tags have new summaries that week.`;
}
