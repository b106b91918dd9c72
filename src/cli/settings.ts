// `tagcast settings show|set`: the publication's identity (docs/publication.md).
import type { Command } from 'commander';
import type { Settings, SettingsInput } from '../editor/settings.ts';
import { UsageError } from './context.ts';
import { withEditor } from './editor.ts';

const LABELS: [keyof Settings & keyof SettingsInput, string][] = [
  ['name', 'name'],
  ['tagline', 'tagline'],
  ['logoUrl', 'logo URL'],
  ['accent', 'accent'],
  ['senderName', 'sender name'],
  ['replyTo', 'reply-to'],
  ['footer', 'footer'],
  ['postalAddress', 'postal address'],
  ['defaultDensity', 'default density'],
];

export function describeSettings(s: Settings): string {
  const out = LABELS.map(([k, label]) => {
    const v = s[k] as string | null;
    const shown = v === null || v === '' ? '(none)' : v.replace(/\n/g, ' / ');
    return `  ${`${label}:`.padEnd(16)}${shown}${s.set.includes(k) ? '' : '  (default)'}`;
  });
  if (s.postalAddress === '') out.push('  note: no postal address: the outbox sends without one, a real provider refuses to start sending');
  return ['publication settings', ...out].join('\n');
}

export function registerSettings(program: Command): void {
  const cmd = program.command('settings').description("the publication's identity: name, logo, accent colour, sender, footer, postal address");

  cmd
    .command('show')
    .description('the settings, with defaults for those not set')
    .action(async () => {
      const s = await withEditor((ed) => ed.settings.show());
      process.stdout.write(`${describeSettings(s)}\n`);
    });

  cmd
    .command('set')
    .description('change some settings ("" clears one back to its default)')
    .option('--name <name>', 'the publication name (default "tagcast weekly")')
    .option('--tagline <text>', 'one line under the name')
    .option('--logo-url <url>', 'an https image shown above the name in digests')
    .option('--accent <#rrggbb>', 'accent colour; refused below 4.5:1 contrast on white (and 3:1 on the dark background)')
    .option('--sender-name <name>', "the From header's display name")
    .option('--reply-to <email>', 'where replies go')
    .option('--footer <text>', 'a line in every digest footer')
    .option('--default-density <brief|full>', 'what readers who never chose get: brief (title and one sentence) or full (default)')
    .option('--postal-address <address>', 'your postal address, shown in every digest (required to send through a real provider); \\n for a new line')
    .action(async (o: Record<string, string | undefined>) => {
      const input: SettingsInput = {};
      for (const [k] of LABELS) if (o[k] !== undefined) input[k] = k === 'postalAddress' || k === 'footer' ? o[k].replace(/\\n/g, '\n') : o[k];
      if (Object.keys(input).length === 0) throw new UsageError('nothing to set: give at least one option, e.g. --name "The Weekly" or --postal-address "1 Main St, Town"');
      const s = await withEditor((ed) => ed.settings.set(input));
      process.stdout.write(`${describeSettings(s)}\n`);
    });
}
