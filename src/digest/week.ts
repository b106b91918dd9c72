// ISO 8601 weeks ("2026-W48"): Monday-based, week 1 holds the year's first Thursday. Pure, UTC.

export const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

/** The ISO week of a calendar date, read in UTC. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7; // Monday=1 … Sunday=7
  d.setUTCDate(d.getUTCDate() + 4 - day); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function weeksInYear(year: number): number {
  // A year has 53 weeks when Dec 28 falls in week 53.
  return isoWeek(new Date(Date.UTC(year, 11, 28))).endsWith('53') ? 53 : 52;
}

export function isValidWeek(week: string): boolean {
  const m = WEEK_PATTERN.exec(week);
  if (!m) return false;
  const n = Number(m[2]);
  return n >= 1 && n <= weeksInYear(Number(m[1]));
}

/** Monday 00:00 UTC of the week. */
export function weekStart(week: string): Date {
  const m = WEEK_PATTERN.exec(week);
  if (!m || !isValidWeek(week)) throw new RangeError(`not an ISO week: "${week}" (expected e.g. 2026-W48)`);
  const year = Number(m[1]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const mondayOfWeek1 = Date.UTC(year, 0, 4 - ((jan4.getUTCDay() || 7) - 1));
  return new Date(mondayOfWeek1 + (Number(m[2]) - 1) * 7 * 86_400_000);
}

/** The ISO week before this one. */
export function previousWeek(week: string): string {
  return isoWeek(new Date(weekStart(week).getTime() - 7 * 86_400_000));
}

/** The dates of a week, shortest form: "23–29 Nov 2026", "26 Jan – 1 Feb 2026", "29 Dec 2025 – 4 Jan 2026". */
export function weekDates(week: string): string {
  const start = weekStart(week);
  const end = new Date(start.getTime() + 6 * 86_400_000);
  const part = (d: Date, o: Intl.DateTimeFormatOptions) => d.toLocaleDateString('en-GB', { ...o, timeZone: 'UTC' });
  const endText = part(end, { day: 'numeric', month: 'short', year: 'numeric' });
  if (start.getUTCFullYear() !== end.getUTCFullYear()) return `${part(start, { day: 'numeric', month: 'short', year: 'numeric' })} – ${endText}`;
  if (start.getUTCMonth() !== end.getUTCMonth()) return `${part(start, { day: 'numeric', month: 'short' })} – ${endText}`;
  return `${start.getUTCDate()}–${endText}`;
}

/**
 * An issue's one name, the same in its subject, the archive, a reader's history and the admin pages:
 * "Week 48 · 23–29 Nov 2026". The week number is the ISO week's; the dates say which days it covers.
 */
export function issueName(week: string): string {
  const m = WEEK_PATTERN.exec(week);
  if (!m || !isValidWeek(week)) throw new RangeError(`not an ISO week: "${week}" (expected e.g. 2026-W48)`);
  return `Week ${Number(m[2])} · ${weekDates(week)}`;
}
