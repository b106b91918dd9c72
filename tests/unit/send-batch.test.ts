// The send-batch job's pure parts: who is skipped on a first attempt, results from the provider's
// answer, when a far slot needs a longer lease, and the counts a job reports.
import { describe, expect, it } from 'vitest';
import { counts, leaseStretch, readersWhoLeft, resultsFromOutcomes } from '../../jobs/send-batch.ts';
import { batchDelays } from '../../src/enqueue.ts';
import type { LeasedDelivery } from '../../src/db/deliveries.ts';

const d = (subscriberId: number, o: Partial<LeasedDelivery> = {}): LeasedDelivery => ({ subscriberId, email: `r${subscriberId}@x.example`, name: null, status: 'active', suppressed: false, paused: false, sections: ['ai'], density: 'full', attempts: 1, ...o });

describe('send-batch helpers', () => {
  it('skips readers who left or paused since planning on the first attempt only, so every retry sends the same emails', () => {
    const leased = [
      d(1),
      d(2, { status: 'unsubscribed' }),
      d(3, { suppressed: true }),
      d(4, { status: 'bounced', attempts: 2 }),
      d(5, { paused: true }),
      d(6, { paused: true, attempts: 2 }),
    ];
    expect(readersWhoLeft(leased)).toEqual([
      { subscriberId: 2, status: 'skipped', providerId: null, error: 'subscriber unsubscribed' },
      { subscriberId: 3, status: 'skipped', providerId: null, error: 'suppressed' },
      { subscriberId: 5, status: 'skipped', providerId: null, error: 'subscriber paused' },
    ]);
  });

  it("maps the provider's answer to each reader by the email's index, failing a reader it did not answer for", () => {
    const readers = [{ subscriberId: 7, index: 0 }, { subscriberId: 8, index: 1 }, { subscriberId: 9, index: 2 }];
    const results = resultsFromOutcomes(readers, [
      { index: 1, status: 'rejected', error: 'invalid to' },
      { index: 0, status: 'accepted', providerId: 'p-0' },
    ]);
    expect(results).toEqual([
      { subscriberId: 7, status: 'submitted', providerId: 'p-0', error: null },
      { subscriberId: 8, status: 'failed', providerId: null, error: 'invalid to' },
      { subscriberId: 9, status: 'failed', providerId: null, error: 'provider gave no outcome' },
    ]);
    expect(counts([...results, { subscriberId: 1, status: 'skipped', providerId: null, error: 'x' }])).toEqual({ submitted: 1, failed: 2, skipped: 1 });
  });

  it('stretches the lease only when the slot plus a whole request would outlive what is left of it', () => {
    const base = { now: 10_000, startedAt: 0, timeoutMs: 5_000, leaseMs: 60_000 };
    // 50 s of lease left; the request may take until slot + 5 s.
    expect(leaseStretch({ ...base, notBefore: 10_000 })).toBeNull();
    expect(leaseStretch({ ...base, notBefore: 55_000 })).toBeNull();
    expect(leaseStretch({ ...base, notBefore: 56_000 })).toBe(51_000 + 60_000);
  });

  it('delays each batch job until its wave, and not at all once the time has passed', () => {
    const now = new Date('2026-11-30T06:00:00Z');
    expect(batchDelays([{ batch: 0, sendAt: null }, { batch: 1, sendAt: new Date('2026-11-30T05:00:00Z') }, { batch: 2, sendAt: new Date('2026-11-30T07:30:00Z') }], now)).toEqual([
      { batch: 0, delayMs: 0 },
      { batch: 1, delayMs: 0 },
      { batch: 2, delayMs: 90 * 60_000 },
    ]);
  });
});
