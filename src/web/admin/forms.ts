// Reading the editor's forms: ids, times in a time zone, weeks, engines. Pure; each reader returns the
// value or a reason the editor can act on (shown on a 400 page), never throws.
import type { Engine } from '../../config.ts';
import { isValidWeek } from '../../digest/week.ts';
import { isTimeZone } from '../../time.ts';

const ID = /^[1-9]\d{0,9}$/;

/** A positive id from a URL segment, or null. */
export function parseId(raw: string | undefined): number | null {
  return raw !== undefined && ID.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : null;
}

export type Parsed<T> = { value: T } | { error: string };

export function parseWeekField(raw: string | undefined): Parsed<string> {
  const w = (raw ?? '').trim();
  if (w === '') return { error: 'choose a week' };
  return isValidWeek(w) ? { value: w } : { error: `"${w.slice(0, 20)}" is not an ISO week like 2026-W48` };
}

export function parseEngineField(raw: string | undefined, fallback: Engine): Parsed<Engine> {
  if (raw === undefined || raw === '') return { value: fallback };
  return raw === 'react' || raw === 'mjml' ? { value: raw } : { error: 'the engine must be react or mjml' };
}

export function parseTimeZoneField(raw: string | undefined): Parsed<string> {
  const tz = (raw ?? '').trim();
  return tz !== '' && isTimeZone(tz) ? { value: tz } : { error: 'choose a time zone from the list' };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseDateField(raw: string | undefined): Parsed<string> {
  const d = (raw ?? '').trim();
  const m = DATE.exec(d);
  if (!m) return { error: 'enter a date as YYYY-MM-DD' };
  const [y, mo, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, day));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== day) return { error: `${d} is not a date` };
  return { value: d };
}

export function parseTimeField(raw: string | undefined): Parsed<string> {
  const t = (raw ?? '').trim();
  return TIME.test(t) ? { value: t } : { error: 'enter a time as HH:MM (24-hour)' };
}

/** "Mon 30 Nov 2026, 09:00 CET" in a time zone, for the pages. */
export function formatTime(d: Date | null, timeZone: string): string {
  if (!d) return '—';
  return d.toLocaleString('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
}

/** The date and time inputs' values for an instant in a time zone ("2026-11-30", "09:00"). */
export function wallClock(d: Date, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(d);
  const v = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { date: `${v('year')}-${v('month')}-${v('day')}`, time: `${v('hour')}:${v('minute')}` };
}
