// What `tagcast issue status` adds while an issue goes out: the rate, the ETA and the waves.
import { describe, expect, it } from 'vitest';
import { progressLines } from '../../src/cli/report.ts';

const now = new Date('2026-11-30T06:00:00Z');

describe('issue status while sending', () => {
  it('shows the rate, the ETA of what is due and each wave of a local-time issue', () => {
    const lines = progressLines(
      {
        // 200 sent in the last two minutes: 100 a minute.
        recent: { submitted: 200, earliest: new Date('2026-11-30T05:58:00Z') },
        waves: [
          { sendAt: new Date('2026-11-30T07:00:00Z'), pending: 300, submitted: 0 },
          { sendAt: new Date('2026-11-30T05:00:00Z'), pending: 500, submitted: 200 },
        ],
      },
      { localTime: '08:00', localDate: '2026-11-30' },
      now,
    );
    expect(lines).toEqual([
      '  rate:          100 emails/min · done in about 5 min (by 2026-11-30T06:05:00.000Z)',
      "  waves:         2026-11-30 08:00 in each reader's time zone",
      '    2026-11-30T05:00:00.000Z  200 sent · 500 pending',
      '    2026-11-30T07:00:00.000Z  0 sent · 300 pending (not yet due)',
    ]);
  });

  it('names the next wave when nothing is due, and says nothing when all is sent', () => {
    const waiting = progressLines({ recent: { submitted: 0, earliest: null }, waves: [{ sendAt: new Date('2026-11-30T07:00:00Z'), pending: 3, submitted: 0 }] }, { localTime: null, localDate: null }, now);
    expect(waiting).toEqual(['  rate:          0 emails/min · done in next wave at 2026-11-30T07:00:00.000Z']);
    expect(progressLines({ recent: { submitted: 0, earliest: null }, waves: [{ sendAt: null, pending: 0, submitted: 9 }] }, { localTime: null, localDate: null }, now)).toEqual([]);
  });
});
