import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeBrowser, screenshot } from './support/browser.js';
import { roles, viewerSite } from './support/viewer-site.js';

describeBrowser('viewer: Compare and Trends in chromium', () => {
  // A private copy: the hostile test below rewrites task ids in it.
  const { site, open } = viewerSite();
  const viewport = { width: 1280, height: 800 };
  const { base, head } = roles.compare;
  const compareHash = `#/compare/${encodeURIComponent(base)}/${encodeURIComponent(head)}`;

  it('compares two suite runs: the regressed task shows, worded as the PR comment', async () => {
    const { page, errors, blocked } = await open(compareHash, 'compare', viewport);
    const { regressed_task } = roles.compare;
    const summary = page.locator('[data-testid="compare-summary"]');
    await expect.poll(() => summary.innerText()).toMatch(/Pass rate, task by task/);
    expect(await summary.innerText()).toMatch(/within noise|beyond noise/);
    const row = page.locator(`[data-testid="compare-table"] tr[data-task="${regressed_task}"]`);
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').nth(4).innerText()).toBe('regressed');
    // The newest trace on each side links into the Agent Trace.
    const headTrace = row.locator('a[data-trace="head"]');
    expect(await headTrace.getAttribute('href')).toMatch(
      new RegExp(`^#/trace/${encodeURIComponent(head)}/`),
    );
    // The table sorts from the keyboard: a header's button takes focus and Enter.
    await page.focus('[data-testid="compare-table"] th[data-column="task"] button');
    await page.keyboard.press('Enter');
    expect(
      await page.getAttribute('[data-testid="compare-table"] th[data-column="task"]', 'aria-sort'),
    ).toBe('ascending');
    await page.keyboard.press('Enter');
    await screenshot(page, 'viewer-compare');
    await headTrace.click();
    await page.waitForURL(/#\/trace\//);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('draws the trends of a suite, and a point opens the explorer', async () => {
    const { page, errors, blocked } = await open('#/trends/quickstart', 'trends', viewport);
    for (const m of ['pass-rate', 'pass-hat-k', 'cost', 'p95']) {
      const chart = page.locator(`[data-testid="trends-chart-${m}"]`);
      expect(await chart.getAttribute('data-points')).toBe('2');
      expect(await chart.locator('canvas').count()).toBe(1);
    }
    const table = page.locator('[data-testid="trends-table"] tbody tr');
    expect(await table.count()).toBe(2);
    expect(await table.first().innerText()).toContain(roles.compare.head_commit.slice(0, 7));
    await screenshot(page, 'viewer-trends');
    // Hover the newest point (the right end) for its tip, then click it.
    const over = page.locator('[data-testid="trends-chart-pass-rate"] .u-over');
    const box = (await over.boundingBox())!;
    const x = box.x + box.width * 0.75;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    const tip = page.locator('[data-testid="trends-tip"]');
    await tip.waitFor();
    expect(await tip.innerText()).toContain(roles.compare.head_commit.slice(0, 7));
    await page.mouse.click(x, y);
    await page.waitForSelector('[data-page="explorer"]');
    expect(page.url()).toContain(`#/explorer/${encodeURIComponent(roles.compare.head)}`);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('draws a hostile task id as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    for (const id of [roles.compare.base, roles.compare.head]) {
      const file = join(site, 'runs', id, 'manifest.json');
      const m = JSON.parse(readFileSync(file, 'utf8'));
      for (const r of m.runs) if (r.task_id === roles.compare.regressed_task) r.task_id = evil;
      writeFileSync(file, JSON.stringify(m));
    }
    const { page } = await open(compareHash, 'compare', viewport);
    const row = page.locator('[data-testid="compare-table"] tr[data-kind="noisy"]');
    expect(await row.locator('td.task').innerText()).toBe(evil);
    expect(await page.locator('[data-page="compare"] img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.close();
  });
});
