// A low-rate worker collects garbage after each batch (WorkerOptions.collectAfterBatches) through the gc
// that V8 exposes once asked from code: no --expose-gc at start.
import { describe, expect, it } from 'vitest';
import { garbageCollector, spacedCollections } from '../../src/workers.ts';

describe('garbageCollector', () => {
  it('collects at once what nothing holds any more', () => {
    const gc = garbageCollector();
    gc();
    const before = process.memoryUsage().heapUsed;
    let held: string[] | undefined = Array.from({ length: 200_000 }, (_, i) => `a batch's worth of strings ${i}`.repeat(4));
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(20 * 2 ** 20);
    held = undefined;
    gc();
    expect(held).toBeUndefined();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5 * 2 ** 20);
  });
});

describe('spacedCollections', () => {
  /** A clock the test moves by hand, and the timers set on it. */
  function manualClock() {
    let t = 1_000;
    const timers: { at: number; fn: () => void }[] = [];
    return {
      clock: { now: () => t, later: (fn: () => void, ms: number) => void timers.push({ at: t + ms, fn }) },
      advance(ms: number) {
        t += ms;
        for (const due of timers.filter((x) => x.at <= t)) {
          timers.splice(timers.indexOf(due), 1);
          due.fn();
        }
      },
      pending: () => timers.length,
    };
  }

  it('collects at once when the last collection is a gap ago', () => {
    const m = manualClock();
    let n = 0;
    const c = spacedCollections(() => n++, 400, m.clock);
    c.request();
    expect(n).toBe(1);
    m.advance(400);
    c.request();
    expect(n).toBe(2);
  });

  it('defers a request within the gap to its end instead of dropping it, one pending at most', () => {
    const m = manualClock();
    let n = 0;
    const c = spacedCollections(() => n++, 400, m.clock);
    c.request();
    m.advance(100);
    c.request();
    c.request();
    expect(n).toBe(1);
    expect(m.pending()).toBe(1);
    m.advance(299);
    expect(n).toBe(1);
    m.advance(1);
    expect(n).toBe(2);
    // The deferred one counts as the last: a request right after it waits again.
    c.request();
    expect(n).toBe(2);
    m.advance(400);
    expect(n).toBe(3);
  });
});
