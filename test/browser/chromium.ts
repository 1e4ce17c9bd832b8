/**
 * Headless Chromium for the browser tests: Debian's (or $BNN_CHROMIUM, or the one Playwright installed
 * where it can download browsers), started with the flags a closed network needs.
 */
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium to drive, or an error saying how to get one. */
function chromiumPath(): string {
  const candidates = [process.env.BNN_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', chromium.executablePath()];
  const found = candidates.find((c): c is string => c !== undefined && c !== '' && fs.existsSync(c));
  if (found === undefined) {
    throw new Error(
      'No Chromium for the browser tests: apt-get install chromium (Debian/Ubuntu), or npx playwright install chromium ' +
        'where it can download, or set BNN_CHROMIUM to a Chromium or Chrome executable.',
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    // Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
