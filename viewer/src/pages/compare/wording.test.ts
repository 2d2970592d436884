import { describe, expect, it } from 'vitest';
import {
  compareRuns,
  renderPrComment,
  type ComparableRun,
  type SuiteManifest,
} from '../../../../core/src/index.js';
import {
  beyondNoiseNote,
  confirmationCell,
  notRerunReason,
  p3,
  pairedSentence,
  pointsDelta,
  signed,
  usdDelta,
  verdictSentence,
} from './wording.js';

const run = (task_id: string, pass: boolean, confirmation = false): ComparableRun => ({
  task_id,
  agent: { name: 'a' },
  verdict: pass ? 'PASS' : 'FAIL',
  latency_ms: 100,
  cost: { total_usd: 0.01 },
  ...(confirmation ? { confirmation: true } : {}),
});
const trials = (task: string, passes: number, n: number, confirmation = false) =>
  Array.from({ length: n }, (_, i) => run(task, i < passes, confirmation));

/** The comment's markdown as text (no emphasis, entities read), to hold the page's against. */
const plain = (md: string) =>
  md
    .replace(/\*\*|_/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function comment(base: ComparableRun[], head: ComparableRun[]) {
  const c = compareRuns(base, head);
  const m = { pass_rate: 1, counts: { pass: 1, runs: 1 }, gates: [] } as unknown as SuiteManifest;
  const md = renderPrComment([{ suite: 's', head: m, base: m, comparison: c }], {
    headSha: 'abcdef0',
    baseLabel: 'main',
    fullRecordsAt: 'x',
  });
  return { c, md: plain(md) };
}

describe('the summary says what the PR comment says', () => {
  it('for a regression beyond noise', () => {
    const { c, md } = comment(
      [...trials('broke', 10, 10), ...trials('ok', 10, 10)],
      [...trials('broke', 0, 10), ...trials('ok', 10, 10)],
    );
    expect(verdictSentence(c)).toBe('1 regression(s) and 0 improvement(s) beyond noise.');
    expect(md).toContain(verdictSentence(c));
    expect(md).toContain(pairedSentence(c));
    expect(md).toContain(beyondNoiseNote(c));
  });

  it('for flips the trials cannot tell from chance, with the advice', () => {
    const { c, md } = comment(
      [...trials('a', 1, 1), ...trials('b', 0, 1)],
      [...trials('a', 0, 1), ...trials('b', 0, 1)],
    );
    expect(verdictSentence(c)).toMatch(/^No change is beyond noise: 1 task\(s\) flipped/);
    expect(verdictSentence(c)).toContain('run more trials (trials: 5)');
    expect(md).toContain(verdictSentence(c));
    expect(md).toContain(pairedSentence(c));
  });

  it('when nothing changed', () => {
    const { c, md } = comment(trials('a', 3, 3), trials('a', 3, 3));
    expect(verdictSentence(c)).toBe('No task changed its verdict.');
    expect(md).toContain(verdictSentence(c));
    expect(pairedSentence(c)).toContain('the trials show no change');
  });

  it('a confirmation cell as the comment writes it', () => {
    // A weak flip re-run too: the test conditions on the choice, deep re-runs can confirm.
    const base = [...trials('broke', 5, 5), ...trials('weak', 3, 5)];
    const head = [
      ...trials('broke', 0, 5),
      ...trials('weak', 2, 5),
      ...trials('broke', 0, 10, true),
      ...trials('weak', 3, 10, true),
    ];
    const { c, md } = comment(base, head);
    const broke = c.tasks.find((t) => t.task_id === 'broke')!;
    expect(confirmationCell(broke)).toMatch(/^0\/10 confirmed \(p /);
    expect(md).toContain(confirmationCell(broke));
  });
});

describe('figures', () => {
  it('p-values to three places, the smallest as < 0.001, missing as a dash', () => {
    expect(p3(0.04567)).toBe('0.046');
    expect(p3(0.0001)).toBe('< 0.001');
    expect(p3(null)).toBe('—');
    expect(p3(Number.NaN)).toBe('—');
  });

  it('deltas carry their sign, a true minus when down', () => {
    expect(pointsDelta(0.9, 0.8)).toBe('−10 pts');
    expect(pointsDelta(0.5, 0.75)).toBe('+25 pts');
    expect(usdDelta(1, 1.5)).toBe('+$0.50');
    expect(signed(Number.NaN, String)).toBe('—');
  });

  it('says why a flip was not re-run, and passes an unknown reason through as text', () => {
    expect(notRerunReason('cost_cap')).toContain('cost cap');
    expect(notRerunReason('not_confirmable')).toContain('could confirm');
    expect(notRerunReason('<img src=x>')).toBe('<img src=x>');
  });
});
