import { describe, expect, it } from 'vitest';
import { compareRuns } from '../results/compare.js';
import { summarise } from '../results/summary.js';
import { markdownProblems } from '../test-support/hostile-text.js';
import { record } from '../test-support/records.js';
import { CHECK_LIMITS, renderCheckRun } from './check-run.js';
import { COMMENT_LIMIT, COMMENT_MARKER, renderPrComment } from './pr-comment.js';
import { comparisonLinks, viewerBase, viewerLinks } from './viewer-links.js';

const PAGES = 'https://octo.github.io/widgets';
const prov = { gauntlet_version: '0', config_hash: 'x', host: 'h' };
const opts = {
  fullRecordsAt: 'https://github.com/o/r/tree/gauntlet-results/runs/s1',
  repoPath: () => undefined,
};

describe('viewer links', () => {
  it('follows the routes of the viewer under the Pages base, ids encoded', () => {
    const l = viewerLinks(`${PAGES}/`)!;
    expect(l.home).toBe(`${PAGES}/viewer/`);
    expect(l.explorer('s-1')).toBe(`${PAGES}/viewer/#/explorer/s-1`);
    expect(l.trace('s-1', 'r 2/x')).toBe(`${PAGES}/viewer/#/trace/s-1/r%202%2Fx`);
    expect(l.compare('base(1)', 'head')).toBe(`${PAGES}/viewer/#/compare/base%281%29/head`);
    expect(viewerBase('https://evals.example.com:8443/a/b///')).toBe(
      'https://evals.example.com:8443/a/b',
    );
    expect(viewerBase('https://OCTO.github.io')).toBe('https://octo.github.io');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript://github.io/%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://octo.github.io/widgets',
    'ftp://octo.github.io',
    'https://user:pass@octo.github.io',
    'https://octo.github.io/w?x=1',
    'https://octo.github.io/w#/trace',
    'https://octo.github.io/w)[x](javascript:alert(1)',
    'https://octo.github.io/"><script>',
    "https://octo.github.io/it's",
    'https://octo.github.io/a b',
    'https://octo.github.io/a\nb',
    '//octo.github.io',
    'octo.github.io',
    '',
  ])('makes no link from the hostile or non-https viewer_url %j', (url) => {
    expect(viewerLinks(url)).toBeUndefined();
  });

  it('makes no link from a viewer_url that is not a string', () => {
    for (const v of [undefined, null, 42, ['https://a.b'], { href: 'https://a.b' }])
      expect(viewerLinks(v)).toBeUndefined();
  });
});

describe('check runs and the PR comment with a published viewer', () => {
  const failing = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      record({
        task_id: `task-${i}`,
        verdict: 'FAIL',
        suite_run_id: i % 2 ? 's-rerun' : 's1',
        scorers: [{ name: 'tests', passed: false, tail: 'AssertionError\n'.repeat(300) }],
      }),
    );

  it('links the explorer and each failure trace beside its record, within the limits', () => {
    const records = failing(1000);
    const m = summarise('s1', 'smoke', records, 1, {}, Date.now(), prov);
    const links = viewerLinks(PAGES)!;
    const v = renderCheckRun(m, records, { ...opts, viewer: { links, suiteRunId: 's-rerun' } });
    expect(v.summary).toContain(`[Open in the viewer](${PAGES}/viewer/#/explorer/s-rerun)`);
    expect(v.text).toContain(
      `[Trace](${PAGES}/viewer/#/trace/s1/r-task-0-1) · [Full record](${opts.fullRecordsAt}/r-task-0-1.json)`,
    );
    // A record of a re-run links into its own suite run.
    expect(v.text).toContain(`${PAGES}/viewer/#/trace/s-rerun/r-task-1-1`);
    expect(v.summary.length).toBeLessThanOrEqual(CHECK_LIMITS.summary);
    expect(v.text.length).toBeLessThanOrEqual(CHECK_LIMITS.text);
    expect(markdownProblems(v.text)).toEqual([]);
    // Without a viewer, the raw record as before.
    const plain = renderCheckRun(m, records.slice(0, 1), opts);
    expect(plain.text).not.toContain('[Trace]');
    expect(plain.summary).not.toContain('Open in the viewer');
  });

  it('links the comparison and the traces of changed tasks', () => {
    const base = failing(3).map((r) => ({ ...r, verdict: 'PASS' as const }));
    const head = failing(3);
    const m = summarise('s1', 'smoke', head, 1, {}, Date.now(), prov);
    const links = viewerLinks(PAGES)!;
    const viewer = comparisonLinks(links, {
      baseSuiteRunId: 's-base',
      headSuiteRunId: 's1',
      headRecords: head,
    });
    const body = renderPrComment(
      [{ suite: 'smoke', head: m, base: m, comparison: compareRuns(base, head), viewer }],
      { headSha: 'abc1234', baseLabel: 'main', fullRecordsAt: 'x' },
    );
    expect(body).toContain(`[compare in the viewer](${PAGES}/viewer/#/compare/s-base/s1)`);
    expect(body).toMatch(
      /\| task-0 \| support-bot \| 1\/1 \| 0\/1 \| regressed \|.*\| \[trace\]\(/,
    );
    expect(body).toContain(`[trace](${PAGES}/viewer/#/trace/s-rerun/r-task-1-1)`);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(markdownProblems(body, { marker: COMMENT_MARKER })).toEqual([]);
  });

  it('keeps a hostile task id inert beside the links it gets', () => {
    const evil = '[x](javascript:alert(1)) | @team #1 <script>';
    const base = [record({ task_id: evil, verdict: 'PASS' })];
    const head = [record({ task_id: evil, verdict: 'FAIL' })];
    const m = summarise('s1', 'smoke', head, 1, {}, Date.now(), prov);
    const viewer = comparisonLinks(viewerLinks(PAGES)!, {
      baseSuiteRunId: 's-base',
      headSuiteRunId: 's1',
      headRecords: head,
    });
    const body = renderPrComment(
      [{ suite: 'smoke', head: m, base: m, comparison: compareRuns(base, head), viewer }],
      { headSha: 'abc1234', baseLabel: 'main', fullRecordsAt: 'x' },
    );
    expect(markdownProblems(body, { marker: COMMENT_MARKER })).toEqual([]);
    expect(body).toContain(`[trace](${PAGES}/viewer/#/trace/s1/`);
    expect(body).not.toContain('](javascript:');
  });
});
