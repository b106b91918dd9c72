// The reader pages as a browser and a mail client use them, in-process: an app built like `tagcast
// serve` builds it, a client that keeps cookies and sends forms with their CSRF field, summaries and
// sent issues written through the real import and planning code, and the links of the emails
// readers are sent, read back from the emails themselves.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Db } from '../../src/db/connection.ts';
import { finalizeIssue, planIssue, type Issue } from '../../src/db/issues.ts';
import { getNotice } from '../../src/db/notices.ts';
import { tagNames } from '../../src/db/readers.ts';
import { upsertSummary } from '../../src/db/summaries.ts';
import { composeNotice } from '../../src/subscriptions/notices.ts';
import { createServer, type ServerDeps } from '../../src/web/app.ts';
import { testConfig } from './pipeline.ts';
import { weekIssue } from './issues.ts';
import { eventually } from './eventually.ts';

export const READER_ENV = {
  LOG_LEVEL: 'silent',
  SECRET: 'reader-test-secret-0123456789abcdefghij',
  PUBLIC_URL: testConfig.publicUrl,
  // A site served to others must protect /metrics (src/config.ts).
  METRICS_TOKEN: 'reader-test-metrics-token-0123456789',
  MAIL_FROM: testConfig.mailFrom,
  // Fixtures sit in fixed weeks (2026-W44 …) that fall out of the default 8-week window as the clock
  // moves on; the window itself is tested in tags.test.ts, which sets it.
  SUBSCRIBE_TAG_WEEKS: '520',
};

/** The origin a browser sends with the site's own forms. */
export const ORIGIN = 'https://news.example.test';

/**
 * The configuration of `tagcast serve` in these tests. Links are signed with the queue harness's
 * secret (tests/support/pipeline.ts), so the links in emails its workers send open these pages.
 */
export function readerConfig(env: Record<string, string> = {}): Config {
  return { ...loadConfig({ ...READER_ENV, ...env }, '/nonexistent'), secret: testConfig.secret };
}

export interface ReaderApp {
  app: FastifyInstance;
  config: Config;
  /** Notice ids the app asked to queue, in order. */
  queued: number[];
}

/**
 * The app as production builds it. The site-wide limit is lifted (a test file makes hundreds of
 * requests from one address) unless the test gives its own limits.
 */
export async function readerApp(db: Db, o: { env?: Record<string, string>; deps?: Partial<ServerDeps> } = {}): Promise<ReaderApp> {
  const config = readerConfig(o.env);
  const queued: number[] = [];
  const app = await createServer({
    db,
    config,
    log: pino({ level: 'silent' }),
    rateLimits: { global: { max: 100_000, timeWindow: 60_000 }, publicPost: { max: 100_000, timeWindow: 60_000 } },
    enqueueNotice: async (id) => void queued.push(id),
    ...o.deps,
  });
  return { app, config, queued };
}

export type FormFields = Record<string, string | string[] | undefined>;

export function formBody(fields: FormFields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  }
  return p.toString();
}

/** A multipart/form-data body as mailbox providers send RFC 8058's one-click POST. */
export function multipartBody(fields: Record<string, string>): { payload: string; contentType: string } {
  const boundary = '----tagcastTestBoundary7MA4YWxkTrZu0gW';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { payload: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The value of the hidden CSRF field of the (first) form on a page. */
export function csrfField(html: string): string | undefined {
  return /<input type="hidden" name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** A browser: keeps the cookies it is given, sends the site's Origin with its forms. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly app: FastifyInstance,
    readonly remoteAddress = '203.0.113.10',
  ) {}

  private keep(r: LightMyRequestResponse): LightMyRequestResponse {
    const set = r.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return r;
  }

  get cookieHeader(): string | undefined {
    return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader;
    return this.keep(await this.app.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: { ...(cookie ? { cookie } : {}), ...headers } }));
  }

  /** Posts a form as a browser does: its cookies, the site's Origin, urlencoded. */
  async post(url: string, fields: FormFields, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader;
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.remoteAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...(cookie ? { cookie } : {}), ...headers },
        payload: formBody(fields),
      }),
    );
  }

  /** Opens the page with the form, then submits it with the page's CSRF field and these fields. */
  async submit(pageUrl: string, action: string, fields: FormFields): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    const csrf = csrfField(page.body);
    if (!csrf) throw new Error(`no CSRF field on ${pageUrl} (status ${page.statusCode})`);
    return this.post(action, { _csrf: csrf, ...fields });
  }
}

export interface SummarySpec {
  title: string;
  tags: string[];
  signal?: string;
  case?: string[];
  take?: string;
  minutes?: number | null;
}

let keys = 0;

/** Summaries written through the importer's own upsert, as `tagcast import` writes them. */
export async function addSummaries(db: Db, week: string, specs: SummarySpec[]): Promise<void> {
  for (const s of specs) {
    const key = `${week}/t${++keys}-${s.title.slice(0, 20)}`;
    await upsertSummary(
      db,
      {
        key,
        week,
        title: s.title,
        signal: s.signal ?? `Why ${s.title} matters.`,
        case: s.case ?? ['first point', 'second point'],
        take: s.take ?? 'The take.',
        timeSavedMinutes: s.minutes === undefined ? 10 : s.minutes,
        tags: s.tags,
        date: null,
        sourceUrl: null,
      },
      `hash-${key}`,
      `${key}.md`,
      'cli',
    );
  }
}

/**
 * An issue planned by the real planning statement (which freezes the summaries and each reader's
 * sections), without sending: the ledger as plan-issue leaves it.
 */
export async function plannedIssue(db: Db, week: string): Promise<Issue> {
  const issue = await weekIssue(db, { week, engine: 'react', subject: null });
  await db.query(`update issues set status = 'scheduled', send_at = now() where id = $1`, [issue.id]);
  return (await planIssue(db, issue.id, 100))!;
}

/**
 * A planned issue whose pending deliveries the provider accepted, finalized as finalize-issue does:
 * a sent issue for the archive and the readers' history. `finishedAt` sets its place in the archive.
 */
export async function sentIssue(db: Db, week: string, finishedAt?: Date): Promise<Issue> {
  const issue = await plannedIssue(db, week);
  await db.query(
    `update deliveries set status = 'submitted', submitted_at = now(), provider_id = 'p-' || issue_id || '-' || subscriber_id
     where issue_id = $1 and status = 'pending'`,
    [issue.id],
  );
  const sent = (await finalizeIssue(db, issue.id))!;
  if (finishedAt) await db.query(`update issues set finished_at = $2 where id = $1`, [issue.id, finishedAt]);
  return { ...sent, finishedAt: finishedAt ?? sent.finishedAt };
}

/** The email a notice becomes (what send-notice hands the provider). */
export async function noticeEmail(db: Db, config: Config, noticeId: number) {
  const n = await getNotice(db, noticeId);
  if (!n) throw new Error(`no notice ${noticeId}`);
  const tags = Array.isArray(n.payload.tags) ? await tagNames(db, n.payload.tags as string[]) : [];
  return composeNotice(config, n, tags);
}

/** The link in a notice's email, as a path on the site (what the reader clicks). */
export async function noticeLink(db: Db, config: Config, noticeId: number): Promise<string> {
  const email = await noticeEmail(db, config, noticeId);
  const url = new RegExp(`${config.publicUrl.replace(/[.]/g, '\\.')}(/[^\\s"<>]+)`).exec(email.text)?.[1];
  if (!url) throw new Error(`no link in notice ${noticeId}`);
  return url;
}

/** The token of a link. */
export function tokenOf(url: string): string {
  return new URL(url, 'https://x.test').searchParams.get('t')!;
}

export async function subscriberByEmail(db: Db, email: string) {
  const [row] = await db.query<{ id: number; status: string; timeZone: string; name: string | null; pausedUntil: Date | null; tags: string[] }>(
    `select s.id, s.status, s.time_zone as "timeZone", s.name, s.paused_until as "pausedUntil",
            array(select t.slug from subscriptions x join tags t on t.id = x.tag_id where x.subscriber_id = s.id order by t.slug) as tags
     from subscribers s where s.email = $1`,
    [email],
  );
  return row;
}

/** Waits until the notice is sent or has failed: its sent_at and error. */
export async function noticeSettled(db: Db, noticeId: number): Promise<{ sent: Date | null; error: string | null; providerId: string | null }> {
  return eventually(
    async () => {
      const [row] = await db.query<{ sent: Date | null; error: string | null; providerId: string | null }>(
        `select sent_at as sent, error, provider_id as "providerId" from notices where id = $1`,
        [noticeId],
      );
      return row && (row.sent || row.error) ? row : undefined;
    },
    { what: `notice ${noticeId} sent or failed` },
  );
}

/** Waits until the notice is sent; its error, should it fail instead. */
export async function noticeSent(db: Db, noticeId: number): Promise<{ sent: Date | null; providerId: string | null }> {
  const row = await noticeSettled(db, noticeId);
  if (row.error) throw new Error(`notice ${noticeId}: ${row.error}`);
  return row;
}

export async function noticesOf(db: Db, email: string) {
  return db.query<{ id: number; kind: string; payload: Record<string, unknown> }>(
    `select n.id, n.kind, n.payload from notices n join subscribers s on s.id = n.subscriber_id where s.email = $1 order by n.id`,
    [email],
  );
}

/** The `<input …>` tags of a page with this name (and value), attributes in any order. */
export function inputs(html: string, name: string, value?: string): string[] {
  return [...html.matchAll(/<input\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => tag.includes(` name="${name}"`) && (value === undefined || tag.includes(` value="${value}"`)));
}

/** Whether the checkbox with this value is ticked. */
export function isChecked(html: string, name: string, value: string): boolean {
  return inputs(html, name, value).some((tag) => / checked=""/.test(tag));
}

/** The value of the selected option of a select, or undefined. */
export function selected(html: string, name: string): string | undefined {
  const select = new RegExp(`<select\\b[^>]* name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
  return [...select.matchAll(/<option\b[^>]*>/g)].map((m) => m[0]).find((o) => o.includes(' selected=""'))?.match(/ value="([^"]*)"/)?.[1];
}

/** Each `<form …>` of a page: its method, action and whether it carries the CSRF field. */
export function forms(html: string): { method: string; action: string; csrf: boolean; fields: string[] }[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => ({
    method: / method="([^"]*)"/.exec(m[1]!)?.[1] ?? 'get',
    action: (/ action="([^"]*)"/.exec(m[1]!)?.[1] ?? '').replace(/&amp;/g, '&'),
    csrf: /<input\b[^>]* name="_csrf"/.test(m[2]!),
    fields: [...m[2]!.matchAll(/<(?:input|select|button)\b[^>]* name="([^"]+)"/g)].map((f) => f[1]!),
  }));
}
