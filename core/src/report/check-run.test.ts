import { describe, expect, it } from 'vitest';
import { compareRuns } from '../results/compare.js';
import { summarise } from '../results/summary.js';
import { markdownProblems } from '../test-support/hostile-text.js';
import { longSession, record, REFUND_SESSION, sessionRecord } from '../test-support/records.js';
import { CHECK_LIMITS, renderCheckRun } from './check-run.js';
import { COMMENT_LIMIT, COMMENT_MARKER, renderPrComment } from './pr-comment.js';

const prov = { gauntlet_version: '0', config_hash: 'x', host: 'h' };
const opts = {
  fullRecordsAt: 'https://github.com/o/r/tree/gauntlet-results/runs/s1',
  repoPath: (f: string) => f.replace('/repo/', ''),
};

describe('check-run and PR-comment rendering within GitHub limits', () => {
  it('renders 1,000 tasks within every limit and still names the failures', () => {
    const records = Array.from({ length: 1000 }, (_, i) =>
      record({
        task_id: `task-${String(i).padStart(4, '0')}-${'ü'.repeat(10)}`,
        verdict: i % 3 ? 'PASS' : 'FAIL',
        scorers:
          i % 3
            ? []
            : [
                {
                  name: 'tests',
                  passed: false,
                  tail: 'AssertionError: expected 2 got 3\n'.repeat(200),
                },
              ],
        seed: {
          user_instruction: 'x',
          behavior_instructions: null,
          expected_outcome: 'completion',
          initial_state: null,
          origin: { file: '/repo/.gauntlet/suites/smoke.csv', line: i + 2, row: i + 1 },
        },
      }),
    );
    const m = summarise('s1', 'smoke', records, 1, { min_pass_rate: 0.9 }, Date.now(), prov);
    const v = renderCheckRun(m, records, opts);
    expect(v.summary.length).toBeLessThanOrEqual(CHECK_LIMITS.summary);
    expect(v.text.length).toBeLessThanOrEqual(CHECK_LIMITS.text);
    expect(v.conclusion).toBe('failure');
    expect(v.title).toBe('67% pass (666/1000) · gates failed');
    expect(v.text).toContain('task-0000'); // the first failure is named in full
    expect(v.text).toMatch(
      /\d+ more non-passing run\(s\) not shown; the full records are in https:\/\/github.com\/o\/r\/tree\/gauntlet-results\/runs\/s1/,
    );
    expect(v.text).toContain('🔴 <code>tests</code>');
    expect(v.annotationBatches.flat()).toHaveLength(334);
    expect(v.annotationBatches.every((b) => b.length <= 50)).toBe(true);
    expect(v.annotationBatches[0][0]).toMatchObject({
      path: '.gauntlet/suites/smoke.csv',
      start_line: 2,
      annotation_level: 'warning',
    });
    expect(v.actions.length).toBeLessThanOrEqual(3);
    for (const a of v.actions) {
      expect(a.label.length).toBeLessThanOrEqual(20);
      expect(a.description.length).toBeLessThanOrEqual(40);
      expect(a.identifier.length).toBeLessThanOrEqual(20);
    }
    const base = records.map((r) => ({ ...r, verdict: 'PASS' as const }));
    const comment = renderPrComment(
      Array.from({ length: 40 }, (_, i) => ({
        suite: `suite-${i}`,
        head: m,
        base: m,
        comparison: compareRuns(base, records),
      })),
      { headSha: 'abcdef1234', baseLabel: 'main', fullRecordsAt: 'the results branch' },
    );
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comment).toMatch(/more suite\(s\) not shown/);
  });

  it('says a flip on one trial is noise, and names beyond-noise regressions', () => {
    const base = [record({ task_id: 'a' })];
    const head = [record({ task_id: 'a', verdict: 'FAIL' })];
    const m = summarise('s1', 'smoke', head, 1, {}, Date.now(), prov);
    const noisy = renderPrComment(
      [{ suite: 'smoke', head: m, base: m, comparison: compareRuns(base, head) }],
      { headSha: 'abc1234', baseLabel: 'main', fullRecordsAt: 'x' },
    );
    expect(noisy).toContain('No change is beyond noise: 1 task(s) flipped');
    const many = (v: 'PASS' | 'FAIL') =>
      Array.from({ length: 8 }, (_, t) => record({ task_id: 'a', trial: t + 1, verdict: v }));
    const real = renderPrComment(
      [{ suite: 'smoke', head: m, base: m, comparison: compareRuns(many('PASS'), many('FAIL')) }],
      { headSha: 'abc1234', baseLabel: 'main', fullRecordsAt: 'x' },
    );
    expect(real).toContain('**1 regression(s) and 0 improvement(s) beyond noise**');
    // Raw p 0.00016, Holm-adjusted over the one task and the pass rate: 0.00031.
    expect(real).toMatch(
      /\| a \| support-bot \| 8\/8 \| 0\/8 \| regressed ‼ \| &lt; 0\.001 \| &lt; 0\.001 \|/,
    );
    expect(real).toContain('after correcting for the 1 task(s) whose trials could show a change');
    expect(real).toContain('head passed 4.0 trial(s) fewer than');
    expect(real).not.toContain('Confirmation re-runs');
  });

  it('shows confirmation re-runs: confirmed, refuted and undecided flips apart', () => {
    const trials = (task: string, v: 'PASS' | 'FAIL', n: number, o: object = {}) =>
      Array.from({ length: n }, (_, t) =>
        record({ task_id: task, trial: t + 1, verdict: v, ...o }),
      );
    const base = [...trials('lost', 'PASS', 5), ...trials('luck', 'PASS', 5)];
    // 'maybe' flipped mildly (3/5 to 1/5): re-running it too sets a cutoff at which 'lost' can be
    // confirmed (re-running only 5/5-to-0/5 flips would tell nothing: see confirmation.ts).
    base.push(...trials('maybe', 'PASS', 3), ...trials('maybe', 'FAIL', 2));
    base.push(...trials('x-same', 'PASS', 5));
    const head = [...trials('lost', 'FAIL', 5), ...trials('luck', 'FAIL', 5)];
    head.push(...trials('maybe', 'PASS', 1), ...trials('maybe', 'FAIL', 4));
    head.push(...trials('x-same', 'PASS', 5));
    const extra = (task: string, pass: number) =>
      Array.from({ length: 10 }, (_, t) =>
        record({
          task_id: task,
          trial: 6 + t,
          verdict: t < pass ? 'PASS' : 'FAIL',
          confirmation: true,
        }),
      );
    const all = [...head, ...extra('lost', 0), ...extra('luck', 9), ...extra('maybe', 3)];
    const m = summarise('s1', 'smoke', head, 1, {}, Date.now(), prov);
    const c = compareRuns(base, all);
    expect(c).toMatchObject({ confirmed_regressions: 1, refuted: 1, undecided: 1 });
    const out = renderPrComment([{ suite: 'smoke', head: m, base: m, comparison: c }], {
      headSha: 'abc1234',
      baseLabel: 'main',
      fullRecordsAt: 'x',
    });
    expect(out).toContain('**Confirmation re-runs** of 3 flipped task(s)');
    expect(out).toContain('- Confirmed regressions (1): lost (support-bot)');
    expect(out).toContain('- Refuted: the extra trials look like base (1): luck (support-bot)');
    expect(out).toContain('- Undecided: too few extra trials to tell (1): maybe (support-bot)');
    expect(out).toMatch(
      /\| lost \| support-bot \| 5\/5 \| 0\/5 \| regressed ‼ \|.*\| 0\/10 confirmed/,
    );
    expect(out).toMatch(/\| luck \| support-bot \| 5\/5 \| 0\/5 \| regressed \|.*\| 9\/10 refuted/);
    expect(markdownProblems(out, { marker: COMMENT_MARKER })).toEqual([]);
  });

  it('shows failing 50-turn sessions of large messages within the limits', () => {
    // Twenty failing sessions, each message 20,000 characters with Markdown in it.
    const big = (turn: number) => `turn ${turn} says: ${'**bold** <b>x</b> @team '.repeat(800)}`;
    const records = Array.from({ length: 20 }, (_, i) =>
      sessionRecord(longSession(50, big), { task_id: `chat-${i}`, verdict: 'FAIL' }),
    );
    const m = summarise('s1', 'chat', records, 1, { min_pass_rate: 0.9 }, Date.now(), prov);
    const v = renderCheckRun(m, records, opts);
    expect(v.text.length).toBeLessThanOrEqual(CHECK_LIMITS.text);
    expect(v.summary.length).toBeLessThanOrEqual(CHECK_LIMITS.summary);
    expect(markdownProblems(v.text)).toEqual([]);
    // The first failing session shows its opening, its end, the cut and the turns left out.
    const first = v.text.slice(0, v.text.indexOf('</details>'));
    expect(first).toContain('**Session** · ended by user_done · 50 of 50 turns');
    expect(first).toContain('**turn 1 · user (task)**: turn 1 says:');
    expect(first).toContain('**turn 51 · user (persona, closing)**: turn 51 says:');
    expect(first).toMatch(/_\(cut: \d+ of 19,213 characters shown\)_/);
    expect(first).toMatch(/_… \d+ turns not shown \(turns \d+–\d+\); the full record has/);
    expect(v.text).toMatch(/\d+ more non-passing run\(s\) not shown/);
  });

  it('shows a failing conversation in the check run, and no session for a one-shot run', () => {
    const records = [
      sessionRecord(REFUND_SESSION, { task_id: 'refund', verdict: 'FAIL' }),
      record({ task_id: 'hours', verdict: 'FAIL' }),
    ];
    const m = summarise('s1', 'support', records, 1, {}, Date.now(), prov);
    const [refund, hours] = renderCheckRun(m, records, opts).text.split('</details>');
    expect(refund).toContain(
      '**Session** · ended by user_done · 2 of 6 turns · memory stateful' +
        ' · simulator persona $0.0012',
    );
    expect(refund).toContain('**turn 2 · user (persona)**: Store credit is fine, go ahead.');
    expect(refund).toContain('t2  model_call');
    expect(hours).not.toContain('**Session**');
  });
});
