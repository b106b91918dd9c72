// Issues: list, read with progress, create (or a sent week again), schedule at a time or at each
// reader's local time, send now, pause, resume, cancel, test send, and what the admin pages show with
// them (readers reached, tag combinations). The rules are in src/issues.ts (its transition table) and
// src/db/; this is the editor's operation over them, the same for every face.
import type { Engine } from '../config.ts';
import { failureReasons, issueProgress, sectionCounts, skipReasons } from '../db/deliveries.ts';
import { getIssue, listIssues, readersForWeek, weeksWithIssues, type Issue, type WeekIssue } from '../db/issues.ts';
import { isoWeek, issueName } from '../digest/week.ts';
import { issueProgressDetail, type IssueProgressDetail } from '../db/progress.ts';
import { plannedCombinations, subscriberForPreview, tagNamesBySlug, weekCombinations } from '../db/report.ts';
import {
  cancelIssue,
  createWeekIssue,
  IssueStateError,
  pauseIssue,
  resumeIssue,
  scheduleIssue,
  scheduleIssueLocal,
  sendIssueNow,
  WeekTakenError,
} from '../issues.ts';
import { RATE_WINDOW_MS } from '../progress.ts';
import { TestSendError, type TestSendRefusal } from '../send/test-send.ts';
import { normaliseEmail } from '../lib/mail.ts';
import { sendingProblem } from '../publication.ts';
import { queuesOf, type EditorDeps } from './deps.ts';
import { EditorError, invalid, notFound, type EditorErrorKind } from './errors.ts';

/** Failure reasons listed with an issue, most common first. */
const REASONS = 10;
/** Skip reasons listed with an issue, and how many readers each names by address. */
const SKIP_REASONS = 3;
const NAMED_SKIPS = 3;

/** An issue as the editor's actions give it: the stored row and its one name ("Week 48 · 23–29 Nov 2026", issueName). */
export type NamedIssue = Issue & { name: string };
const named = (i: Issue): NamedIssue => ({ ...i, name: issueName(i.week) });

export interface IssueDetail {
  issue: NamedIssue;
  /** total: the deliveries owed (sent, failed or still pending); skipped ones are counted apart. */
  progress: { submitted: number; total: number; failed: number; skipped: number; pending: number };
  failures: { reason: string; failed: number }[];
  tags: { tag: string; readers: number }[];
  /** Why readers were skipped, most common first, each naming the first few by address. */
  skips: { reason: string; skipped: number; emails: string[] }[];
  /** The ledger read at the operation's now: rate sample, waves, skip reasons, provider outcomes. */
  ledger: IssueProgressDetail;
}

/** An issue as an action left it, with how many readers its week reaches (the count editors confirm with). */
export interface IssueReach {
  issue: NamedIssue;
  readers: number;
}

export interface IssueCombinations {
  issue: Issue;
  /** Planned: the combinations frozen in the ledger; else the week's as readers follow tags now. */
  frozen: boolean;
  /** Tag names per combination with content, and how many readers get it. */
  rows: { names: string[]; readers: number }[];
  /** Readers none of whose tags has content. */
  nothing: number;
  total: number;
}

export interface IssueWeeks {
  /** Every week with summaries, newest first, with the issue that holds it (sent, scheduled, draft …). */
  weeks: WeekIssue[];
  /** The week to offer first: the next one with content and no issue (from this week on), else the newest such. */
  suggested: string | null;
}

/** The week an editor most likely wants an issue for next. */
export function suggestWeek(weeks: WeekIssue[], now: Date): string | null {
  const open = weeks.filter((w) => w.issue === null && w.summaries > 0).map((w) => w.week).sort();
  const current = isoWeek(now);
  return open.find((w) => w >= current) ?? open.at(-1) ?? null;
}

export interface NewIssueInput {
  week: string;
  /** Default: TEMPLATE_ENGINE. */
  engine?: Engine | undefined;
  subject?: string | null | undefined;
  /** A week already sent, again on purpose, with the editor's reason (a correction in the archive). */
  again?: { reason: string } | undefined;
}

export interface TestSendInput {
  to: string;
  /** Whose digest: a subscriber by id or by address; neither: every tag of the issue's week. */
  subscriberId?: number | undefined;
  as?: string | undefined;
}

export interface IssueOps {
  list(): Promise<NamedIssue[]>;
  get(id: number): Promise<IssueDetail>;
  /** A week taken is a 'conflict' with `details.existing` (id and status of the issue holding it). */
  create(input: NewIssueInput): Promise<NamedIssue>;
  /** For everyone at `at`; a time now or past sends it now. `timeZone`: the zone it was chosen in (shown back). */
  schedule(id: number, input: { at: Date; timeZone?: string | undefined }): Promise<IssueReach>;
  /** At `localTime` on `date` in each reader's own zone. */
  scheduleLocal(id: number, input: { localTime: string; date: string }): Promise<IssueReach>;
  send(id: number): Promise<IssueReach>;
  pause(id: number): Promise<NamedIssue>;
  /** A paused issue goes on; a scheduled or sending one gets back every job its ledger still owes. */
  resume(id: number): Promise<{ issue: NamedIssue; batches: number }>;
  cancel(id: number): Promise<NamedIssue>;
  /** One "[Test]" email through the provider; not a delivery. */
  test(id: number, input: TestSendInput): Promise<{ providerId: string | null }>;
  /** How many readers the issue's week reaches now (before it is planned). */
  readers(id: number): Promise<IssueReach>;
  combinations(id: number): Promise<IssueCombinations>;
  /** The weeks an issue can be made of, marked with the issues already made of them. */
  weeks(): Promise<IssueWeeks>;
}

const TEST_SEND_KIND: Record<TestSendRefusal, EditorErrorKind> = {
  address: 'invalid',
  content: 'invalid',
  issue: 'not-found',
  subscriber: 'not-found',
  limit: 'too-many',
  provider: 'provider',
};

/** The domain's refusals as the editor's: unknown issue 404, a state that forbids it 409, and so on. */
function editorErrorOf(e: unknown): unknown {
  if (e instanceof WeekTakenError) return new EditorError('conflict', e.message, { week: e.week, existing: e.existing ?? null });
  if (e instanceof IssueStateError) return new EditorError(/ does not exist$/.test(e.message) ? 'not-found' : 'conflict', e.message);
  if (e instanceof TestSendError) {
    return new EditorError(TEST_SEND_KIND[e.reason], e.message, e.retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(e.retryAfterMs / 1000) });
  }
  return e;
}

async function refusing<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw editorErrorOf(e);
  }
}

export function issueOps(deps: EditorDeps): IssueOps {
  /**
   * With a real provider, an issue may not be sent or scheduled without a postal address: refused here,
   * before anything is queued, with the one line that says where to set it. (The plan job checks again,
   * pausing an issue whose address was cleared meanwhile or that the weekly schedule created.)
   */
  const mayStartSending = async () => {
    const problem = await sendingProblem(deps.db, deps.config, deps.config.emailProvider);
    if (problem) throw new EditorError('conflict', problem.replace(/, then resume the issue$/, ', then send it again'));
  };

  const mustGet = async (id: number): Promise<Issue> => {
    const issue = await getIssue(deps.db, id);
    if (!issue) throw notFound(`issue ${id} does not exist`);
    return issue;
  };
  const reach = async (issue: Issue): Promise<IssueReach> => ({ issue: named(issue), readers: await readersForWeek(deps.db, issue.week) });

  return {
    list: async () => (await listIssues(deps.db)).map(named),

    async get(id) {
      const issue = await mustGet(id);
      const [p, tags, ledger] = await Promise.all([
        issueProgress(deps.db, id),
        sectionCounts(deps.db, id),
        issueProgressDetail(deps.db, id, deps.now(), RATE_WINDOW_MS),
      ]);
      return {
        issue: named(issue),
        progress: { submitted: p.submitted, total: p.submitted + p.failed + p.pending, failed: p.failed, skipped: p.skipped, pending: p.pending },
        failures: p.failed > 0 ? await failureReasons(deps.db, id, REASONS) : [],
        tags,
        skips: p.skipped > 0 ? await skipReasons(deps.db, id, SKIP_REASONS, NAMED_SKIPS) : [],
        ledger,
      };
    },

    create: async (input) =>
      named(
        await refusing(() =>
          createWeekIssue(deps.db, {
            week: input.week,
            engine: input.engine ?? deps.config.templateEngine,
            subject: input.subject ?? null,
            ...(input.again ? { again: input.again } : {}),
          }),
        ),
      ),

    async schedule(id, input) {
      await mayStartSending();
      const queues = await queuesOf(deps);
      return reach(await refusing(() => scheduleIssue(deps.db, queues, id, input.at, deps.now(), input.timeZone ?? null)));
    },

    async scheduleLocal(id, input) {
      await mayStartSending();
      const queues = await queuesOf(deps);
      return reach(await refusing(() => scheduleIssueLocal(deps.db, queues, id, input, deps.now())));
    },

    async send(id) {
      await mayStartSending();
      const queues = await queuesOf(deps);
      return reach(await refusing(() => sendIssueNow(deps.db, queues, id, deps.now())));
    },

    pause: async (id) => named(await refusing(() => pauseIssue(deps.db, id))),

    async resume(id) {
      const queues = await queuesOf(deps);
      const r = await refusing(() => resumeIssue(deps.db, queues, id, deps.now()));
      return { ...r, issue: named(r.issue) };
    },

    cancel: async (id) => named(await refusing(() => cancelIssue(deps.db, id))),

    async test(id, input) {
      await mustGet(id);
      let subscriberId = input.subscriberId;
      if (input.as !== undefined) {
        const as = normaliseEmail(input.as);
        if ('error' in as) throw invalid(`the subscriber: ${as.error}`);
        const reader = await subscriberForPreview(deps.db, as.email);
        if (!reader) throw notFound(`there is no subscriber ${as.email}`);
        subscriberId = reader.id;
      }
      if (!deps.provider) throw new EditorError('unavailable', 'this server has no email provider configured to send a test with');
      const provider = deps.provider;
      const { sendTestEmail } = await import('../send/test-send.ts');
      return refusing(() =>
        sendTestEmail(
          { db: deps.db, provider, config: deps.config, now: deps.now, ...(deps.redis ? { redis: deps.redis } : {}) },
          id,
          input.to,
          subscriberId === undefined ? {} : { subscriberId },
        ),
      );
    },

    readers: async (id) => reach(await mustGet(id)),

    async weeks() {
      const weeks = await weeksWithIssues(deps.db);
      return { weeks, suggested: suggestWeek(weeks, deps.now()) };
    },

    async combinations(id) {
      const issue = await mustGet(id);
      const frozen = issue.plannedAt !== null;
      const rows = frozen ? await plannedCombinations(deps.db, issue.id) : await weekCombinations(deps.db, issue.week);
      const names = await tagNamesBySlug(deps.db, [...new Set(rows.flatMap((r) => r.sections))]);
      return {
        issue,
        frozen,
        rows: rows.filter((r) => r.sections.length > 0).map((r) => ({ names: r.sections.map((s) => names.get(s) ?? s), readers: r.readers })),
        nothing: rows.filter((r) => r.sections.length === 0).reduce((n, r) => n + r.readers, 0),
        total: rows.reduce((n, r) => n + r.readers, 0),
      };
    },
  };
}
