import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, screenshot } from './support/browser.js';
import { roles, viewerSite } from './support/viewer-site.js';

const EVIL = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';

describeBrowser('the Agent Trace in chromium, over the fixture results', () => {
  const { site, open: openRoute } = viewerSite();
  const open = (role: { suite_run_id: string; run_id: string }) =>
    openRoute(`#/trace/${role.suite_run_id}/${role.run_id}`, 'trace');
  const noSectionErrors = async (page: Page) =>
    expect(await page.$$('[data-testid="section-error"]')).toEqual([]);

  it('shows a coding run: judge card, timeline, final diff in red and green, scorer badges and OVERALL', async () => {
    const { page, errors } = await open(roles.coding);
    expect(await page.textContent('[data-testid="judge-card"]')).toContain('PASS');
    expect((await page.$$('[data-step]')).length).toBeGreaterThan(3);
    const diff = page.locator('[data-testid="final-diff"]');
    await expect.poll(() => diff.locator('.dl-add').count()).toBeGreaterThan(0);
    expect(await diff.locator('.dl-del').count()).toBeGreaterThan(0);
    expect(
      await diff
        .locator('.dl-add')
        .first()
        .evaluate((e) => getComputedStyle(e).backgroundColor),
    ).not.toBe(
      await diff
        .locator('.dl-del')
        .first()
        .evaluate((e) => getComputedStyle(e).backgroundColor),
    );
    expect(await page.locator('[data-testid="scorer"]').count()).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid="overall"]')).toMatch(/OVERALL\s*PASS/);
    // The seed panel starts collapsed and opens.
    const seed = page.locator('[data-testid="seed-panel"]');
    expect(await seed.getAttribute('open')).toBeNull();
    await seed.locator(':scope > summary').click();
    expect(await seed.textContent()).toContain('add');
    await noSectionErrors(page);
    await screenshot(page, 'viewer-trace-coding');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a failing scorer to its tail, and picks another trial of the task', async () => {
    const { page } = await open(roles.coding_failed);
    expect(await page.textContent('[data-testid="overall"]')).toMatch(/OVERALL\s*FAIL/);
    const failing = page.locator('[data-testid="scorer"]', { hasText: 'FAIL' }).first();
    await failing.click();
    await page.waitForSelector('[data-testid="scorer-tail"]');
    await page.close();

    const trials = await open(roles.trials);
    const picker = trials.page.locator('[data-testid="run-picker"] select');
    // The picker loads after the trace (it reads the suite's manifests): wait for it.
    await expect.poll(() => picker.locator('option').count()).toBeGreaterThan(1);
    const options = await picker
      .locator('option')
      .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(options.length).toBeGreaterThan(1);
    const other = options.find((v) => !v.endsWith(roles.trials.run_id))!;
    await picker.selectOption(other);
    await trials.page.waitForFunction((id) => !location.hash.endsWith(id), roles.trials.run_id);
    await trials.page.waitForSelector('[data-page="trace"]');
    await trials.page.close();
  });

  it('shows a tools run: a tool row opens to its ledger, toggled between State and Changes', async () => {
    const { page, errors } = await open(roles.tools);
    // cancel_order changed the world (the order's status, a flag): its row has Changes.
    const row = page.locator('[data-step]', { has: page.locator('.tl-line') }).filter({
      hasText: /cancel_order.*simulated|simulated.*cancel_order/,
    });
    await row.first().locator('.tl-line').click();
    const toggle = row.first().locator('[data-testid="ledger-toggle"]');
    await toggle.getByRole('tab', { name: 'State' }).click();
    expect(await row.first().locator('.ledger-table').count()).toBeGreaterThan(0);
    await toggle.getByRole('tab', { name: 'Changes' }).click();
    await expect.poll(() => row.first().locator('.op').count()).toBeGreaterThan(0);
    expect(await row.first().locator('.ledger-table').count()).toBe(0);
    // The run's final world state has the same toggle.
    expect(
      await page.locator('[data-testid="world-state"] [data-testid="ledger-toggle"]').count(),
    ).toBe(1);
    await noSectionErrors(page);
    await screenshot(page, 'viewer-trace-tools');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a session: the transcript by turn, each coding turn with its own diff', async () => {
    const { page, errors } = await open(roles.coding_session);
    const transcript = page.locator('[data-testid="transcript"]');
    expect(await transcript.textContent()).toMatch(/turn 2|Turn 2/i);
    const turnDiffs = transcript.locator('[data-testid="turn-diff"]');
    expect(await turnDiffs.count()).toBe(2);
    await turnDiffs.nth(1).locator('summary').click();
    expect(await turnDiffs.nth(1).locator('.dl-add').count()).toBeGreaterThan(0);
    await noSectionErrors(page);
    await screenshot(page, 'viewer-trace-session');
    expect(errors).toEqual([]);
    await page.close();

    const conv = await open(roles.conversation);
    expect(await conv.page.locator('[data-testid="transcript"]').textContent()).toBeTruthy();
    await noSectionErrors(conv.page);
    await conv.page.close();
  });

  it('shows a runbook run: its mission and uploads in the seed, its artifacts listed and previewed', async () => {
    const { page, errors } = await open(roles.runbook);
    const seed = page.locator('[data-testid="seed-panel"]');
    await seed.locator(':scope > summary').click();
    await seed.locator('[data-testid="seed-runbook"] > summary').click();
    expect(await seed.locator('[data-testid="seed-runbook"]').textContent()).toMatch(/runbook/i);
    expect(await seed.locator('[data-testid="seed-files"]').textContent()).toContain('sales.csv');
    const rows = page.locator('[data-testid="artifact-row"]');
    expect(await rows.count()).toBe(2);
    const summary = rows.filter({ hasText: 'summary.json' });
    expect(await summary.textContent()).toContain('stored');
    await summary.locator('.artifact-preview > summary').click();
    await expect.poll(() => summary.locator('pre').textContent()).toContain('total_revenue');
    // The stored file is what the link downloads (served from the results beside the record).
    const href = await summary.locator('a[download]').getAttribute('href');
    const body = await page.evaluate((u) => fetch(u!).then((r) => r.text()), href);
    expect(JSON.parse(body)).toHaveProperty('total_revenue');
    await noSectionErrors(page);
    await screenshot(page, 'viewer-trace-runbook');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws everything an agent or a model wrote as text: a hostile record runs nothing', async () => {
    const { suite_run_id, run_id } = roles.coding;
    const file = join(site, 'runs', suite_run_id, `${run_id}.json`);
    const r = JSON.parse(readFileSync(file, 'utf8'));
    r.final_response = EVIL;
    r.judge.reasoning = EVIL;
    r.judge.failure_mode = EVIL;
    r.banners = [EVIL];
    r.soft_warnings = [EVIL];
    r.scorers = r.scorers.map((s: object) => ({ ...s, name: EVIL, passed: false, tail: EVIL }));
    r.overall = 'FAIL';
    r.diff = r.diff.replace(/\+.*a \+ b.*/, `+${EVIL}`);
    for (const s of r.trajectory.steps) s.summary = `${s.summary} ${EVIL}`;
    r.debug = { stdout_tail: EVIL, stderr_tail: EVIL, raw_response: EVIL };
    r.seed.user_instruction = EVIL;
    writeFileSync(
      join(site, 'runs', suite_run_id, 'evil.json'),
      JSON.stringify({ ...r, id: 'evil' }),
    );
    const { page, errors } = await open({ suite_run_id, run_id: 'evil' });
    // Open everything that can open.
    for (const s of await page.$$('details:not([open]) > summary')) await s.click();
    for (const b of await page.$$('[data-step] .tl-line')) await b.click();
    for (const b of await page.$$('[data-testid="scorer"]')) await b.click();
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('[data-page="trace"] img, [data-page="trace"] script')).toEqual([]);
    expect(await page.textContent('[data-testid="final-response"]')).toContain(EVIL);
    expect(await page.textContent('[data-testid="final-diff"]')).toContain(EVIL);
    expect(await page.textContent('[data-testid="debug"]')).toContain(EVIL);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps every section of a record whose fields have the wrong types', async () => {
    const { suite_run_id, run_id } = roles.tools;
    const r = JSON.parse(readFileSync(join(site, 'runs', suite_run_id, `${run_id}.json`), 'utf8'));
    // String() and template literals throw on this object.
    const hostile = { toString: 1 };
    r.started_at = hostile;
    r.trajectory.steps[0].summary = hostile;
    for (const t of r.trajectory.tool_calls) {
      Object.assign(t, { name: hostile, source: hostile });
      for (const op of t.ledger?.changes ?? []) op.entity_type = hostile;
    }
    r.trajectory.trace_events = [{ type: hostile, occurred_at: hostile }];
    writeFileSync(
      join(site, 'runs', suite_run_id, 'odd.json'),
      JSON.stringify({ ...r, id: 'odd' }),
    );
    const { page, errors } = await open({ suite_run_id, run_id: 'odd' });
    for (const b of await page.$$('[data-step] .tl-line')) await b.click();
    for (const t of await page.$$('[data-testid="ledger-toggle"] [role=tab]')) await t.click();
    await noSectionErrors(page);
    expect(await page.locator('[data-step]').count()).toBeGreaterThan(3);
    expect(errors).toEqual([]);
    await page.close();
  });
});
