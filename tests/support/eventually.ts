// The one way a test waits for something another process, a worker or a timer brings about: ask again
// and again until the answer is truthy, and give up at a deadline with a message that names what was
// awaited (and the last error, if asking threw) instead of running into the test's timeout, which says
// only that the test took too long. No test polls in a loop of its own.

export interface Eventually {
  /**
   * What is awaited, as the failure message says it: "issue 3 sent", "the listening line"; a function
   * when the message should say what was last seen.
   */
  what: string | (() => string);
  /** Milliseconds from the first ask; below the test timeout, so this message is the one a failure shows. */
  deadline?: number;
  /** Milliseconds between asks. */
  every?: number;
  /** Asked after each miss; its message ends the wait at once (a child process that exited, say). */
  stopIf?: () => string | undefined | false;
}

/**
 * Default deadline: generous for a send on a busy two-core machine (six suites at once), and still below
 * the integration and browser tests' 120 s timeout.
 */
export const DEADLINE = 90_000;

/**
 * Resolves with fn's first truthy answer. fn may be async; an answer that throws counts as not yet
 * (and is reported if the deadline passes). Fails with `timed out after N s waiting for WHAT`.
 */
export async function eventually<T>(fn: () => T | Promise<T>, { what, deadline = DEADLINE, every = 25, stopIf }: Eventually): Promise<NonNullable<T>> {
  const end = Date.now() + deadline;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = undefined;
    } catch (e) {
      last = e;
    }
    const stopped = stopIf?.();
    const name = () => (typeof what === 'string' ? what : what());
    if (stopped) throw new Error(`stopped waiting for ${name()}: ${stopped}`);
    if (Date.now() >= end) {
      const why = last === undefined ? '' : `; the last try threw: ${last instanceof Error ? last.message : String(last)}`;
      throw new Error(`timed out after ${deadline / 1000} s waiting for ${name()}${why}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, every));
  }
}
