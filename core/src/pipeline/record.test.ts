import { describe, expect, it } from 'vitest';
import type { Task } from '../config/tasks.js';
import type { JudgeCard, ScorerResult } from '../results/record.js';
import { emptyOutcome } from '../session/outcome.js';
import type { PreparedAgent } from './prepare.js';
import { buildRecord, provenance, rowVerdict } from './record.js';

const card = (verdict: JudgeCard['verdict'], uncertain?: boolean): JudgeCard => ({
  verdict,
  scores: { task_completion: 4, instruction_adherence: null, efficiency: 4 },
  failure_mode: verdict === 'FAIL' ? 'incomplete' : null,
  reasoning: 'r',
  model: 'm',
  cost_usd: 0.01,
  latency_ms: 1,
  ...(uncertain === undefined
    ? {}
    : {
        samples: {
          n: 3,
          pass: verdict === 'PASS' ? (uncertain ? 2 : 3) : uncertain ? 1 : 0,
          fail: verdict === 'FAIL' ? (uncertain ? 2 : 3) : uncertain ? 1 : 0,
          agreement: uncertain ? 2 / 3 : 1,
          uncertain,
        },
      }),
});

describe('the row verdict of a sampled judge', () => {
  it('is UNCERTAIN for a split card, whichever way the majority went', () => {
    expect(rowVerdict('completed', card('PASS', true))).toBe('UNCERTAIN');
    expect(rowVerdict('completed', card('FAIL', true))).toBe('UNCERTAIN');
    expect(rowVerdict('completed', card('PASS', false))).toBe('PASS');
    expect(rowVerdict('completed', card('FAIL', false))).toBe('FAIL');
    expect(rowVerdict('completed', card('PASS'))).toBe('PASS');
    expect(rowVerdict('completed', card('NOT APPLICABLE'))).toBe('PENDING');
  });

  const build = (judge: JudgeCard | null, scorers: ScorerResult[]) => {
    const outcome = emptyOutcome();
    outcome.final_response = 'done';
    outcome.coding = { diff: null, changed_paths: [], scorers } as never;
    return buildRecord({
      id: 'r1',
      suiteRunId: 's1',
      suite: 's',
      task: { id: 't', user: 'u', origin: { file: 'f', line: 1 }, multi_turn: null } as Task,
      trial: 1,
      agent: { config: { name: 'a' }, version: '1', kind: 'python' } as unknown as PreparedAgent,
      outcome,
      judge,
      started: Date.now(),
      provenance: provenance('h'),
    });
  };
  const ok = { name: 'tests', passed: true } as ScorerResult;
  const broken = { name: 'tests', passed: false } as ScorerResult;

  it('is not made a clean FAIL by a split judge when every scorer passed', () => {
    const r = build(card('FAIL', true), [ok]);
    expect(r).toMatchObject({ overall: 'PASS', verdict: 'UNCERTAIN' });
    expect(build(card('FAIL', false), [ok])).toMatchObject({ overall: 'FAIL', verdict: 'FAIL' });
  });

  it('is FAIL when a scorer failed, whatever the judge said', () => {
    expect(build(card('PASS', true), [broken])).toMatchObject({ overall: 'FAIL', verdict: 'FAIL' });
  });

  it('keeps a sampled judge error a PENDING row with the eval-failed banner', () => {
    const error = { ...card('NOT APPLICABLE'), error: 'sample 2 of 3: invalid verdict: x' };
    const r = build(error, []);
    expect(r.verdict).toBe('PENDING');
    expect(r.banners[0]).toContain('Eval phase failed: the judge could not grade this run');
  });
});
