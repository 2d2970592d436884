import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser, openPage } from './chromium.js';
import { serveDir, type Served } from './serve-dir.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Which fixture run plays which part (scripts/make-viewer-fixture.mjs writes it). */
export const roles = JSON.parse(readFileSync(join(FIXTURES, 'viewer-results.roles.json'), 'utf8'));

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors and dialogs: a test that ends with any has found a bug. */
  errors: string[];
  /** Requests the loopback-only context stopped. */
  blocked: string[];
}

/**
 * For a describeBrowser block: a private copy of the fixture results (a test may rewrite it,
 * e.g. with a hostile record), served as `gauntlet view` serves it, and one chromium. `open`
 * loads a route and waits for its page to have its data.
 */
export function viewerSite() {
  const site = mkdtempSync(join(tmpdir(), 'viewer-site-'));
  let served: Served;
  let browser: Browser;
  beforeAll(async () => {
    cpSync(join(FIXTURES, 'viewer-results'), site, { recursive: true });
    served = await serveDir(site);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });
  const open = async (
    hash: string,
    page: 'explorer' | 'trace' | 'compare' | 'trends',
    viewport = { width: 1400, height: 900 },
  ): Promise<OpenedPage> => {
    const opened = await openPage(browser, { viewport });
    const errors: string[] = [];
    opened.page.on('pageerror', (e) => errors.push(e.message));
    opened.page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await opened.page.goto(`${served.viewerUrl}${hash}`);
    await opened.page.waitForSelector(`[data-page="${page}"]`);
    expect(opened.blocked).toEqual([]);
    return { ...opened, errors };
  };
  return { site, open };
}
