// Wall-clock times in IANA time zones, without a library: the instant a local date and time happen in
// a zone, and the next weekly occurrence of a local time. Pure; the zone database is the runtime's (ICU).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (+05:45 → 20,700,000). */
export function zoneOffsetMs(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** A local date, YYYY-MM-DD, and time, HH:MM. */
export interface LocalTime {
  date: string;
  time: string;
}

/**
 * The instant `date time` happens in `zone`. Like Temporal's "compatible" disambiguation: a time that
 * happens twice (clocks go back) is the first of the two; a time that never happens (clocks go
 * forward) is moved forward by the gap, so 02:30 on Berlin's spring-forward day is 03:30 CEST.
 */
export function zonedInstant(local: LocalTime, zone: string): Date {
  const [y, mo, d] = local.date.split('-').map(Number) as [number, number, number];
  const [h, mi] = local.time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const before = zoneOffsetMs(wall - 86_400_000, zone);
  const after = zoneOffsetMs(wall + 86_400_000, zone);
  const valid = [...new Set([before, after])].map((off) => wall - off).filter((t) => zoneOffsetMs(t, zone) === wall - t);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // In a gap: the wall time read with the offset in force before the change lands after the gap.
  return new Date(wall - before);
}

/** The local date (YYYY-MM-DD) and ISO weekday (1 = Monday) of an instant in a zone. */
export function localDate(instant: Date, zone: string): { date: string; weekday: number } {
  const local = new Date(instant.getTime() + zoneOffsetMs(instant.getTime(), zone));
  return { date: local.toISOString().slice(0, 10), weekday: ((local.getUTCDay() + 6) % 7) + 1 };
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The next local date with this ISO weekday on or after `from`'s local date in `zone`, whose `time` is after `from`. */
export function nextWeekly(from: Date, weekday: number, time: string, zone: string): { date: string; at: Date } {
  const today = localDate(from, zone);
  let date = addDays(today.date, (weekday - today.weekday + 7) % 7);
  let at = zonedInstant({ date, time }, zone);
  if (at.getTime() <= from.getTime()) {
    date = addDays(date, 7);
    at = zonedInstant({ date, time }, zone);
  }
  return { date, at };
}

/** An IANA zone name the runtime knows ("Area/City" or UTC). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}
