// Spaces provider requests evenly across every worker process, at the moment of the request.
// BullMQ's limiter paces job *starts*; the time from start to request varies with rendering and with
// serialising the request, so requests still bunch, and a bunch that straddles the provider's window
// boundary earns 429s. One Redis key holds the next free slot (Redis's own clock, so machines' clocks
// do not matter). Each request takes a slot at least LEAD_MS ahead, is serialised meanwhile, and is
// held by the provider until the slot: what reaches the provider is evenly spaced.
import type { RedisClient } from '../queue.ts';

const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
local lead = tonumber(ARGV[3])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now + hold + lead, nextFree)
if hold > 0 then
  redis.call('SET', KEYS[1], slot, 'PX', hold + 60000)
  return 0
end
redis.call('SET', KEYS[1], slot + spacing, 'PX', math.ceil(slot + spacing - now) + 60000)
return slot - now`;

/** Requests are spaced this much wider than the rate allows: room for the jitter that is left (a
 * timer that fires a little late). */
export const SLACK = 1.02;

/** A request's slot is at least this far ahead: time to serialise ~5 MB of batch before it is due. */
export const LEAD_MS = 150;

export interface Pacer {
  /** Takes the next free slot: when (ms since the epoch, this machine's clock) the request may go. */
  slot(): Promise<number>;
  /** Pushes every worker's next request back by ms (the provider said retry-after). */
  hold(ms: number): Promise<void>;
}

export function createPacer(redis: RedisClient, key: string, perSecond: () => number): Pacer {
  const take = async (hold: number, lead: number) => Number(await redis.eval(TAKE_SLOT, 1, key, String((1000 / perSecond()) * SLACK), String(hold), String(lead)));
  return {
    async slot() {
      return Date.now() + (await take(0, LEAD_MS));
    },
    async hold(ms: number) {
      await take(Math.ceil(ms), 0);
    },
  };
}
