// The publication's settings (one row, migration 013) and each issue's editor's note.
import type { Db } from './connection.ts';

export interface StoredSettings {
  name: string | null;
  tagline: string | null;
  logoUrl: string | null;
  accent: string | null;
  senderName: string | null;
  replyTo: string | null;
  footer: string | null;
  postalAddress: string | null;
  defaultDensity: string | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export type SettingsField = Exclude<keyof StoredSettings, 'updatedAt' | 'updatedBy'>;

/** Each setting's column; the admin form's field names are the same words. */
export const SETTINGS_COLUMNS: Record<SettingsField, string> = {
  name: 'name',
  tagline: 'tagline',
  logoUrl: 'logo_url',
  accent: 'accent',
  senderName: 'sender_name',
  replyTo: 'reply_to',
  footer: 'footer',
  postalAddress: 'postal_address',
  defaultDensity: 'default_density',
};
export const SETTINGS_FIELDS = Object.keys(SETTINGS_COLUMNS) as SettingsField[];

const COLUMNS = [...Object.entries(SETTINGS_COLUMNS).map(([k, c]) => `${c} as "${k}"`), `updated_at as "updatedAt"`, `updated_by as "updatedBy"`].join(', ');

/** The settings row as one JSON value, for a query that needs them beside its own (null before any was saved). */
export const SETTINGS_JSON = `(select row_to_json(x) from (select ${COLUMNS} from publication_settings where id = 1) x)`;

const EMPTY: StoredSettings = { ...(Object.fromEntries(SETTINGS_FIELDS.map((f) => [f, null])) as Record<SettingsField, null>), updatedAt: null, updatedBy: null };

export async function readSettings(db: Db): Promise<StoredSettings> {
  const [row] = await db.query<StoredSettings>(`select ${COLUMNS} from publication_settings where id = 1`);
  return row ?? EMPTY;
}

/** Settings as SETTINGS_JSON gives them (a date as text): as readSettings gives them. */
export function settingsFromJson(row: StoredSettings | null): StoredSettings {
  return row ? { ...row, updatedAt: row.updatedAt === null ? null : new Date(row.updatedAt) } : EMPTY;
}

/** Sets the fields given (null clears one back to its default); the others stay. One statement. */
export async function writeSettings(db: Db, patch: Partial<Record<SettingsField, string | null>>, actor: string): Promise<StoredSettings> {
  const given = SETTINGS_FIELDS.filter((f) => patch[f] !== undefined);
  const params: unknown[] = [actor, ...given.map((f) => patch[f])];
  const cols = given.map((f) => SETTINGS_COLUMNS[f]);
  const [row] = await db.query<StoredSettings>(
    `insert into publication_settings (id, updated_by${cols.map((c) => `, ${c}`).join('')}) values (1, $1${given.map((_, n) => `, $${n + 2}`).join('')})
     on conflict (id) do update set updated_at = now(), updated_by = excluded.updated_by${cols.map((c) => `, ${c} = excluded.${c}`).join('')}
     returning ${COLUMNS}`,
    params,
  );
  return row!;
}

export interface IssueNoteRow {
  id: number;
  status: string;
  note: string | null;
  noteUpdatedAt: Date | null;
  noteUpdatedBy: string | null;
}

const NOTE_COLUMNS = `id, status, note, note_updated_at as "noteUpdatedAt", note_updated_by as "noteUpdatedBy"`;

export async function readIssueNote(db: Db, issueId: number): Promise<IssueNoteRow | undefined> {
  const [row] = await db.query<IssueNoteRow>(`select ${NOTE_COLUMNS} from issues where id = $1`, [issueId]);
  return row;
}

/** The statuses in which a note may still change: nothing has gone out. */
export const NOTE_EDITABLE = ['draft', 'scheduled'] as const;

/**
 * Sets (null: removes) an issue's note, only while the issue is draft or scheduled: the database decides,
 * so a send that starts meanwhile wins. Undefined when the issue is missing or past those statuses.
 */
export async function writeIssueNote(db: Db, issueId: number, note: string | null, actor: string): Promise<IssueNoteRow | undefined> {
  const [row] = await db.query<IssueNoteRow>(
    `update issues set note = $2, note_updated_at = now(), note_updated_by = $3
     where id = $1 and status = any($4::text[]) returning ${NOTE_COLUMNS}`,
    [issueId, note, actor, NOTE_EDITABLE],
  );
  return row;
}
