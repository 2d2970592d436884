import { describe, expect, it } from 'vitest';
import type { JudgeCard } from '../results/record.js';
import { summarise } from '../results/summary.js';
import { record } from '../test-support/records.js';
import { renderCheckRun } from './check-run.js';
import { explorerRows, judgeVerdict } from './format.js';
import { renderJunit } from './junit.js';
import { failureSection, renderMarkdownReport } from './markdown.js';
import { renderTrace } from './trace.js';

const prov = { gauntlet_version: '0', config_hash: 'x', host: 'h' };
const split = record({ task_id: 'refund', verdict: 'UNCERTAIN' });
const SPLIT_LINE = 'PASS, 2 of 3 samples agree — uncertain';

describe("a sampled judge's agreement on every surface", () => {
  it('is part of the card verdict, and absent for a judge asked once', () => {
    expect(judgeVerdict(split.judge!)).toBe(SPLIT_LINE);
    const agreed = {
      ...split.judge!,
      verdict: 'FAIL',
      samples: { n: 5, pass: 1, fail: 4, agreement: 0.8, uncertain: false },
    } satisfies JudgeCard;
    expect(judgeVerdict(agreed)).toBe('FAIL, 4 of 5 samples agree');
    expect(judgeVerdict(record({ task_id: 'a' }).judge!)).toBe('PASS');
  });

  it('shows only small whole numbers from a hostile stored card', () => {
    const forged = {
      ...split.judge!,
      samples: { n: '<img src=x>', pass: 1e9, fail: -1, agreement: 2, uncertain: 'yes' },
    } as unknown as JudgeCard;
    expect(judgeVerdict(forged)).toBe('PASS, ? of ? samples agree');
  });

  it('is in the failure section, the trace and the explorer row of an UNCERTAIN run', () => {
    const section = failureSection(split, 'Trace: {id}');
    expect(section).toContain('· UNCERTAIN');
    expect(section).toContain(`**Judge** ${SPLIT_LINE} · completion 5/5`);
    expect(renderTrace(split)).toContain(`${SPLIT_LINE} · claude-sonnet-4-6`);
    expect(renderTrace(split)).toContain('verdict UNCERTAIN');
    expect(explorerRows([split])[0][3]).toBe('UNCERTAIN (PASS 2 of 3)');
  });

  it('makes the run non-passing in the report, the check run and JUnit (a skip, not a failure)', () => {
    const records = [record({ task_id: 'ok' }), split];
    const m = summarise('s1', 'smoke', records, 1, {}, Date.now(), prov);
    const md = renderMarkdownReport(m, records);
    expect(md).toContain('**uncertain** 1');
    expect(md).toContain(`**Judge** ${SPLIT_LINE}`);
    const check = renderCheckRun(m, records, {
      fullRecordsAt: 'https://example.invalid/runs/s1',
      repoPath: (f: string) => f,
    });
    expect(check.title).toBe('50% pass (1/2) · 1 uncertain');
    expect(check.conclusion).toBe('neutral');
    expect(check.text).toContain(SPLIT_LINE);
    const junit = renderJunit(m, records);
    expect(junit).toContain('failures="0" errors="0"');
    expect(junit).toContain('skipped="1"');
    expect(junit).toContain(`<skipped message="verdict UNCERTAIN: judge ${SPLIT_LINE}"/>`);
  });
});
