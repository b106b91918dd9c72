// An issue's subject as an editor types it (CLI today, the JSON API later): one line of text, checked
// where it enters so a line break can never reach a header. Pure.
import { z } from 'zod';
import { controlCharacter } from '../lib/text.ts';

/**
 * At most 200 characters: far more than any inbox shows (about 60–80), yet a subject stays a few folded
 * header lines. Counted in characters (code points), as a person counts them, not bytes.
 */
export const MAX_SUBJECT_LENGTH = 200;

/**
 * The subject trimmed, or why it cannot be one: a control character (CR, LF, tab …, anywhere, even at
 * the ends where trimming would hide it), empty, too long. Errors never quote the value.
 */
export function validateSubject(raw: string): { subject: string } | { error: string } {
  const control = controlCharacter(raw);
  if (control) return { error: `subject contains a control character (${control}); a subject is one line of text` };
  const subject = raw.trim();
  if (subject === '') return { error: 'subject is empty' };
  const length = [...subject].length;
  if (length > MAX_SUBJECT_LENGTH) return { error: `subject is ${length} characters long; at most ${MAX_SUBJECT_LENGTH} are allowed` };
  return { subject };
}

/** The same rules as a zod schema, for request bodies: gives the trimmed subject, or the reason. */
export const subjectSchema = z.string().transform((raw, ctx) => {
  const v = validateSubject(raw);
  if ('error' in v) {
    ctx.addIssue({ code: 'custom', message: v.error });
    return z.NEVER;
  }
  return v.subject;
});
