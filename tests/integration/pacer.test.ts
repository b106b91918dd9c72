// The shared pacer: one Redis key hands every worker process evenly spaced slots, each far enough
// ahead to serialise a batch before it is due, and a provider's retry-after pushes them all back.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createPacer, LEAD_MS, SLACK } from '../../src/send/pacer.ts';
import { REDIS_URL } from '../support/env.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';

// Slots are kept on Redis's clock and handed out on this machine's; reading the two clocks a moment
// apart can put a converted slot off by a millisecond either way.
const CLOCK_READ_MS = 2;
// A slot comes back as "this far from Redis's now" and is converted when the answer is read here, so a
// busy machine that reads one answer a few milliseconds later than the next shifts that slot by as
// much (seen: 3 ms with the suite running beside it). Spacing one slot from the next allows for that;
// the slack (SLACK) is wider, so no two slots are closer than the rate allows.
const RECEIPT_JITTER_MS = 4;

describe('pacer', () => {
  const prefix = testPrefix();
  const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await deleteKeys(prefix);
  });

  it('spaces slots from two workers evenly at the rate plus slack, each at least the lead ahead', async () => {
    const key = `${prefix}:pacer-spacing`;
    const workers = connections.map((c) => createPacer(c, key, () => 5));
    const before = Date.now();
    const slots: number[] = [];
    for (let i = 0; i < 8; i++) slots.push(await workers[i % 2]!.slot());
    expect(slots[0]).toBeGreaterThanOrEqual(before + LEAD_MS - CLOCK_READ_MS);
    const spacing = (1000 / 5) * SLACK;
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(spacing - RECEIPT_JITTER_MS);
    // No more than the rate in any second of slots.
    expect(slots[5]! - slots[0]!).toBeGreaterThanOrEqual(1000 - CLOCK_READ_MS);
  });

  it('pushes every worker past a hold, and follows a lowered rate', async () => {
    const key = `${prefix}:pacer-hold`;
    let rate = 10;
    const [a, b] = connections.map((c) => createPacer(c, key, () => rate));
    await a!.slot();
    const before = Date.now();
    await a!.hold(1500);
    expect(await b!.slot()).toBeGreaterThanOrEqual(before + 1500 - CLOCK_READ_MS);
    rate = 2;
    const first = await a!.slot();
    const second = await b!.slot();
    expect(second - first).toBeGreaterThanOrEqual(500 * SLACK - CLOCK_READ_MS);
  });
});
