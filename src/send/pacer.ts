// Spaces provider requests evenly across every worker process, at the moment of the request.
// BullMQ's limiter paces job *starts*; the time from start to request varies with rendering, so
// requests still bunch and a bunch that straddles the provider's window boundary earns 429s. One
// Redis key holds the next free slot (Redis's own clock, so machines' clocks do not matter); each
// request takes a slot and waits for it.
import type { Redis } from 'ioredis';

const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now + hold, nextFree)
if hold > 0 then
  redis.call('SET', KEYS[1], slot, 'PX', hold + 60000)
  return 0
end
redis.call('SET', KEYS[1], slot + spacing, 'PX', math.ceil(slot + spacing - now) + 60000)
return slot - now`;

export interface Pacer {
  /** Waits for this worker's turn to call the provider. */
  wait(): Promise<void>;
  /** Pushes every worker's next request back by ms (the provider said retry-after). */
  hold(ms: number): Promise<void>;
}

export function createPacer(redis: Redis, key: string, perSecond: () => number): Pacer {
  const take = async (hold: number) => Number(await redis.eval(TAKE_SLOT, 1, key, String((1000 / perSecond()) * 1.04), String(hold)));
  return {
    async wait() {
      const ms = await take(0);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    },
    async hold(ms: number) {
      await take(Math.ceil(ms));
    },
  };
}
