// Request schemas of the editor API. Each is also the OpenAPI description of that request, so a
// message written here is what a client reads in a 400.
import { z } from 'zod';
import { CONTENT_LIMITS } from '../../content/summary.ts';
import { isValidWeek } from '../../digest/week.ts';
import { subjectSchema } from '../../digest/subject.ts';
import { AGAIN_REASON_MAX, againReasonProblem } from '../../issues.ts';
import { SUBSCRIBER_FILTERS } from '../../db/subscribers.ts';
import { isTimeZone } from '../../time.ts';

export const week = z
  .string()
  .refine(isValidWeek, 'must be an ISO week like 2026-W48')
  .meta({ examples: ['2026-W48'] });

export const engine = z.enum(['react', 'mjml'], { error: 'must be react or mjml' });

/** The largest id or count a Postgres integer holds. */
export const INT_MAX = 2_147_483_647;

/**
 * A whole number as a path or query string carries it, written one way only: decimal digits, no sign,
 * exponent, hex, spaces, fraction or leading zero. `Number()` would take 1e3, 0x10, " 5" and 5.0 and
 * quietly mean another id; anything past INT_MAX would reach the database and fail there.
 */
export function wholeNumber(min: 0 | 1, max = INT_MAX) {
  const example = min === 0 ? '0' : '42';
  return z
    .string({ error: 'must be one whole number' })
    .regex(min === 0 ? /^(0|[1-9][0-9]*)$/ : /^[1-9][0-9]*$/, {
      message: `must be a whole number${min === 1 ? ' from 1' : ''} in plain digits, like ${example} (no sign, exponent, hex, spaces or leading zeros)`,
      abort: true,
    })
    .refine((s) => s.length <= 10 && Number(s) <= max, `must be at most ${max}`)
    .transform(Number);
}

/** An id in a path: a positive whole number. */
export const idParams = z.strictObject({ id: wholeNumber(1) });

export const createIssueBody = z
  .strictObject({
    week,
    engine: engine.optional().describe('default: TEMPLATE_ENGINE'),
    subject: subjectSchema.nullable().optional().describe('one subject for every reader; absent or null: a per-reader subject'),
    again: z.boolean({ error: 'must be true or false' }).optional().describe('send a week already sent again, on purpose: the next edition, shown in the archive as a correction; needs reason'),
    reason: z
      .string({ error: 'must be a string' })
      .optional()
      .describe(`with again: why, one line of at most ${AGAIN_REASON_MAX} characters`),
  })
  .superRefine((b, ctx) => {
    if (b.again) {
      const problem = againReasonProblem(b.reason);
      if (problem) ctx.addIssue({ code: 'custom', path: ['reason'], message: problem });
    } else if (b.reason !== undefined) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'goes with again: true (sending a week already sent, on purpose)' });
  });

/**
 * An issue as the API answers with it (GET /issues, GET /issues/:id, and each action's `issue`): the
 * stored row and its `name`, the one name the subject, archive, feeds, reader history and admin pages
 * use. It describes answers in the OpenAPI document; times are ISO 8601.
 */
const time = z.string().describe('ISO 8601 time (UTC)');
const count = z.number().int().min(0);
export const issueObject = z.strictObject({
  id: z.number().int().min(1),
  week,
  name: z.string().describe('the issue\'s one name, as the subject, archive, feeds, reader history and admin pages call it').meta({ examples: ['Week 48 · 23–29 Nov 2026'] }),
  subject: z.string().nullable().describe('one subject for every reader; null: each reader\'s own (their top tags, then the name)'),
  engine,
  status: z.enum(['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled', 'failed']),
  statusReason: z.string().nullable(),
  sendAt: time.nullable(),
  sendTimeZone: z.string().nullable(),
  localTime: z.string().nullable().describe('HH:MM in each reader\'s zone, when sent at local time'),
  localDate: z.string().nullable(),
  createdAt: time,
  plannedAt: time.nullable(),
  finishedAt: time.nullable(),
  recipients: count,
  submitted: count,
  failed: count,
  skipped: count,
  delivered: count,
  bounced: count,
  complained: count,
  opened: count,
  clicked: count,
  edition: z.number().int().min(1).describe('1 for a week\'s issue; 2, 3 … for the week sent again on purpose'),
  againOf: z.number().int().nullable().describe('the sent issue this one sends again (a correction)'),
  againReason: z.string().nullable(),
});

/** An ISO 8601 time with a zone (Z or an offset): a time without one means nothing on a server. */
export const isoTimeWithZone = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i, 'must be an ISO 8601 time with a zone, e.g. 2026-11-30T08:00:00Z')
  .refine((s) => !Number.isNaN(new Date(s).getTime()), 'is not a real time');

export const scheduleIssueBody = z.strictObject({
  at: isoTimeWithZone,
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional().describe('the zone the time was chosen in, shown back to editors'),
});

export const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00');

export const scheduleLocalBody = z.strictObject({
  localTime: localTime.describe("each reader's local time"),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-30')
    .refine((s) => !Number.isNaN(new Date(`${s}T00:00:00Z`).getTime()) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date'),
});

export const testSendBody = z.strictObject({
  to: z.string().min(3, 'must be an email address').max(254, 'is longer than 254 characters'),
  subscriberId: z.number().int({ message: 'must be a whole number', abort: true }).positive('must be positive').max(INT_MAX, `must be at most ${INT_MAX}`).optional().describe("whose digest to send (default: a reader with content this issue)"),
  as: z.string().min(3, 'must be an email address').max(254, 'is longer than 254 characters').optional().describe('whose digest to send, by address (instead of subscriberId)'),
});

export const weekQuery = z.strictObject({ week });

export const IMPORT_LIMITS = {
  /** Files in one request; the CLI sends more in several. */
  files: 200,
  /** The request body, JSON included. */
  bodyBytes: 8 * 1024 * 1024,
};

export const importSummariesBody = z.strictObject({
  week: week.optional().describe('the week of files whose content and name give none (default: the week they are imported in)'),
  files: z
    .array(
      z.strictObject({
        name: z
          .string()
          .min(1, 'is empty')
          .max(300, 'is longer than 300 characters')
          .regex(/\.(md|markdown|txt)$/i, 'must end in .md, .markdown or .txt')
          .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'contains a control character')
          .describe('the path as the editor sees it (a week folder in it, 2026-W48/x.md, gives the week)'),
        content: z
          .string()
          .refine((s) => Buffer.byteLength(s) <= CONTENT_LIMITS.fileBytes, `is larger than ${CONTENT_LIMITS.fileBytes / 1024} KiB`),
      }),
    )
    .min(1, 'needs at least one file')
    .max(IMPORT_LIMITS.files, `at most ${IMPORT_LIMITS.files} files in one request`),
});

export const summariesQuery = z.strictObject({ week: week.optional().describe('default: the newest week with summaries') });

const line = (max: number) => z.string({ error: 'must be text' }).max(max, `is longer than ${max} characters`);

/**
 * An edit of a summary: any of its fields; absent ones stay. Only shapes and outer bounds here: the
 * importer's own checks (src/content/summary.ts) run in the operation, so the problem reads as an import's.
 */
export const editSummaryBody = z.strictObject({
  title: line(CONTENT_LIMITS.titleChars * 2).optional(),
  signal: line(CONTENT_LIMITS.signalChars * 2).optional(),
  case: z.array(line(CONTENT_LIMITS.casePointChars * 2)).max(CONTENT_LIMITS.casePoints * 2, 'has too many points').optional().describe('"The Case" points, in order'),
  take: line(CONTENT_LIMITS.takeChars * 2).optional(),
  timeSaved: z.union([z.number({ error: 'must be minutes or a duration like "38 min"' }), line(40)]).nullable().optional().describe('minutes, or "38 min", "1h 05m"; null: not known'),
  tags: z.array(line(CONTENT_LIMITS.tagChars * 2)).max(CONTENT_LIMITS.tags * 2, 'has too many tags').optional().describe('in order; the first is the primary tag'),
  week: week.optional().describe('default: the week of date, when date is given'),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-23').nullable().optional(),
  sourceUrl: line(CONTENT_LIMITS.sourceUrlChars * 2).nullable().optional(),
}).refine((o) => Object.keys(o).length > 0, 'names no field to change: give at least one of title, signal, case, take, timeSaved, tags, week, date, sourceUrl').meta({ minProperties: 1 });

export const subscribersQuery = z.strictObject({
  q: z.string().max(200, 'is longer than 200 characters').optional().describe('part of an address or name'),
  email: z.string().max(254, 'is longer than 254 characters').optional().describe('exactly this address'),
  status: z
    .enum(SUBSCRIBER_FILTERS, { error: `must be ${SUBSCRIBER_FILTERS.slice(0, -1).join(', ')} or ${SUBSCRIBER_FILTERS.at(-1)}` })
    .optional()
    .describe('active (not paused), paused (active, paused by the reader), pending, unsubscribed, bounced or complained'),
  limit: wholeNumber(1, 1000).default(100).describe('default 100'),
  offset: wholeNumber(0).default(0).describe('default 0'),
});

const createTags = z.boolean({ error: 'must be true or false' }).describe('create tags that do not exist yet (else a request naming one is refused, with the known tags)');

export const addSubscriberBody = z.strictObject({
  email: z.string().max(254, 'is longer than 254 characters'),
  tags: z.array(z.string().max(60, 'is longer than 60 characters')).min(1, 'needs at least one tag').max(100, 'at most 100 tags'),
  timeZone: z.string().refine(isTimeZone, 'must be a time zone like Europe/Berlin').optional(),
  name: z.string().max(200, 'is longer than 200 characters').optional(),
  createTags: createTags.optional(),
});

/** A PUT replaces what an editor may change on a reader: both fields, always. */
export const editSubscriberBody = z.strictObject({
  tags: z.array(z.string().max(60, 'is longer than 60 characters')).min(1, 'needs at least one tag').max(100, 'at most 100 tags').describe('the followed tags become exactly these'),
  timeZone: z.string().refine(isTimeZone, 'must be a time zone like Europe/Berlin').nullable().describe('null: the default time zone (DEFAULT_TIME_ZONE)'),
  createTags: createTags.optional(),
});

export const CSV_BODY_BYTES = 20 * 1024 * 1024;

export const importSubscribersJson = z.strictObject({
  csv: z.string().min(1, 'is empty').describe('the CSV text: header email, and optionally name, tags, time_zone, status'),
  name: z.string().max(300).optional().describe('how the file is named in the report (default upload.csv)'),
  createTags: createTags.optional(),
});

