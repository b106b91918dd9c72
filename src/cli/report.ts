// Issue status and the end-of-run report, as editors read them in a terminal.
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import type { IssueProgress } from '../db/deliveries.ts';
import type { Issue } from '../db/issues.ts';
import type { IssueProgressDetail } from '../db/progress.ts';
import { issueName } from '../digest/week.ts';
import { issueOps, type IssueDetail } from '../editor/issues.ts';
import { estimate, formatDuration, formatRate, orderWaves, sendRate } from '../progress.ts';

/** Failure reasons shown by `issue status`, most common first. */
const TOP_REASONS = 3;
/** A reason for skipping readers names them when it holds at most this many. */
const NAMED_SKIPS = 3;

export interface SkipReason {
  reason: string;
  skipped: number;
  /** The first few of them, by address. */
  emails: string[];
}

/** An issue read on this process's database, reported (tagcast digest). */
export async function issueReport(db: Db, config: Config, issue: Issue, now = new Date()): Promise<string> {
  return reportOf(config, await issueOps({ db, config, now: () => now, actor: 'cli' }).get(issue.id), now);
}

/** `tagcast issue status`: the counts, and while it goes out its rate and waves; the same read here or through the API. */
export function reportOf(config: Pick<Config, 'emailProvider' | 'outboxDir'>, d: IssueDetail, now = new Date()): string {
  const live = d.progress.pending > 0 || d.issue.localTime ? progressLines(d.ledger, d.issue, now) : [];
  return [formatIssueReport(config, d.issue, d.progress, d.tags, d.failures, d.skips), ...live].join('\n');
}

/** While an issue goes out: its rate, when the rest should be out, and its waves when sent at local time. */
export function progressLines(d: Pick<IssueProgressDetail, 'recent' | 'waves'>, issue: Pick<Issue, 'localTime' | 'localDate'>, now: Date): string[] {
  const rate = sendRate(d.recent, now);
  const e = estimate(d.waves, rate, now);
  const lines: string[] = [];
  if (e.eta.kind !== 'done') {
    const eta =
      e.eta.kind === 'sending' ? `${formatDuration(e.eta.minutes)} (by ${e.eta.at.toISOString()})`
      : e.eta.kind === 'next-wave' ? `next wave at ${e.eta.at.toISOString()}`
      : 'waiting for a worker';
    lines.push(`  rate:          ${formatRate(rate)} emails/min · done in ${eta}${e.finishAt && e.eta.kind !== 'sending' ? ` · all out by ${e.finishAt.toISOString()}` : ''}`);
  }
  if (issue.localTime) {
    lines.push(`  waves:         ${issue.localDate} ${issue.localTime} in each reader's time zone`);
    for (const w of orderWaves(d.waves, now)) {
      lines.push(`    ${w.sendAt ? w.sendAt.toISOString() : 'at once'.padEnd(24)}  ${w.submitted} sent · ${w.pending} pending${w.due ? '' : ' (not yet due)'}`);
    }
  }
  return lines;
}

/** The report from its parts; also how `tagcast issue status` prints an issue read through the API. */
export function formatIssueReport(
  config: Pick<Config, 'emailProvider' | 'outboxDir'>,
  issue: Issue,
  p: IssueProgress,
  tags: { tag: string; readers: number }[],
  allReasons: { reason: string; failed: number }[],
  /** Why readers were skipped; without them (an older server's answer) the line says what skipping means. */
  skips?: SkipReason[],
): string {
  const reasons = allReasons.slice(0, TOP_REASONS);
  const lines = [
    `issue ${issue.id} · ${issueName(issue.week)} · engine ${issue.engine} · ${issue.status}${issue.statusReason ? ` (${issue.statusReason})` : ''}`,
    ...(issue.againOf ? [`  correction:    ${correctionText(issue)}`] : []),
    `  readers sent:  ${p.submitted}`,
    `  skipped:       ${p.skipped}${skippedWhy(p.skipped, skips)}`,
    `  failed:        ${p.failed}${failedWhy(p.failed, reasons)}`,
  ];
  if (p.pending > 0) lines.push(`  pending:       ${p.pending}`);
  if (config.emailProvider === 'outbox' && issue.delivered + issue.bounced + issue.complained + issue.opened === 0) {
    // The outbox writes files: nothing will ever report a delivery, an open or a click, so zeros would read as a failure.
    if (p.submitted > 0) lines.push(`  reported:      none: the outbox writes files, so no delivery, open or click events come back (Resend reports them)`);
  } else if (issue.delivered + issue.bounced + issue.complained + issue.opened > 0 || p.submitted > 0) {
    const rate = p.submitted > 0 ? ((issue.complained / p.submitted) * 100).toFixed(2) : '0.00';
    lines.push(
      `  reported:      ${issue.delivered} delivered · ${issue.bounced} bounced · ${issue.complained} complained (${rate}%) · ${issue.opened} opened · ${issue.clicked} clicked`,
    );
  }
  if (tags.length > 0) lines.push(`  readers per tag: ${tags.map((t) => `${t.tag} ${t.readers}`).join(' · ')}`);
  // The outbox folder exists once an email of the issue was written to it.
  if (config.emailProvider === 'outbox') {
    if (p.submitted > 0) lines.push(`  outbox:        ${path.join(config.outboxDir, String(issue.id))}`);
  }
  else lines.push(`  provider:      ${config.emailProvider}`);
  return lines.join('\n');
}

/** Skipped readers' reasons in a reader's words. */
const SKIP_WORDS: Record<string, string> = {
  'no followed tag has content this week': 'none of their tags has content in the issue\'s week',
  'issue cancelled': 'the issue was cancelled before their email went out',
  'subscriber unsubscribed': 'unsubscribed after the issue was planned',
  'subscriber bounced': 'their address bounced after the issue was planned',
  'subscriber complained': 'marked an email as spam after the issue was planned',
  'subscriber paused': 'paused after the issue was planned',
  suppressed: 'their address is suppressed',
};

/**
 * " (ada@example.com: none of their tags has content this week)", or with several reasons
 * " (5 × none of their tags …; 1 × unsubscribed after … : bob@example.com)": addresses when few.
 */
export function skippedWhy(skipped: number, skips: SkipReason[] | undefined): string {
  if (skipped === 0) return '';
  if (!skips || skips.length === 0) return ' (none of their tags has content this week, or they left)';
  const one = (r: SkipReason, counted: boolean) => {
    const why = SKIP_WORDS[r.reason] ?? r.reason;
    const who = r.skipped <= NAMED_SKIPS && r.emails.length === r.skipped ? r.emails.join(', ') : '';
    if (!counted) return who ? `${who}: ${why}` : why;
    return `${r.skipped} × ${why}${who ? `: ${who}` : ''}`;
  };
  if (skips.length === 1 && skips[0]!.skipped === skipped) return ` (${one(skips[0]!, false)})`;
  const rest = skipped - skips.reduce((n, r) => n + r.skipped, 0);
  return ` (${[...skips.map((r) => one(r, true)), ...(rest > 0 ? [`${rest} more`] : [])].join('; ')})`;
}

/** " (render: …)" when every failure has one reason, else " (2 × render: …; 1 × …; 3 more)". */
export function failedWhy(failed: number, reasons: { reason: string; failed: number }[]): string {
  if (reasons.length === 0) return '';
  const short = (r: string) => {
    const one = r.replace(/\s+/g, ' ').trim();
    return one.length > 120 ? `${one.slice(0, 119)}…` : one;
  };
  if (reasons.length === 1 && reasons[0]!.failed === failed) return ` (${short(reasons[0]!.reason)})`;
  const rest = failed - reasons.reduce((n, r) => n + r.failed, 0);
  return ` (${[...reasons.map((r) => `${r.failed} × ${short(r.reason)}`), ...(rest > 0 ? [`${rest} more`] : [])].join('; ')})`;
}

/** One issue per line, tab-separated: id, ISO week, its name ("Week 48 · 23–29 Nov 2026"), engine, status, subject … */
export function issueLine(i: Issue): string {
  const when = i.sendAt ? ` send_at ${i.sendAt.toISOString()}` : '';
  // An id is never 0; JSON from an older server has no againOf at all.
  const again = i.againOf ? `\t${correctionText(i)}` : '';
  return `${i.id}\t${i.week}\t${issueName(i.week)}\t${i.engine}\t${i.status}${i.statusReason ? ` (${i.statusReason})` : ''}\t${i.subject ?? '(per-reader subject)'}${when}${again}`;
}

/** How an issue that sends its week again is named everywhere: "correction of issue 1: reason". */
export function correctionText(i: Pick<Issue, 'againOf' | 'againReason'>): string {
  return `correction of issue ${i.againOf}: ${i.againReason ?? ''}`;
}
