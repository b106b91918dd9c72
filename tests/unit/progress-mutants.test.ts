// What the mutation run (npm run mutate) found unchecked in src/progress.ts: a wave due at this very
// instant, waves with nothing left, pending deliveries split between now and later, and the edges of
// how durations and rates are written.
import { describe, expect, it } from 'vitest';
import { estimate, formatDuration, formatRate, orderWaves } from '../../src/progress.ts';

const NOW = new Date('2026-11-30T09:00:00Z');
const MIN = 60_000;
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe('waves', () => {
  it('a wave whose time is exactly now is due', () => {
    expect(orderWaves([{ sendAt: NOW, pending: 1, submitted: 0 }], NOW)[0]!.due).toBe(true);
  });

  it('a later wave with nothing pending is not the next one', () => {
    const e = estimate(
      [
        { sendAt: later(60 * MIN), pending: 0, submitted: 3 },
        { sendAt: later(120 * MIN), pending: 60, submitted: 0 },
      ],
      60,
      NOW,
    );
    expect(e.nextWave).toEqual(later(120 * MIN));
    expect(e.eta).toEqual({ kind: 'next-wave', at: later(120 * MIN) });
    expect(e.finishAt).toEqual(later(121 * MIN));
  });

  it('is not done while as many are pending later as now', () => {
    const e = estimate(
      [
        { sendAt: null, pending: 5, submitted: 0 },
        { sendAt: later(60 * MIN), pending: 5, submitted: 0 },
      ],
      5,
      NOW,
    );
    expect(e.eta).toEqual({ kind: 'sending', minutes: 1, at: later(MIN) });
    expect(e.finishAt).toEqual(later(61 * MIN));
  });
});

describe('figures at their edges', () => {
  it('one minute is a minute, not "under a minute"', () => {
    expect(formatDuration(1)).toBe('about 1 min');
    expect(formatDuration(0.99)).toBe('under a minute');
  });

  it('a rate below zero is written as 0', () => {
    expect(formatRate(-3)).toBe('0');
    expect(formatRate(9.96)).toBe('10');
    expect(formatRate(10.4)).toBe('10');
  });
});
