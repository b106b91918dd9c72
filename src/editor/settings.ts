// The publication's identity (name, tagline, logo, accent, sender, reply-to, footer, postal address):
// show and set, the same for every face. The rules are in src/publication.ts; storage in src/db/settings.ts.
import { writeSettings } from '../db/settings.ts';
import { loadSettings, settingsInput, type Settings, type SettingsInput } from '../publication.ts';
import type { EditorDeps } from './deps.ts';
import { invalid } from './errors.ts';

export type { Settings, SettingsInput };

export interface SettingsOps {
  /** The settings with defaults filled in, and which fields the editor set. */
  show(): Promise<Settings>;
  /** Sets the fields given ("" clears one back to its default); a bad field (a low-contrast accent, an http logo) is an 'invalid' refusal naming it. */
  set(input: SettingsInput): Promise<Settings>;
}

export function settingsOps(deps: EditorDeps): SettingsOps {
  return {
    show: () => loadSettings(deps.db, deps.config),
    async set(input) {
      const parsed = settingsInput.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `unknown setting: ${i.keys.join(', ')}` : i.message)).join('; '));
      if (Object.keys(parsed.data).length === 0) throw invalid('nothing to set: give at least one setting (e.g. --name or --postal-address)');
      await writeSettings(deps.db, parsed.data, deps.actor);
      return loadSettings(deps.db, deps.config);
    },
  };
}
