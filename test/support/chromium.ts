import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium (scripts/ensure-chromium.sh installs it when run as root); no browser download.
const CHROMIUM = '/usr/bin/chromium';
const ENSURE_CHROMIUM = fileURLToPath(new URL('../../scripts/ensure-chromium.sh', import.meta.url));

/** Headless Debian Chromium driven by playwright-core, for the browser tests. */
export function launchChromium(): Promise<Browser> {
  execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit' });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
