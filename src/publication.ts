// The publication's identity: what an editor may set (checked here, for every face), its defaults on a
// fresh install, and the identity a render uses (src/render/publication.ts). Stored in src/db/settings.ts.
import { z } from 'zod';
import type { Config } from './config.ts';
import type { Db } from './db/connection.ts';
import { readIssueNote, readSettings, type SettingsField, type StoredSettings } from './db/settings.ts';
import { controlCharacter } from './lib/text.ts';
import { renderNote } from './render/note.ts';
import { DEFAULT_ACCENT, DEFAULT_NAME, type Publication } from './render/publication.ts';
import { normaliseEmail } from './lib/mail.ts';

/** The background of the email's card and of light pages. */
export const LIGHT_BACKGROUND = '#ffffff';
/** The reader pages' dark-mode background (site.css `--bg`), where the accent colours headings and the header bar. */
export const DARK_BACKGROUND = '#0f1216';
/** WCAG 2.2 AA for normal text on the light card (1.4.3). */
export const MIN_CONTRAST_LIGHT = 4.5;
/**
 * On the dark background the accent colours large headings and the header bar (WCAG AA for large text
 * and for non-text, 1.4.3 / 1.4.11: 3:1). 4.5:1 against both white and #0f1216 is impossible (the best
 * colour reaches about 4.3:1 against both), so small dark-mode text keeps the site's own light accent.
 */
export const MIN_CONTRAST_DARK = 3;

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio of two #rrggbb colours, 1 … 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Why an accent colour cannot be used, with its ratios; null when it reads well on both backgrounds. */
export function accentProblem(accent: string): string | null {
  const light = contrastRatio(accent, LIGHT_BACKGROUND);
  const dark = contrastRatio(accent, DARK_BACKGROUND);
  const r = (x: number) => `${(Math.floor(x * 100) / 100).toFixed(2)}:1`;
  if (light < MIN_CONTRAST_LIGHT) return `the accent colour ${accent} has a contrast of ${r(light)} against white; text needs at least ${MIN_CONTRAST_LIGHT}:1 (WCAG AA): choose a darker colour`;
  if (dark < MIN_CONTRAST_DARK) return `the accent colour ${accent} has a contrast of ${r(dark)} against the dark-mode background ${DARK_BACKGROUND}; it needs at least ${MIN_CONTRAST_DARK}:1: choose a lighter colour`;
  return null;
}

/** A line of text: no control characters, at most `max` characters. Empty → null (the default). */
const line = (label: string, max: number) =>
  z.string().transform((raw, ctx) => {
    const c = controlCharacter(raw);
    if (c) {
      ctx.addIssue({ code: 'custom', message: `the ${label} contains a control character (${c}); it is one line of text` });
      return z.NEVER;
    }
    const v = raw.trim();
    if ([...v].length > max) {
      ctx.addIssue({ code: 'custom', message: `the ${label} is ${[...v].length} characters long; at most ${max} are allowed` });
      return z.NEVER;
    }
    return v === '' ? null : v;
  });

/** Lines of text (the footer, the postal address): line breaks allowed, other control characters not. */
const lines = (label: string, max: number) =>
  z.string().transform((raw, ctx) => {
    const v = raw.replace(/\r\n?/g, '\n').trim();
    const c = controlCharacter(v.replace(/\n/g, ' '));
    if (c) {
      ctx.addIssue({ code: 'custom', message: `the ${label} contains a control character (${c})` });
      return z.NEVER;
    }
    if ([...v].length > max) {
      ctx.addIssue({ code: 'custom', message: `the ${label} is ${[...v].length} characters long; at most ${max} are allowed` });
      return z.NEVER;
    }
    return v === '' ? null : v;
  });

const logoUrl = line('logo URL', 2000).transform((v, ctx) => {
  if (v === null) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'the logo URL is not a URL (e.g. https://example.com/logo.png)' });
    return z.NEVER;
  }
  if (u.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'the logo URL must start with https:// (mail clients block other images)' });
    return z.NEVER;
  }
  return u.href;
});

const accent = line('accent colour', 7).transform((v, ctx) => {
  if (v === null) return null;
  const hex = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(v)?.[1]?.toLowerCase();
  if (!hex) {
    ctx.addIssue({ code: 'custom', message: `the accent colour must be a hex colour such as #0b6bcb, got "${v}"` });
    return z.NEVER;
  }
  const full = `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
  const problem = accentProblem(full);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return full;
});

const replyTo = line('reply-to address', 254).transform((v, ctx) => {
  if (v === null) return null;
  const a = normaliseEmail(v);
  if ('error' in a) {
    ctx.addIssue({ code: 'custom', message: `the reply-to address: ${a.error}` });
    return z.NEVER;
  }
  return a.email;
});

/** What an editor may change; every field optional; "" clears a field back to its default. */
export const settingsInput = z
  .object({
    name: line('name', 100),
    tagline: line('tagline', 200),
    logoUrl,
    accent,
    senderName: line('sender name', 100),
    replyTo,
    footer: lines('footer text', 1000),
    postalAddress: lines('postal address', 500),
    defaultDensity: line('default density', 5).refine((v) => v === null || v === 'brief' || v === 'full', 'the default density must be brief or full'),
  })
  .partial()
  .strict();
export type SettingsInput = z.input<typeof settingsInput>;
export type SettingsPatch = Partial<Record<SettingsField, string | null>>;

export interface Settings {
  name: string;
  tagline: string;
  logoUrl: string | null;
  accent: string;
  senderName: string;
  replyTo: string | null;
  footer: string;
  postalAddress: string;
  /** What readers who never chose get: every part of each summary, or the title and one sentence. */
  defaultDensity: 'brief' | 'full';
  /** Which fields the editor set (the others show their defaults). */
  set: SettingsField[];
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** MAIL_FROM's display name, unless it is the stock one. */
function mailFromName(mailFrom: string): string | null {
  const name = /^(.*?)\s*<[^<>]*>$/.exec(mailFrom)?.[1]?.replace(/^"(.*)"$/, '$1').trim();
  return name && mailFrom !== 'tagcast <digest@tagcast.localhost>' ? name : null;
}

/** The stored settings with every unset field at its default. */
export function effectiveSettings(s: StoredSettings, config: Pick<Config, 'mailFrom'>): Settings {
  const fromName = mailFromName(config.mailFrom);
  const name = s.name ?? fromName ?? DEFAULT_NAME;
  return {
    name,
    tagline: s.tagline ?? '',
    logoUrl: s.logoUrl,
    accent: s.accent ?? DEFAULT_ACCENT,
    senderName: s.senderName ?? fromName ?? name,
    replyTo: s.replyTo,
    footer: s.footer ?? '',
    postalAddress: s.postalAddress ?? '',
    defaultDensity: s.defaultDensity === 'brief' ? 'brief' : 'full',
    set: (Object.keys(s) as (keyof StoredSettings)[]).filter((k): k is SettingsField => k !== 'updatedAt' && k !== 'updatedBy' && s[k] !== null),
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}

export async function loadSettings(db: Db, config: Pick<Config, 'mailFrom'>): Promise<Settings> {
  return effectiveSettings(await readSettings(db), config);
}

/** The identity a render of this issue shows: the settings now and the issue's note. */
export async function issuePublication(db: Db, config: Pick<Config, 'mailFrom'>, issueId: number | null): Promise<Publication> {
  const [s, note] = await Promise.all([loadSettings(db, config), issueId === null ? undefined : readIssueNote(db, issueId)]);
  return publicationOf(s, note?.note ?? null);
}

export function publicationOf(s: Settings, note: string | null): Publication {
  return { name: s.name, tagline: s.tagline, logoUrl: s.logoUrl, accent: s.accent, footer: s.footer, postalAddress: s.postalAddress, senderName: s.senderName, replyTo: s.replyTo, note: renderNote(note, s.accent) };
}

/** The one line a send without a postal address is refused with (a commercial sender must show one). */
export const NO_POSTAL_ADDRESS =
  'no postal address is set, and a real email provider needs one in every digest: set it on the admin settings page (/admin/settings) or with `tagcast settings set --postal-address "…"`, then resume the issue';

/**
 * Why sending through this provider may not start, or null. Only a provider that delivers mail (Resend,
 * also when a test records its calls: "recording(resend)") needs the address; the outbox (a demo, a dry
 * run) and test fakes send without one.
 */
export async function sendingProblem(db: Db, config: Pick<Config, 'mailFrom'>, providerName: string): Promise<string | null> {
  if (!/\bresend\b/.test(providerName)) return null;
  const s = await loadSettings(db, config);
  return s.postalAddress.trim() === '' ? NO_POSTAL_ADDRESS : null;
}

/** The settings as a request carries them (every field a string, "" to clear); the operation checks each (settingsInput). */
export const settingsBody = z
  .object({
    name: z.string().max(1000).describe('the publication name (default "tagcast weekly")'),
    tagline: z.string().max(2000),
    logoUrl: z.string().max(4000).describe('https only'),
    accent: z.string().max(20).describe('#rrggbb; at least 4.5:1 against white and 3:1 against the dark-mode background'),
    senderName: z.string().max(1000).describe("the From header's display name"),
    replyTo: z.string().max(1000),
    footer: z.string().max(10000),
    postalAddress: z.string().max(5000).describe('required before sending through a real provider'),
    defaultDensity: z.string().max(20).describe('brief or full: what readers who never chose get (default full)'),
  })
  .partial()
  .strict()
  .refine((o) => Object.keys(o).length > 0, 'names no setting to change: give at least one, e.g. name or postalAddress')
  .meta({ minProperties: 1 });
