import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { chromiumPath } from './chromium.js';

/**
 * The browser harness of the viewer's tests: a loopback static server over a results directory
 * (and the built viewer at /viewer/), Debian's chromium driven by playwright-core (never a
 * downloaded browser), a page that cannot reach anything but loopback, and screenshots.
 * serve-dir.ts and chromium.ts hold the parts the bench shares; this adds the vitest gate.
 */
export * from './chromium.js';
export * from './serve-dir.js';

/**
 * Whether browser tests can run. Under CI=true a missing chromium throws (a failure, never a
 * skip); GAUNTLET_SKIP_BROWSER=1 (set by scripts/test.sh on a laptop without root) skips with a
 * loud message; anything else without chromium throws with the fix.
 */
export function browserReady(): boolean {
  const path = chromiumPath();
  if (existsSync(path)) return true;
  if (process.env.CI === 'true')
    throw new Error(`CI=true but no chromium at ${path}: run scripts/ensure-chromium.sh`);
  if (process.env.GAUNTLET_SKIP_BROWSER === '1') {
    console.warn(`\n### No chromium at ${path}: the browser tests are SKIPPED. ###\n`);
    return false;
  }
  throw new Error(
    `no chromium at ${path}; run scripts/ensure-chromium.sh (or set CHROMIUM_PATH), ` +
      'or set GAUNTLET_SKIP_BROWSER=1 to skip the browser tests',
  );
}

/** `describe` for browser tests: runs, fails loudly, or (GAUNTLET_SKIP_BROWSER=1) skips loudly. */
export function describeBrowser(name: string, fn: () => void): void {
  describe.skipIf(!browserReady())(name, fn);
}
