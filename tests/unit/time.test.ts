// Wall-clock times in zones, across daylight-saving changes and at :30 and :45 offsets.
import { describe, expect, it } from 'vitest';
import { nextWeekly, zonedInstant, zoneOffsetMs } from '../../src/time.ts';
import { cronFor, occurrences, runInstant, runWeek } from '../../src/schedule.ts';
import type { Schedule } from '../../src/db/schedules.ts';

const at = (iso: string) => new Date(iso).toISOString();

describe('zonedInstant', () => {
  it('places a local time in zones with whole, :30 and :45 offsets', () => {
    expect(at(zonedInstant({ date: '2026-11-30', time: '08:00' }, 'Europe/Berlin').toISOString())).toBe('2026-11-30T07:00:00.000Z');
    expect(zonedInstant({ date: '2026-11-30', time: '08:00' }, 'Asia/Kolkata').toISOString()).toBe('2026-11-30T02:30:00.000Z');
    expect(zonedInstant({ date: '2026-11-30', time: '08:00' }, 'Asia/Kathmandu').toISOString()).toBe('2026-11-30T02:15:00.000Z');
    expect(zonedInstant({ date: '2026-11-30', time: '08:00' }, 'Australia/Adelaide').toISOString()).toBe('2026-11-29T21:30:00.000Z');
    expect(zonedInstant({ date: '2026-11-30', time: '08:00' }, 'America/St_Johns').toISOString()).toBe('2026-11-30T11:30:00.000Z');
    expect(zonedInstant({ date: '2026-11-30', time: '08:00' }, 'UTC').toISOString()).toBe('2026-11-30T08:00:00.000Z');
  });

  it('follows Europe/Berlin across spring and autumn', () => {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST.
    expect(zonedInstant({ date: '2026-03-28', time: '08:00' }, 'Europe/Berlin').toISOString()).toBe('2026-03-28T07:00:00.000Z');
    expect(zonedInstant({ date: '2026-03-29', time: '08:00' }, 'Europe/Berlin').toISOString()).toBe('2026-03-29T06:00:00.000Z');
    // 02:30 never happens that day: it is read as 03:30 CEST, after the gap.
    expect(zonedInstant({ date: '2026-03-29', time: '02:30' }, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice: the first one counts.
    expect(zonedInstant({ date: '2026-10-25', time: '02:30' }, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedInstant({ date: '2026-10-25', time: '08:00' }, 'Europe/Berlin').toISOString()).toBe('2026-10-25T07:00:00.000Z');
    expect(zonedInstant({ date: '2026-10-24', time: '08:00' }, 'Europe/Berlin').toISOString()).toBe('2026-10-24T06:00:00.000Z');
  });

  it('follows America/New_York across its own changes', () => {
    // 8 March 2026: 02:00 EST becomes 03:00 EDT; 1 November 2026: back.
    expect(zonedInstant({ date: '2026-03-08', time: '02:15' }, 'America/New_York').toISOString()).toBe('2026-03-08T07:15:00.000Z');
    expect(zonedInstant({ date: '2026-03-08', time: '09:00' }, 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(zonedInstant({ date: '2026-11-01', time: '01:30' }, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(zonedInstant({ date: '2026-11-01', time: '09:00' }, 'America/New_York').toISOString()).toBe('2026-11-01T14:00:00.000Z');
  });

  it('reads offsets at an instant', () => {
    expect(zoneOffsetMs(Date.parse('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
    expect(zoneOffsetMs(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(5.75 * 3600_000);
  });

  it('finds the next weekly time, the same day when it is still ahead', () => {
    // Monday 30 November 2026, 06:00 UTC = 07:00 Berlin: 08:00 is still ahead.
    expect(nextWeekly(new Date('2026-11-30T06:00:00Z'), 1, '08:00', 'Europe/Berlin').at.toISOString()).toBe('2026-11-30T07:00:00.000Z');
    expect(nextWeekly(new Date('2026-11-30T07:00:00Z'), 1, '08:00', 'Europe/Berlin').date).toBe('2026-12-07');
  });
});

describe('the weekly schedule', () => {
  const berlin: Schedule = { weekday: 7, time: '08:00', timeZone: 'Europe/Berlin', local: false, engine: null, week: 'current' };

  it('runs at its local time on each side of both daylight-saving changes', () => {
    // Sundays around the spring change: 22 March (CET), 29 March (the change itself), 5 April (CEST).
    const runs = ['2026-03-22', '2026-03-29', '2026-04-05', '2026-10-18', '2026-10-25', '2026-11-01'].map((d) => runInstant(berlin, d).toISOString());
    expect(runs).toEqual([
      '2026-03-22T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-04-05T06:00:00.000Z',
      '2026-10-18T06:00:00.000Z',
      '2026-10-25T07:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('finds the last run due and the next one, week after week', () => {
    const o = occurrences(berlin, new Date('2026-03-29T06:30:00Z'));
    expect(o.last).toEqual({ date: '2026-03-29', at: new Date('2026-03-29T06:00:00Z') });
    expect(o.next).toEqual({ date: '2026-04-05', at: new Date('2026-04-05T06:00:00Z') });
    const before = occurrences(berlin, new Date('2026-03-29T05:59:59Z'));
    expect(before.next.date).toBe('2026-03-29');
    expect(before.last.date).toBe('2026-03-22');
  });

  it('names the ISO week it sends, or the one before', () => {
    expect(runWeek(berlin, '2026-11-29')).toBe('2026-W48');
    expect(runWeek({ ...berlin, week: 'previous' }, '2026-11-29')).toBe('2026-W47');
    expect(runWeek({ ...berlin, week: 'previous' }, '2027-01-04')).toBe('2026-W53');
  });

  it('realises the schedule as a cron pattern in its zone; at local time, an hour before the first zone', () => {
    expect(cronFor(berlin)).toEqual({ pattern: '0 8 * * 0', tz: 'Europe/Berlin' });
    expect(cronFor({ ...berlin, weekday: 1, time: '00:30', local: true })).toEqual({ pattern: '30 23 * * 0', tz: 'Pacific/Kiritimati' });
    // Local: the run is an hour before 08:00 in UTC+14, the day before in UTC.
    const local = { ...berlin, weekday: 1, local: true };
    expect(runInstant(local, '2026-11-30').toISOString()).toBe('2026-11-29T17:00:00.000Z');
  });
});
