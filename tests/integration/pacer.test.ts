// The shared pacer: one Redis key hands every worker process evenly spaced slots, each far enough
// ahead to serialise a batch before it is due, and a provider's retry-after pushes them all back.
// Spacing is read from the key itself (Redis's clock, where the slots are kept), so how quickly this
// machine reads each answer cannot move it; what is checked on this machine's clock is only that a slot
// is never earlier than the pacer promised.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPacer, LEAD_MS, SLACK, sentLogKey, WINDOW_MARGIN_MS, WINDOW_MS } from '../../src/send/pacer.ts';
import { REDIS_URL } from '../support/env.ts';
import { deleteKeys, testPrefix } from '../support/redis.ts';

describe('pacer', () => {
  const prefix = testPrefix();
  const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await deleteKeys(prefix);
  });
  /** The next free slot the key holds (ms, Redis's clock): the slot just taken plus the spacing. */
  const nextFree = async (key: string) => Number(await connections[0]!.get(key));

  it('spaces slots from two workers evenly at the rate plus slack, each at least the lead ahead', async () => {
    const key = `${prefix}:pacer-spacing`;
    const workers = connections.map((c) => createPacer(c, key, () => 5));
    const spacing = (1000 / 5) * SLACK;
    const before = Date.now();
    const slots: number[] = [];
    for (let i = 0; i < 8; i++) {
      const { at } = await workers[i % 2]!.slot();
      if (i === 0) expect(at).toBeGreaterThanOrEqual(before + LEAD_MS);
      slots.push((await nextFree(key)) - spacing);
    }
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeCloseTo(spacing, 6);
    // No more than the rate in any second of slots.
    expect(slots[5]! - slots[0]!).toBeGreaterThan(1000);
  });

  it('pushes every worker past a hold, and follows a lowered rate', async () => {
    const key = `${prefix}:pacer-hold`;
    let rate = 10;
    const [a, b] = connections.map((c) => createPacer(c, key, () => rate));
    await a!.slot();
    const before = Date.now();
    await a!.hold(1500);
    // Redis runs on this machine's clock here: the held slot is no earlier on it than on Redis's.
    expect((await b!.slot()).at).toBeGreaterThanOrEqual(before + 1500);
    rate = 2;
    await a!.slot();
    const first = await nextFree(key);
    await b!.slot();
    // At least the new spacing (here more: the slot before `first` was spaced at the old rate, and no
    // second may hold more than the new one).
    expect((await nextFree(key)) - first).toBeGreaterThanOrEqual(500 * SLACK);
  });

  it('puts a request at least a second and the margin after the one `rate` slots before it really left', async () => {
    const key = `${prefix}:pacer-late`;
    const pacer = createPacer(connections[0]!, key, () => 5);
    const spacing = (1000 / 5) * SLACK;
    const first = await pacer.slot();
    const firstSlot = (await nextFree(key)) - spacing;
    // The first request leaves 60 ms after its slot (a busy event loop): it opens the provider's window late.
    await sleep(first.at - Date.now() + 60);
    first.sent();
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.slot();
      slots.push((await nextFree(key)) - spacing);
    }
    const left = Number(await connections[0]!.zscore(sentLogKey(key), firstSlot.toFixed(3)));
    expect(left).toBeGreaterThanOrEqual(firstSlot + 60);
    // The fifth after it is pushed past the provider's second from when the first really left, not from
    // its slot; the ones between keep their spacing.
    expect(slots[4]! - left).toBeGreaterThanOrEqual(WINDOW_MS + WINDOW_MARGIN_MS);
    for (let i = 1; i < 4; i++) expect(slots[i]! - slots[i - 1]!).toBeCloseTo(spacing, 6);
  });
});
