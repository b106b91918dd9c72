// The progress arithmetic of the issue page with fixed numbers: the send rate over the last minutes,
// the ETA of what is due and of later waves, wave order, and how the figures are written. Also the
// admin forms' readers (dates, times, ids) and where a login may return to, which need no services
// either. (The session cookie is a row on the server too: tests/integration/admin-auth.test.ts.)
import { describe, expect, it } from 'vitest';
import { estimate, formatDuration, formatRate, orderWaves, percentDone, RATE_FLOOR_MS, RATE_WINDOW_MS, sendRate, type Wave } from '../../src/progress.ts';
import { parseDateField, parseId, parseTimeField, parseWeekField, wallClock } from '../../src/web/admin/forms.ts';
import { safeNext } from '../../src/web/admin/session.ts';

const NOW = new Date('2026-11-30T09:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const later = (ms: number) => new Date(NOW.getTime() + ms);
const MIN = 60_000;

describe('sendRate', () => {
  it('is emails a minute over the window when sending began before it', () => {
    expect(RATE_WINDOW_MS).toBe(5 * MIN);
    // 500 in the last 5 minutes (the earliest right at its start): 100 a minute.
    expect(sendRate({ submitted: 500, earliest: ago(5 * MIN) }, NOW)).toBe(100);
    // The earliest in the window is what the window holds, whatever happened before it.
    expect(sendRate({ submitted: 250, earliest: ago(4.5 * MIN) }, NOW)).toBeCloseTo(250 / 4.5, 10);
  });

  it('is over the time since sending began, when that is inside the window, and never over less than a minute', () => {
    expect(sendRate({ submitted: 200, earliest: ago(2 * MIN) }, NOW)).toBe(100);
    expect(RATE_FLOOR_MS).toBe(MIN);
    // One batch of 100 a second ago is not 6,000 a minute.
    expect(sendRate({ submitted: 100, earliest: ago(1000) }, NOW)).toBe(100);
  });

  it('is 0 with nothing submitted lately', () => {
    expect(sendRate({ submitted: 0, earliest: null }, NOW)).toBe(0);
    expect(sendRate({ submitted: 3, earliest: null }, NOW)).toBe(0);
  });
});

describe('estimate', () => {
  const atOnce = (pending: number, submitted = 0): Wave => ({ sendAt: null, pending, submitted });

  it('is pending ÷ rate for what is due now', () => {
    const e = estimate([atOnce(300, 700)], 100, NOW);
    expect(e.eta).toEqual({ kind: 'sending', minutes: 3, at: later(3 * MIN) });
    expect(e.duePending).toBe(300);
    expect(e.nextWave).toBeNull();
    expect(e.finishAt).toEqual(later(3 * MIN));
  });

  it('waits for the first batch when something is due but nothing was sent lately', () => {
    expect(estimate([atOnce(10)], 0, NOW)).toEqual({ eta: { kind: 'waiting' }, duePending: 10, nextWave: null, finishAt: null });
  });

  it('is the next wave’s time when nothing is due, and finishes each wave after the one before', () => {
    const waves: Wave[] = [
      { sendAt: later(2 * 3600_000), pending: 120, submitted: 0 },
      { sendAt: later(3600_000), pending: 600, submitted: 0 },
      atOnce(0, 50),
    ];
    const e = estimate(waves, 60, NOW);
    expect(e.eta).toEqual({ kind: 'next-wave', at: later(3600_000) });
    expect(e.nextWave).toEqual(later(3600_000));
    // Wave 1 starts in an hour and takes 10 minutes; wave 2 starts at 2 h and takes 2 more minutes.
    expect(e.finishAt).toEqual(later(2 * 3600_000 + 2 * MIN));
    // A wave that cannot start on time because the one before is still going starts when it ends.
    const crowded = estimate([{ sendAt: later(MIN), pending: 600, submitted: 0 }, { sendAt: later(2 * MIN), pending: 60, submitted: 0 }], 60, NOW);
    expect(crowded.finishAt).toEqual(later(MIN + 10 * MIN + MIN));
  });

  it('counts a wave whose time has passed as due', () => {
    const e = estimate([{ sendAt: ago(MIN), pending: 50, submitted: 10 }, atOnce(50)], 50, NOW);
    expect(e.duePending).toBe(100);
    expect(e.eta).toEqual({ kind: 'sending', minutes: 2, at: later(2 * MIN) });
  });

  it('is done when nothing is pending', () => {
    expect(estimate([atOnce(0, 10), { sendAt: later(MIN), pending: 0, submitted: 4 }], 10, NOW)).toEqual({ eta: { kind: 'done' }, duePending: 0, nextWave: null, finishAt: null });
    expect(estimate([], 0, NOW).eta).toEqual({ kind: 'done' });
  });
});

describe('orderWaves', () => {
  it('puts "at once" first, then by time, each marked due or not', () => {
    const w = orderWaves(
      [
        { sendAt: later(MIN), pending: 1, submitted: 0 },
        { sendAt: null, pending: 2, submitted: 3 },
        { sendAt: ago(MIN), pending: 0, submitted: 4 },
      ],
      NOW,
    );
    expect(w.map((x) => [x.sendAt?.toISOString() ?? null, x.due])).toEqual([
      [null, true],
      [ago(MIN).toISOString(), true],
      [later(MIN).toISOString(), false],
    ]);
  });
});

describe('figures', () => {
  it('writes durations, rates and percentages for people', () => {
    expect(formatDuration(0.4)).toBe('under a minute');
    expect(formatDuration(3.4)).toBe('about 3 min');
    expect(formatDuration(60)).toBe('about 1 h');
    expect(formatDuration(125)).toBe('about 2 h 5 min');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(2.25)).toBe('2.3');
    expect(formatRate(3)).toBe('3');
    expect(formatRate(1234.4)).toBe('1234');
    expect(percentDone({ submitted: 7, pending: 5, failed: 2 })).toBe(50);
    // Never 100% while one is pending.
    expect(percentDone({ submitted: 999, pending: 1, failed: 0 })).toBe(99);
    expect(percentDone({ submitted: 10, pending: 0, failed: 0 })).toBe(100);
    expect(percentDone({ submitted: 0, pending: 0, failed: 0 })).toBe(0);
  });
});

describe('admin form fields', () => {
  it('reads ids, weeks, dates and times, with a reason for anything else', () => {
    expect(parseId('42')).toBe(42);
    for (const bad of ['0', '-1', '4.2', '1e3', '042', '99999999999', undefined]) expect(parseId(bad), String(bad)).toBeNull();
    expect(parseWeekField(' 2026-W48 ')).toEqual({ value: '2026-W48' });
    expect(parseWeekField('2026-W53')).toEqual({ value: '2026-W53' });
    expect(parseWeekField('2027-W53')).toEqual({ error: '"2027-W53" is not an ISO week like 2026-W48' });
    expect(parseDateField('2028-02-29')).toEqual({ value: '2028-02-29' });
    expect(parseDateField('2027-02-29')).toEqual({ error: '2027-02-29 is not a date' });
    expect(parseTimeField('23:59')).toEqual({ value: '23:59' });
    expect(parseTimeField('24:00')).toEqual({ error: 'enter a time as HH:MM (24-hour)' });
    expect(wallClock(new Date('2026-11-30T08:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-11-30', time: '09:30' });
  });

  it('sends a login back only to a path under /admin', () => {
    expect(safeNext('/admin/issues/3?done=x')).toBe('/admin/issues/3?done=x');
    for (const bad of ['//evil.example', 'https://evil.example/admin', '/administrator', '/admin\\..', '/admin/ x', '/admin/../x', '/admin/./x', '/admin//x', '/admin/%2E%2e/x', 7]) expect(safeNext(bad), String(bad)).toBe('/admin');
  });
});
