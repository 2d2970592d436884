import { existsSync, mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe } from 'vitest';

/**
 * The browser harness of the viewer's tests: a loopback static server over a results directory
 * (and the built viewer at /viewer/), Debian's chromium driven by playwright-core (never a
 * downloaded browser), a page that cannot reach anything but loopback, and screenshots.
 */

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The built viewer (scripts/build-viewer.mjs writes it). */
export const VIEWER_DIST = join(REPO, 'viewer', 'dist');

/** The chromium binary: CHROMIUM_PATH, else Debian's (scripts/ensure-chromium.sh installs it). */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Served {
  /** http://127.0.0.1:<port>/ (with the trailing slash). */
  url: string;
  /** The viewer's page: `${url}viewer/index.html`. */
  viewerUrl: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `dir` at / and the viewer assets (default viewer/dist) at /viewer/, on 127.0.0.1 and a
 * free port: the site layout of the viewer contract. A path that resolves outside its root is a
 * 404 (no `..` escape); a directory serves its index.html.
 */
export async function serveDir(dir: string, opts: { viewerDir?: string } = {}): Promise<Served> {
  const roots = { site: resolve(dir), viewer: resolve(opts.viewerDir ?? VIEWER_DIST) };
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const [root, rest] =
        path === '/viewer' || path.startsWith('/viewer/')
          ? [roots.viewer, path.slice('/viewer'.length)]
          : [roots.site, path];
      let file = resolve(root, '.' + rest);
      if (file !== root && !file.startsWith(root + sep)) throw new Error('outside the root');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    viewerUrl: `${url}viewer/index.html`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
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
