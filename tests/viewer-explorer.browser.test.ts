import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, screenshot } from './support/browser.js';
import { roles, viewerSite } from './support/viewer-site.js';

describeBrowser('the Data Explorer in chromium, over the fixture results', () => {
  const { site, open: openRoute } = viewerSite();
  const open = (hash: string) => openRoute(hash, 'explorer');
  const tasks = (page: Page) =>
    page.$$eval('[data-row] [data-cell="task"]', (cells) => cells.map((c) => c.textContent));

  it('opens the newest suite run with its columns, hidden ones in the Columns menu', async () => {
    const { page, errors } = await open('#/');
    const head = roles.suite_runs['compare-head'];
    expect(await page.textContent('.suite-header')).toContain(head);
    const headers = await page.$$eval('[role=columnheader]', (h) => h.map((x) => x.textContent));
    expect(headers).toEqual(
      expect.arrayContaining(['Task', 'Agent', 'Run status', 'Judge verdict', 'Tool calls']),
    );
    expect(headers).not.toContain('Behavior config');
    await page.click('.columns-menu summary');
    await page.check('[data-column-toggle="behavior"]');
    await page.check('[data-column-toggle="violations"]');
    const after = await page.$$eval('[role=columnheader]', (h) => h.map((x) => x.textContent));
    expect(after).toEqual(expect.arrayContaining(['Behavior config', 'Ledger violations']));
    await screenshot(page, 'viewer-explorer');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters by text and by mode, and keeps the filter in the link', async () => {
    const support = roles.suite_runs.support;
    const { page } = await open(`#/explorer/${support}`);
    const all = await tasks(page);
    expect(all.length).toBeGreaterThan(3);
    await page.fill('[data-testid="filter"]', 'cancel');
    await page.waitForFunction(() => document.querySelectorAll('[data-row]').length === 1);
    expect(await tasks(page)).toEqual(['cancel']);
    expect(decodeURIComponent(await page.evaluate(() => location.hash))).toContain('q=cancel');
    await page.fill('[data-testid="filter"]', '');
    await page.click('[data-mode="failures"]');
    const failing = await page.$$eval('[data-row] [data-cell="verdict"]', (c) =>
      c.map((x) => x.textContent),
    );
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((v) => /FAIL|UNCERTAIN/.test(v ?? ''))).toBe(true);
    // The link reopens the same view.
    const link = await page.evaluate(() => location.hash);
    const again = await open(link);
    expect(await tasks(again.page)).toEqual(await tasks(page));
    await again.page.close();
    await page.close();
  });

  it('resets the page when a link or an edited URL changes the fragment', async () => {
    const { page, errors } = await open('#/');
    const all = (await tasks(page)).length;
    await page.fill('[data-testid="filter"]', 'environment');
    await page.waitForFunction(() => document.querySelectorAll('[data-row]').length === 1);
    // The bar's link names the fragment the page was opened with: it still resets the filter.
    await page.click('nav.topbar >> text=Data Explorer');
    await expect.poll(async () => (await tasks(page)).length).toBe(all);
    expect(await page.inputValue('[data-testid="filter"]')).toBe('');
    // An edited URL with another mode shows that mode.
    const id = roles.suite_runs['compare-head'];
    await page.evaluate((h) => (location.hash = h), `#/explorer/${id}?mode=failures`);
    await expect
      .poll(() => page.getAttribute('[data-mode="failures"]', 'aria-selected'))
      .toBe('true');
    await page.evaluate((h) => (location.hash = h), `#/explorer/${id}?mode=all`);
    await expect.poll(() => page.getAttribute('[data-mode="all"]', 'aria-selected')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows only what changed against the base in the changed mode, and sorts by a column', async () => {
    const { page } = await open(`#/explorer/${roles.suite_runs['compare-head']}?mode=changed`);
    expect(await tasks(page)).toEqual(['environment']);
    expect(await page.getAttribute('a[href^="#/compare/"]', 'href')).toBe(
      `#/compare/${roles.suite_runs['compare-base']}/${roles.suite_runs['compare-head']}`,
    );
    await page.click('[data-mode="all"]');
    await page.click('[data-column="latency"]');
    await page.click('[data-column="latency"]');
    const lat = await page.$$eval('[data-row] [data-cell="latency"]', (cells) =>
      cells.map((c) => {
        const [n, unit] = (c.textContent ?? '').split(' ');
        return Number(n) * (unit === 's' ? 1000 : 1);
      }),
    );
    expect(lat.length).toBeGreaterThan(1);
    expect(lat).toEqual([...lat].sort((a, b) => b - a));
    expect(await page.getAttribute('[data-column="latency"]', 'aria-sort')).toBe('descending');
    // The keyboard sorts too: a header's button takes focus and Enter.
    await page.focus('[data-column="cost"] button');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('[data-column="cost"]', 'aria-sort')).toBe('ascending');
    await page.close();
  });

  it('opens a run from its row and lists several runs of a task (trials)', async () => {
    const { page } = await open(`#/explorer/${roles.suite_runs.coding}`);
    const row = page.locator('[data-row]', { hasText: 'fix-add' }).first();
    expect(Number(await row.locator('[data-cell="runs"]').textContent())).toBeGreaterThan(1);
    await row.click();
    await page.waitForFunction(() => location.hash.startsWith('#/trace/'));
    await page.close();
  });

  it('draws a hostile task id, agent and failure mode as text', async () => {
    const id = roles.suite_runs.support;
    const file = join(site, 'runs', id, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8'));
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
    m.runs[0].task_id = `evil ${evil}`;
    m.runs[0].agent = evil;
    m.runs[0].verdict = 'FAIL';
    m.runs[0].failure_mode = evil;
    m.runs[0].error_class = '"><img src=x onerror=window.__pwned=1>';
    writeFileSync(file, JSON.stringify(m));
    const { page, errors } = await open(`#/explorer/${id}?q=evil`);
    expect(await page.textContent('[data-row] [data-cell="task"]')).toBe(`evil ${evil}`);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('[data-row] img, [data-row] script')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens over a manifest and index whose fields have the wrong types', async () => {
    const id = roles.suite_runs['compare-head'];
    const file = join(site, 'runs', id, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8'));
    // String() throws on this object: a page that calls it on a field goes blank.
    const hostile = { toString: 1 };
    m.provenance.ref = 5;
    m.started_at = hostile;
    // Every run of the first task (its row shows the newest), and a field or two of the others.
    const task = m.runs[0].task_id;
    m.runs = m.runs.map((r: object & { task_id: string }) =>
      r.task_id === task
        ? { ...r, status: hostile, verdict: 'FAIL', failure_mode: hostile }
        : { ...r, latency_ms: 'fast', agent_version: hostile, tool_calls: 7 },
    );
    writeFileSync(file, JSON.stringify(m));
    const indexFile = join(site, 'index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    for (const e of index.suite_runs)
      if (e.id === id) Object.assign(e, { commit: hostile, pr: '7' });
    writeFileSync(indexFile, JSON.stringify(index));
    const { page, errors } = await open(`#/explorer/${id}?sort=latency:desc&q=e`);
    expect(await page.locator('[data-row]').count()).toBeGreaterThan(0);
    const row = page.locator('[data-row]', { hasText: task });
    expect(await row.locator('[data-cell="status"]').textContent()).toBe('unknown');
    expect(errors).toEqual([]);
    await page.close();
  });
});
