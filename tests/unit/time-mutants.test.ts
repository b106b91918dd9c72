// What the mutation run (npm run mutate) found untested in src/time.ts: instants with milliseconds,
// the weekday of a local date, date arithmetic across months, and the exact boundary of "the next
// weekly time".
import { describe, expect, it } from 'vitest';
import { addDays, localDate, nextWeekly, zoneOffsetMs } from '../../src/time.ts';

describe('zoneOffsetMs', () => {
  it('is whole minutes also at an instant with milliseconds', () => {
    expect(zoneOffsetMs(Date.parse('2026-01-01T00:00:00.999Z'), 'Asia/Kathmandu')).toBe(5.75 * 3600_000);
    expect(zoneOffsetMs(Date.parse('2026-01-01T00:00:59.001Z'), 'America/St_Johns')).toBe(-3.5 * 3600_000);
    expect(zoneOffsetMs(Date.parse('2026-07-01T12:00:00.500Z'), 'UTC')).toBe(0);
  });
});

describe('localDate', () => {
  it('is the date and ISO weekday where the zone is, not in UTC', () => {
    // Sunday 29 November 2026, 23:30 UTC: already Monday in Berlin, still Sunday in New York.
    const instant = new Date('2026-11-29T23:30:00Z');
    expect(localDate(instant, 'Europe/Berlin')).toEqual({ date: '2026-11-30', weekday: 1 });
    expect(localDate(instant, 'America/New_York')).toEqual({ date: '2026-11-29', weekday: 7 });
    expect(localDate(new Date('2026-12-05T12:00:00Z'), 'UTC')).toEqual({ date: '2026-12-05', weekday: 6 });
  });
});

describe('addDays', () => {
  it('crosses months and years, both ways', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-11-30', 0)).toBe('2026-11-30');
  });
});

describe('nextWeekly', () => {
  it('is this week’s time until that very instant, then next week’s', () => {
    // Monday 30 November 2026, 08:00 Berlin is 07:00 UTC.
    const week = (iso: string) => nextWeekly(new Date(iso), 1, '08:00', 'Europe/Berlin');
    expect(week('2026-11-30T06:59:59.999Z')).toEqual({ date: '2026-11-30', at: new Date('2026-11-30T07:00:00Z') });
    expect(week('2026-11-30T07:00:00.000Z')).toEqual({ date: '2026-12-07', at: new Date('2026-12-07T07:00:00Z') });
  });

  it('counts forward to a later weekday, and round the week to an earlier one', () => {
    // From Wednesday 2 December 2026: Friday is two days on, Tuesday six.
    const from = new Date('2026-12-02T12:00:00Z');
    expect(nextWeekly(from, 5, '09:00', 'UTC')).toEqual({ date: '2026-12-04', at: new Date('2026-12-04T09:00:00Z') });
    expect(nextWeekly(from, 2, '09:00', 'UTC')).toEqual({ date: '2026-12-08', at: new Date('2026-12-08T09:00:00Z') });
    expect(nextWeekly(from, 3, '13:00', 'UTC')).toEqual({ date: '2026-12-02', at: new Date('2026-12-02T13:00:00Z') });
  });
});
