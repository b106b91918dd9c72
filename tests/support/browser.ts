// The one way browser tests start Chromium: the system's (CHROMIUM_PATH or /usr/bin/chromium, checked
// by the run's global setup before any test starts), headless, offline-friendly.
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from './env.ts';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}
