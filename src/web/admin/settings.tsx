// The publication settings page: show and save the identity through the settings operation (the same
// checks as `tagcast settings set` and PUT /api/v1/settings). A refused field is shown beside itself.
import type { FastifyInstance } from 'fastify';
import { EditorError } from '../../editor/errors.ts';
import type { Settings } from '../../editor/settings.ts';
import { settingsInput, type SettingsInput } from '../../publication.ts';
import { SETTINGS_FORM_NAMES, SettingsPage, type SettingsFormField } from '../views/admin/settings.tsx';
import { adminEditor, csrfRefusal, doneOf, field, refuseEditor, sendAdmin, type AdminDeps } from './common.tsx';
import { formatTime } from './forms.ts';
import { forgetSiteIdentity } from '../site.ts';

const back = { href: '/admin/settings', label: 'Back to the settings' };
const FIELDS = Object.keys(SETTINGS_FORM_NAMES) as SettingsFormField[];

const valuesOf = (s: Settings): Record<SettingsFormField, string> =>
  Object.fromEntries(FIELDS.map((f) => [f, s.set.includes(f) ? ((s[f] as string | null) ?? '') : ''])) as Record<SettingsFormField, string>;

export async function settingsRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const page = (req: Parameters<typeof deps.csrf.token>[0], reply: Parameters<typeof deps.csrf.token>[1], s: Settings, extra: { values?: Record<SettingsFormField, string>; errors?: { field: SettingsFormField; message: string }[] } = {}) =>
    sendAdmin(
      reply,
      <SettingsPage
        csrf={deps.csrf.token(req, reply)}
        values={extra.values ?? valuesOf(s)}
        defaults={{ name: s.set.includes('name') ? 'tagcast weekly' : s.name, senderName: s.set.includes('senderName') ? s.name : s.senderName, accent: '#0b6bcb' }}
        errors={extra.errors}
        outbox={deps.provider?.name === 'outbox' || deps.config.emailProvider === 'outbox'}
        done={doneOf(req)}
        updated={s.updatedAt ? `Last changed ${formatTime(s.updatedAt, deps.config.defaultTimeZone)}${s.updatedBy ? ` by ${s.updatedBy}` : ''}.` : undefined}
      />,
      extra.errors ? 400 : 200,
    );

  app.get('/admin/settings', async (req, reply) => page(req, reply, await adminEditor(deps).settings.show()));

  app.post('/admin/settings', async (req, reply) => {
    const refused = csrfRefusal(deps, req, reply, field(req.body, '_csrf'), back);
    if (refused) return refused;
    const values = Object.fromEntries(FIELDS.map((f) => [f, field(req.body, SETTINGS_FORM_NAMES[f]) ?? ''])) as Record<SettingsFormField, string>;
    // Each field on its own, so a refusal is shown beside the field it is about; the operation checks them all again.
    const errors = FIELDS.flatMap((f) => {
      const r = settingsInput.safeParse({ [f]: values[f] });
      return r.success ? [] : [{ field: f, message: `${r.error.issues[0]!.message[0]!.toUpperCase()}${r.error.issues[0]!.message.slice(1)}.` }];
    });
    const editor = adminEditor(deps);
    if (errors.length > 0) return page(req, reply, await editor.settings.show(), { values, errors });
    try {
      await editor.settings.set(values satisfies SettingsInput);
      forgetSiteIdentity();
    } catch (e) {
      if (e instanceof EditorError) return refuseEditor(reply, e, 'Settings not saved', back);
      throw e;
    }
    return reply.redirect('/admin/settings?done=settings-saved', 303);
  });
}
