// Arguments every command group reads the same way: issue ids, engines, ISO weeks, subjects.
import type { Engine } from '../config.ts';
import { validateSubject } from '../digest/subject.ts';
import { isValidWeek } from '../digest/week.ts';
import { UsageError } from './context.ts';

export function parseId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`"${raw}" is not an issue id`);
  return id;
}

export function parseEngine(raw: string | undefined, fallback: Engine): Engine {
  if (raw === undefined) return fallback;
  if (raw !== 'react' && raw !== 'mjml') throw new UsageError(`--engine must be react or mjml, got "${raw}"`);
  return raw;
}

export function parseWeek(raw: string): string {
  if (!isValidWeek(raw)) throw new UsageError(`--week must be an ISO week like 2026-W48, got "${raw}"`);
  return raw;
}

/** No --subject, or one of only spaces, means the per-reader subject; anything else must be one line of text. */
export function parseSubject(raw: string | undefined): string | null {
  if (raw === undefined || /^ *$/.test(raw)) return null;
  const v = validateSubject(raw);
  // The message never echoes the value: it may hold the very line break being refused.
  if ('error' in v) throw new UsageError(v.error);
  return v.subject;
}
