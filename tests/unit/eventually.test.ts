// eventually(): the suite's one wait, which ends in a message naming what was awaited.
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';

describe('eventually', () => {
  it('resolves with the first truthy answer, async or not', async () => {
    let n = 0;
    expect(await eventually(() => ++n >= 3 && n, { what: 'three asks', every: 1 })).toBe(3);
    expect(await eventually(async () => ({ ok: true }), { what: 'an object' })).toEqual({ ok: true });
  });

  it('fails at the deadline naming what was awaited, or what was last seen', async () => {
    let seen = 0;
    await expect(eventually(() => (seen++, false), { what: () => `the count (it is ${seen})`, deadline: 0 })).rejects.toThrow('waiting for the count (it is 1)');
    await expect(eventually(() => false, { what: 'issue 7 sent', deadline: 30, every: 5 })).rejects.toThrow('timed out after 0.03 s waiting for issue 7 sent');
  });

  it('asks again after a throw, and names the last error if the deadline passes', async () => {
    let n = 0;
    expect(await eventually(() => { if (++n < 3) throw new Error('not yet'); return 'done'; }, { what: 'a third ask', every: 1 })).toBe('done');
    await expect(eventually(() => { throw new Error('connection refused'); }, { what: 'the server', deadline: 20, every: 5 })).rejects.toThrow(
      'timed out after 0.02 s waiting for the server; the last try threw: connection refused',
    );
  });

  it('stops at once when stopIf says why', async () => {
    let asks = 0;
    await expect(eventually(() => (asks++, false), { what: 'the listening line', stopIf: () => 'serve exited with code 1' })).rejects.toThrow(
      'stopped waiting for the listening line: serve exited with code 1',
    );
    expect(asks).toBe(1);
  });
});
