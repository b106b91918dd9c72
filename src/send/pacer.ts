// Spaces provider requests evenly across every worker process, at the moment of the request.
// BullMQ's limiter paces job *starts*; the time from start to request varies with rendering and with
// serialising the request, so requests still bunch, and a bunch that straddles the provider's window
// boundary earns 429s. One Redis key holds the next free slot (Redis's own clock, so machines' clocks
// do not matter). Each request takes a slot at least LEAD_MS ahead, is serialised meanwhile, and is
// held by the provider until the slot: what reaches the provider is evenly spaced.
//
// A request can still leave late (a busy event loop fires its timer late, and never early), and one
// late request opens the provider's one-second window late, so the request `rate` slots after it could
// fall into that window as one too many. A second key logs when each request really left, if it left
// more than LATE_MS after its slot (until then, its slot): a new slot is also at least a second and
// WINDOW_MARGIN_MS after the rate-th latest of them, which is the provider's own rule (no more than
// `rate` in any second) with room for the trip. The slack pays for both: `rate` slots span a second and
// LATE_MS + WINDOW_MARGIN_MS, so an issue sent on time is never pushed and loses only the slack.
import type { RedisClient } from '../queue.ts';

const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
local lead = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local after = tonumber(ARGV[5])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now + hold + lead, nextFree)
if hold > 0 then
  redis.call('SET', KEYS[1], slot, 'PX', hold + 60000)
  return {0, ''}
end
local back = redis.call('ZREVRANGE', KEYS[2], rate - 1, rate - 1, 'WITHSCORES')
if back[2] then slot = math.max(slot, tonumber(back[2]) + after) end
local id = string.format('%.3f', slot)
redis.call('SET', KEYS[1], slot + spacing, 'PX', math.ceil(slot + spacing - now) + 60000)
redis.call('ZADD', KEYS[2], slot, id)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(2 * rate + 1))
redis.call('PEXPIRE', KEYS[2], math.ceil(slot - now) + 60000)
return {math.floor(slot - now), id}`;

// The moment a request left, on Redis's clock, when that was more than LATE_MS after its slot.
const SENT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and now > tonumber(at) + tonumber(ARGV[2]) then redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1]) end
return 0`;

/** Requests are spaced this much wider than the rate allows: `rate` of them span a second and 15 ms,
 * room for a request that leaves a little late (LATE_MS) and for the trip (WINDOW_MARGIN_MS). */
export const SLACK = 1.015;

/** A request's slot is at least this far ahead: time to serialise ~5 MB of batch before it is due. */
export const LEAD_MS = 150;

/** The provider's window, and how much later than a second after the rate-th latest request a new one
 * goes: room for the trip (one request reaching the provider a little slower than another). */
export const WINDOW_MS = 1000;
export const WINDOW_MARGIN_MS = 10;
/** How late a request may leave before it counts as late: a timer's usual millisecond or few, which the
 * slack absorbs (rate × spacing = WINDOW_MS + LATE_MS + WINDOW_MARGIN_MS). */
export const LATE_MS = Math.round(WINDOW_MS * (SLACK - 1)) - WINDOW_MARGIN_MS;

export interface Slot {
  /** When the request may go (ms since the epoch, this machine's clock). */
  at: number;
  /** Says the request has left: a late one pushes back the slots a second after it. Never throws. */
  sent(): void;
}

export interface Pacer {
  /** Takes the next free slot. */
  slot(): Promise<Slot>;
  /** Pushes every worker's next request back by ms (the provider said retry-after). */
  hold(ms: number): Promise<void>;
}

/** The log of when requests left, beside the slot key (the same hash tag, for Redis Cluster). */
export const sentLogKey = (key: string) => `${key}:sent`;

export function createPacer(redis: RedisClient, key: string, perSecond: () => number): Pacer {
  const log = sentLogKey(key);
  const take = async (hold: number, lead: number) => {
    const rate = Math.max(1, Math.floor(perSecond()));
    const args = [String((1000 / perSecond()) * SLACK), String(hold), String(lead), String(rate), String(WINDOW_MS + WINDOW_MARGIN_MS)];
    const [ahead, id] = (await redis.eval(TAKE_SLOT, 2, key, log, ...args)) as [number, string];
    return { ahead: Number(ahead), id };
  };
  return {
    async slot() {
      const { ahead, id } = await take(0, LEAD_MS);
      // The slot comes back as "this far from Redis's now"; counting from when the answer is read here
      // (not from when the question was sent) puts it no earlier on this machine's clock than on Redis's,
      // so with one clock (Redis on this machine, or clocks in step) a request never goes before its slot.
      const at = Date.now() + ahead;
      return {
        at,
        sent: () => {
          // Only a late request moves anything; one that left on time is logged at its slot already.
          // (`at` is no earlier than the slot on Redis's clock, so this never misses a late one by more
          // than the answer's trip.)
          if (Date.now() > at + LATE_MS) redis.eval(SENT, 1, log, id, String(LATE_MS)).catch(() => undefined);
        },
      };
    },
    async hold(ms: number) {
      await take(Math.ceil(ms), 0);
    },
  };
}
