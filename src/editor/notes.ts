// The editor's note of one issue: Markdown shown (escaped) at the top of its digests and web version.
// It can change while nothing has gone out (draft or scheduled); the database decides (src/db/settings.ts).
import { readIssueNote, writeIssueNote } from '../db/settings.ts';
import { controlCharacter } from '../lib/text.ts';
import { NOTE_MAX } from '../render/note.ts';
import type { EditorDeps } from './deps.ts';
import { conflict, invalid, notFound } from './errors.ts';

export interface IssueNote {
  issueId: number;
  /** The Markdown as the editor wrote it; null: no note. */
  note: string | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface NoteOps {
  show(issueId: number): Promise<IssueNote>;
  /** Sets the note ("" or only white space removes it); refused once the issue is sending or sent. */
  set(issueId: number, text: string): Promise<IssueNote>;
}

const shown = (r: { id: number; note: string | null; noteUpdatedAt: Date | null; noteUpdatedBy: string | null }): IssueNote => ({
  issueId: r.id,
  note: r.note,
  updatedAt: r.noteUpdatedAt,
  updatedBy: r.noteUpdatedBy,
});

export function noteOps(deps: EditorDeps): NoteOps {
  const mustExist = async (issueId: number) => {
    const row = Number.isSafeInteger(issueId) && issueId > 0 ? await readIssueNote(deps.db, issueId) : undefined;
    if (!row) throw notFound(`there is no issue ${issueId}`);
    return row;
  };
  return {
    show: async (issueId) => shown(await mustExist(issueId)),
    async set(issueId, text) {
      const note = text.replace(/\r\n?/g, '\n').trim();
      const c = controlCharacter(note.replace(/[\n\t]/g, ' '));
      if (c) throw invalid(`the note contains a control character (${c})`);
      if ([...note].length > NOTE_MAX) throw invalid(`the note is ${[...note].length} characters long; at most ${NOTE_MAX} are allowed`);
      const row = await writeIssueNote(deps.db, issueId, note === '' ? null : note, deps.actor);
      if (row) return shown(row);
      const now = await mustExist(issueId);
      throw conflict(`issue ${issueId} is ${now.status}: its note can change only while it is a draft or scheduled (readers may already have it)`, { status: now.status });
    },
  };
}
