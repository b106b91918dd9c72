// The issue-state transition table (src/issues.ts): what the operations refuse by and the admin page
// shows its buttons by; and the words editors read about issues and weeks.
import { describe, expect, it } from 'vitest';
import { resumedLine } from '../../src/cli/issue.ts';
import { formatIssueReport } from '../../src/cli/report.ts';
import type { Issue, IssueStatus } from '../../src/db/issues.ts';
import { suggestWeek } from '../../src/editor/issues.ts';
import { allowedActions, canDo, ISSUE_TRANSITIONS, refusalOf } from '../../src/issues.ts';
import { sentence } from '../../src/web/admin/issues.tsx';
import { weekOption } from '../../src/web/views/admin/issues.tsx';

const PLANNED = new Date('2026-11-30T08:00:00Z');
const at = (status: IssueStatus, planned = false) => ({ id: 7, status, plannedAt: planned ? PLANNED : null });

describe('the issue transition table', () => {
  it('allows each action from exactly the statuses it names', () => {
    expect(allowedActions(at('draft'))).toEqual(['schedule', 'send', 'cancel']);
    expect(allowedActions(at('scheduled'))).toEqual(['schedule', 'send', 'pause', 'resume', 'cancel']);
    // A scheduled issue whose ledger is written (a local-time one, an hour early) can no longer move.
    expect(allowedActions(at('scheduled', true))).toEqual(['pause', 'resume', 'cancel']);
    expect(allowedActions(at('paused'))).toEqual(['schedule', 'send', 'resume', 'cancel']);
    expect(allowedActions(at('paused', true))).toEqual(['resume', 'cancel']);
    expect(allowedActions(at('sending', true))).toEqual(['pause', 'resume', 'cancel']);
    expect(allowedActions(at('sent', true))).toEqual(['again']);
    expect(allowedActions(at('cancelled'))).toEqual([]);
    expect(allowedActions(at('failed', true))).toEqual([]);
  });

  it('names every action once, and only "again" leaves a sent issue', () => {
    expect(Object.keys(ISSUE_TRANSITIONS).sort()).toEqual(['again', 'cancel', 'pause', 'resume', 'schedule', 'send']);
    for (const [action, t] of Object.entries(ISSUE_TRANSITIONS)) expect(t.from.includes('sent'), action).toBe(action === 'again');
    expect(canDo('send', at('draft'))).toBe(true);
    expect(canDo('send', at('draft', true))).toBe(false);
  });

  it('says why an action is refused, in the editor\'s words', () => {
    expect(refusalOf('pause', at('draft'))).toBe('issue 7 is draft; only a scheduled or sending issue can be paused');
    expect(refusalOf('cancel', at('sent', true))).toBe('issue 7 is sent; it can no longer be cancelled');
    expect(refusalOf('send', at('sent', true))).toBe('issue 7 is sent; it can no longer be sent');
    expect(refusalOf('schedule', at('scheduled', true))).toBe('issue 7 is already scheduled (its readers are fixed); it can no longer be scheduled');
    expect(refusalOf('again', at('draft'))).toBe('issue 7 is draft; only a sent issue can be sent again');
  });
});

describe('weeks as an editor thinks of them', () => {
  const w = (week: string, summaries: number, issue: { id: number; status: IssueStatus } | null = null) => ({ week, summaries, issue });
  const now = new Date('2026-11-25T12:00:00Z'); // 2026-W48

  it('suggests the next week with content and no issue, from this week on', () => {
    const weeks = [w('2026-W50', 2), w('2026-W49', 3), w('2026-W48', 4, { id: 3, status: 'sent' }), w('2026-W47', 1)];
    expect(suggestWeek(weeks, now)).toBe('2026-W49');
    // Every week from now on has an issue: the newest open one before it.
    expect(suggestWeek([w('2026-W48', 4, { id: 3, status: 'scheduled' }), w('2026-W46', 1), w('2026-W45', 1)], now)).toBe('2026-W46');
    expect(suggestWeek([w('2026-W48', 4, { id: 3, status: 'sent' })], now)).toBeNull();
  });

  it('marks a week sent or scheduled in the list, with how many summaries', () => {
    expect(weekOption(w('2026-W48', 1, { id: 4, status: 'sent' }))).toBe('Week 48 · 23–29 Nov 2026 · 1 summary · sent (issue 4)');
    expect(weekOption(w('2026-W49', 3))).toBe('Week 49 · 30 Nov – 6 Dec 2026 · 3 summaries');
  });
});

describe('words', () => {
  it('opens a reason with a capital, except an address', () => {
    expect(sentence('the address to send to: missing')).toBe('The address to send to: missing.');
    expect(sentence('edsger@example.com gets no email')).toBe('edsger@example.com gets no email.');
    expect(sentence('Done!')).toBe('Done!');
  });

  it('says what resuming gives, with plurals', () => {
    const base = { id: 3, sendAt: new Date('2030-03-04T09:30:00Z') };
    expect(resumedLine({ ...base, status: 'scheduled', plannedAt: null }, 0)).toBe('issue 3 scheduled: it goes out at 2030-03-04T09:30:00.000Z');
    expect(resumedLine({ ...base, status: 'sending', plannedAt: PLANNED }, 1)).toBe('issue 3 sending again: 1 batch of readers still to go');
    expect(resumedLine({ ...base, status: 'sending', plannedAt: PLANNED }, 2)).toBe('issue 3 sending again: 2 batches of readers still to go');
  });

  it('names the outbox folder only once an email was written there', () => {
    const issue = { id: 5, week: '2026-W48', engine: 'react', status: 'draft', statusReason: null, againOf: null, delivered: 0, bounced: 0, complained: 0, opened: 0, clicked: 0 } as unknown as Issue;
    const config = { emailProvider: 'outbox' as const, outboxDir: '/tmp/outbox' };
    const none = { submitted: 0, failed: 0, skipped: 0, pending: 0 };
    expect(formatIssueReport(config, issue, none, [], [])).not.toContain('outbox');
    expect(formatIssueReport(config, { ...issue, status: 'sent' }, { ...none, submitted: 2 }, [], [])).toContain('outbox:        /tmp/outbox/5');
  });
});
