// A low-rate worker collects garbage after each batch (WorkerOptions.collectAfterBatches) through the gc
// that V8 exposes once asked from code: no --expose-gc at start.
import { describe, expect, it } from 'vitest';
import { garbageCollector } from '../../src/workers.ts';

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
