// An issue's live progress as the editor pages show it: the send rate over the last minutes, when the
// rest should be out, and the waves of a local-time send. Pure: the numbers come from
// src/db/progress.ts, the clock from the caller, so every figure here is tested with fixed numbers.

/** The rate is measured over this much of the recent past. */
export const RATE_WINDOW_MS = 5 * 60_000;
/** A send that started a moment ago is measured over at least this long, so one batch is not a huge rate. */
export const RATE_FLOOR_MS = 60_000;

export interface RateSample {
  /** Deliveries submitted within the window (submitted_at ≥ now − window). */
  submitted: number;
  /** The earliest submitted_at within the window; null when none. */
  earliest: Date | null;
}

/**
 * Emails per minute over the last RATE_WINDOW_MS. When sending began inside the window, the rate is
 * over the time since then (at least RATE_FLOOR_MS): 200 emails in the first two minutes are 100 a
 * minute, not the 40 a five-minute window would say.
 */
export function sendRate(sample: RateSample, now: Date, windowMs = RATE_WINDOW_MS): number {
  if (sample.submitted <= 0 || !sample.earliest) return 0;
  const since = now.getTime() - sample.earliest.getTime();
  const span = Math.min(windowMs, Math.max(RATE_FLOOR_MS, since));
  return (sample.submitted * 60_000) / span;
}

/** Pending and submitted deliveries of one wave: one send time (null: as soon as the issue is planned). */
export interface Wave {
  sendAt: Date | null;
  pending: number;
  submitted: number;
}

export interface WaveView extends Wave {
  /** Due: its time has come (or it has none), so its pending deliveries are being sent now. */
  due: boolean;
}

/** Waves in time order ("at once" first), each marked due or not at `now`. */
export function orderWaves(waves: Wave[], now: Date): WaveView[] {
  return [...waves]
    .sort((a, b) => (a.sendAt?.getTime() ?? Number.NEGATIVE_INFINITY) - (b.sendAt?.getTime() ?? Number.NEGATIVE_INFINITY))
    .map((w) => ({ ...w, due: w.sendAt === null || w.sendAt.getTime() <= now.getTime() }));
}

export type Eta =
  /** Nothing pending. */
  | { kind: 'done' }
  /** Due deliveries are going out at `rate`: the last due one by `at`. */
  | { kind: 'sending'; at: Date; minutes: number }
  /** Due deliveries are waiting, but nothing was submitted lately: no rate to go by. */
  | { kind: 'waiting' }
  /** Nothing is due: the next wave starts at `at`. */
  | { kind: 'next-wave'; at: Date };

export interface Estimate {
  /** When the deliveries that are due now should all be submitted (or what is awaited instead). */
  eta: Eta;
  /** Pending deliveries whose time has come. */
  duePending: number;
  /** The next wave still to start, if any. */
  nextWave: Date | null;
  /**
   * When the whole issue should be out: the last wave's start plus its pending at the current rate
   * (each wave at least as late as the one before finished). Null without a rate, or when done.
   */
  finishAt: Date | null;
}

/** The ETA of an issue's pending deliveries: pending ÷ rate for what is due, else the next wave's time. */
export function estimate(waves: Wave[], ratePerMinute: number, now: Date): Estimate {
  const ordered = orderWaves(waves, now);
  const duePending = ordered.filter((w) => w.due).reduce((n, w) => n + w.pending, 0);
  const later = ordered.filter((w) => !w.due && w.pending > 0);
  const nextWave = later[0]?.sendAt ?? null;
  const pending = duePending + later.reduce((n, w) => n + w.pending, 0);
  if (pending === 0) return { eta: { kind: 'done' }, duePending: 0, nextWave: null, finishAt: null };

  const minutesFor = (n: number) => n / ratePerMinute;
  let eta: Eta;
  if (duePending > 0) {
    if (ratePerMinute > 0) {
      const minutes = minutesFor(duePending);
      eta = { kind: 'sending', minutes, at: new Date(now.getTime() + minutes * 60_000) };
    } else eta = { kind: 'waiting' };
  } else eta = { kind: 'next-wave', at: nextWave! };

  let finishAt: Date | null = null;
  if (ratePerMinute > 0) {
    // Walk the waves in order: each starts at its time or when the one before is out, whichever is later.
    let t = now.getTime() + minutesFor(duePending) * 60_000;
    for (const w of later) t = Math.max(t, w.sendAt!.getTime()) + minutesFor(w.pending) * 60_000;
    finishAt = new Date(t);
  }
  return { eta, duePending, nextWave, finishAt };
}

/** "about 3 min", "about 2 h 5 min", "under a minute". */
export function formatDuration(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  const m = Math.round(minutes);
  if (m < 60) return `about ${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? `about ${h} h` : `about ${h} h ${rest} min`;
}

/** Emails per minute for people: whole numbers from 10 up, one decimal below. */
export function formatRate(perMinute: number): string {
  if (perMinute <= 0) return '0';
  return perMinute >= 10 ? String(Math.round(perMinute)) : perMinute.toFixed(1).replace(/\.0$/, '');
}

/** Submitted of all that are to be sent (submitted, pending, failed), as a whole percentage. */
export function percentDone(c: { submitted: number; pending: number; failed: number }): number {
  const total = c.submitted + c.pending + c.failed;
  if (total === 0) return 0;
  // Never "100%" while something is still pending.
  const p = Math.floor((c.submitted * 100) / total);
  return c.pending > 0 ? Math.min(p, 99) : p;
}
