// The recurring weekly issue (one per installation): show, set and clear it, and its recent runs,
// through src/schedule.ts (the same functions and checks as `tagcast schedule`).
import type { FastifyInstance } from 'fastify';
import { EditorError } from '../../editor/errors.ts';
import { occurrences, runWeek, weekdayName, type ScheduleInput } from '../../schedule.ts';
import { SchedulePage } from '../views/admin/schedule.tsx';
import { adminEditor, csrfRefusal, doneOf, field, refuse, refuseEditor, sendAdmin, type AdminDeps } from './common.tsx';
import { formatTime, parseEngineField, parseTimeField, parseTimeZoneField } from './forms.ts';

const back = { href: '/admin/schedule', label: 'Back to the schedule' };

/** The schedule form's values, or the first thing wrong with them. */
export function parseScheduleForm(body: unknown): Required<ScheduleInput> | { error: string } {
  const weekday = field(body, 'weekday') ?? '';
  if (!/^[1-7]$/.test(weekday)) return { error: 'the day must be Monday to Sunday' };
  const time = parseTimeField(field(body, 'time'));
  if ('error' in time) return { error: `the time: ${time.error}` };
  const tz = parseTimeZoneField(field(body, 'time_zone'));
  if ('error' in tz) return { error: `the time zone: ${tz.error}` };
  const local = field(body, 'local');
  if (local !== undefined && local !== 'on') return { error: 'local must be on or absent' };
  const engineRaw = field(body, 'engine') ?? '';
  let engine: Required<ScheduleInput>['engine'] = null;
  if (engineRaw !== '') {
    const e = parseEngineField(engineRaw, 'react');
    if ('error' in e) return { error: `the engine: ${e.error}` };
    engine = e.value;
  }
  const week = field(body, 'week') ?? 'current';
  if (week !== 'current' && week !== 'previous') return { error: 'the week must be current or previous' };
  return { weekday: Number(weekday), time: time.value, timeZone: tz.value, local: local === 'on', engine, week };
}

export async function scheduleRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const zone = deps.config.defaultTimeZone;

  app.get('/admin/schedule', async (req, reply) => {
    const [{ schedule, runs }, { weeks }] = await Promise.all([adminEditor(deps).schedule.show({ runs: 10 }), adminEditor(deps).issues.weeks()]);
    // The week the next run sends, and whether it has anything to send yet.
    const nextWeek = schedule ? runWeek(schedule, occurrences(schedule, deps.now()).next.date) : null;
    const nextWeekEmpty = nextWeek !== null && !weeks.some((w) => w.week === nextWeek && w.summaries > 0);
    return sendAdmin(
      reply,
      <SchedulePage
        csrf={deps.csrf.token(req, reply)}
        schedule={
          schedule
            ? {
                ...schedule,
                dayName: weekdayName(schedule.weekday),
                nextRunText: formatTime(schedule.nextRun, schedule.local ? zone : schedule.timeZone),
                nextWeek: nextWeek!,
                nextWeekEmpty,
              }
            : null
        }
        runs={runs.map((r) => ({ week: r.week, issueId: r.issueId, outcome: r.outcome, ranAtText: formatTime(r.ranAt, zone) }))}
        defaultZone={zone}
        done={doneOf(req)}
      />,
    );
  });

  app.post('/admin/schedule', async (req, reply) => {
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), back);
    if (refused) return refused;
    const input = parseScheduleForm(req.body);
    if ('error' in input) return refuse(reply, 400, 'Schedule not saved', `${input.error[0]!.toUpperCase()}${input.error.slice(1)}.`, back);
    try {
      await adminEditor(deps).schedule.set(input);
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Schedule not saved', back);
      throw e;
    }
    return reply.redirect('/admin/schedule?done=schedule-saved', 303);
  });

  app.post('/admin/schedule/clear', async (req, reply) => {
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), back);
    if (refused) return refused;
    await adminEditor(deps).schedule.clear();
    return reply.redirect('/admin/schedule?done=schedule-cleared', 303);
  });
}
