import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (never a downloaded browser), in contexts that
 * cannot reach anything but loopback, and screenshots. No test framework here: the bench
 * (bench/viewer.ts) drives the browser with it too.
 */

/** The chromium binary: CHROMIUM_PATH, else Debian's (scripts/ensure-chromium.sh installs it). */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Loopback hosts a page may reach; everything else is aborted. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a request URL stays on this machine (loopback http(s), or data:/blob:/about:). */
export function isLoopbackUrl(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK.has(u.hostname);
}

/**
 * Debian's chromium, headless, through playwright-core with executablePath (no browser download
 * ever). --no-sandbox only as root (chromium refuses to start as root without it). No proxy,
 * and the host resolver answers nothing but localhost: the network is out of reach even for a
 * request the route below would miss.
 */
export async function launchBrowser(): Promise<Browser> {
  const args = [
    '--no-proxy-server',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  ];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

/**
 * A fresh context whose every non-loopback request is aborted (page.route on the whole context,
 * so popups and workers' fetches are covered too); `blocked` lists the URLs it stopped.
 */
export async function loopbackContext(
  browser: Browser,
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    serviceWorkers: 'block',
  });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopbackUrl(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}

/** A page in a loopback-only context (see loopbackContext); closing the page closes both. */
export async function openPage(
  browser: Browser,
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<{ page: Page; blocked: string[] }> {
  const { context, blocked } = await loopbackContext(browser, opts);
  const page = await context.newPage();
  page.on('close', () => void context.close().catch(() => {}));
  return { page, blocked };
}

/**
 * Writes `<dir>/<name>.png` (full page) and returns its path; `name` is a file name, no path.
 * The default dir is GAUNTLET_SCREENSHOT_DIR, else a temp folder (never the work tree).
 */
export async function screenshot(
  page: Page,
  name: string,
  dir = process.env.GAUNTLET_SCREENSHOT_DIR || join(tmpdir(), 'gauntlet-screenshots'),
): Promise<string> {
  if (!/^[\w.-]+$/.test(name))
    throw new Error(`screenshot name must be a plain file name: ${name}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
