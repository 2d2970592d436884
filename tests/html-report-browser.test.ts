import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../core/src/viewer/html-report.js';
import { serveViewer } from '../core/src/viewer/serve.js';

// Debian's chromium, driven without a browser download. Under CI it must be there.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`no browser at ${CHROMIUM} under CI`);

const HOSTILE =
  '</script><script>window.pwned = 1</script><!--<script>window.pwned = 2</script>\u2028\u2029$&';

/**
 * A stand-in viewer (not the lead's): it reads #gauntlet-data when present, else fetches
 * ../index.json relative to its page, and reports what it saw on the body.
 */
async function viewer(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'viewer-'));
  await writeFile(
    join(dir, 'index.html'),
    // The page policy of the real viewer: scripts from 'self' only.
    '<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" ' +
      `content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; ` +
      `connect-src 'self'; object-src 'none'; base-uri 'none'">` +
      '<link rel="stylesheet" href="./viewer.css">' +
      '</head><body><script type="module" src="./viewer.js"></script></body></html>',
  );
  await writeFile(
    join(dir, 'viewer.js'),
    `const el = document.getElementById('gauntlet-data');
const data = el ? JSON.parse(el.textContent).files : null;
const get = async (p) => data ? data[p] : (await fetch(new URL('../' + p, location.href))).json();
const index = await get('index.json');
const id = index.suite_runs[0].id;
const record = await get('runs/' + id + '/r-1.json');
document.body.dataset.record = record.final_response;
document.body.dataset.source = data ? 'embedded' : 'fetched';
document.body.dataset.page = 'ready';`,
  );
  await writeFile(join(dir, 'viewer.css'), 'body { color: rgb(1, 2, 3); }');
  return dir;
}

async function results(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'results-'));
  await mkdir(join(dir, 'runs', 's-1'), { recursive: true });
  const entry = { id: 's-1', suite: 'smoke', started_at: '2025-01-01T00:00:00Z' };
  await writeFile(join(dir, 'index.json'), JSON.stringify({ suite_runs: [entry] }));
  await writeFile(
    join(dir, 'runs', 's-1', 'manifest.json'),
    JSON.stringify({ id: 's-1', runs: [{ id: 'r-1' }] }),
  );
  await writeFile(
    join(dir, 'runs', 's-1', 'r-1.json'),
    JSON.stringify({ id: 'r-1', final_response: HOSTILE }),
  );
  return dir;
}

describe.skipIf(!haveBrowser)('the viewer in a real browser (stand-in viewer)', () => {
  it('opens the one-file report from file:// with the hostile record intact and inert', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'report-')), 'report.html');
    await writeHtmlReport({ resultsDir: await results(), file, viewerDir: await viewer() });
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-page="ready"]', { state: 'attached' });
      expect(await page.evaluate(() => document.body.dataset.source)).toBe('embedded');
      expect(await page.evaluate(() => document.body.dataset.record)).toBe(HOSTILE);
      expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.evaluate(() => document.scripts.length)).toBe(2);
      expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(1, 2, 3)');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('serves the same viewer over loopback, fetching relative to its page', async () => {
    const server = await serveViewer({ resultsDir: await results(), viewerDir: await viewer() });
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
      await page.goto(server.origin);
      expect(page.url()).toBe(server.url);
      await page.waitForSelector('body[data-page="ready"]', { state: 'attached' });
      expect(await page.evaluate(() => document.body.dataset.source)).toBe('fetched');
      expect(await page.evaluate(() => document.body.dataset.record)).toBe(HOSTILE);
      // The page's policy lets the viewer's own script and fetches through.
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
