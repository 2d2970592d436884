import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuites } from '../core/src/pipeline/run-suite.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { packageRoot } from '../core/src/util/paths.js';

describe.skipIf(!dockerReady())('examples/conversation, offline with the scripted model', () => {
  it('runs persona and scripted sessions of a stateful python agent, judged as sessions', async () => {
    const root = join(packageRoot(), 'examples/conversation');
    const resultsDir = join(root, '.gauntlet/results-test');
    try {
      const [res] = await runSuites({ root, resultsDir });
      const by = new Map(res.records.map((r) => [r.task_id, r]));
      const refund = by.get('refund')!;
      expect(refund).toMatchObject({ status: 'completed', verdict: 'PASS' });
      expect(refund.multi_turn).toMatchObject({
        simulator_mode: 'persona',
        memory_mode: 'stateful',
        termination_reason: 'user_done',
        turns_used: 2,
      });
      // The agent's second reply needed turn 1 in its own memory (the script's rule says so).
      expect(refund.final_response).toContain('issued as store credit');
      const t = refund.multi_turn!.transcript;
      expect(t.map((e) => e.source)).toEqual(['task', 'agent', 'persona', 'agent', 'persona']);
      expect(t.at(-1)).toMatchObject({ closing: true });
      expect(refund.cost.simulator_usd).toBeGreaterThan(0);
      expect(refund.cost.total_usd).toBeCloseTo(
        refund.cost.agent_usd + refund.cost.judge_usd + refund.cost.simulator_usd,
      );
      expect(
        refund.trajectory.steps.filter((s) => s.type === 'model_call').map((s) => s.turn),
      ).toEqual([1, 2]);
      expect(by.get('password')!.multi_turn).toMatchObject({
        simulator_mode: 'scripted',
        termination_reason: 'scripted_exhausted',
        turns_used: 3,
      });
      expect(by.get('cancel')!.multi_turn).toMatchObject({
        termination_reason: 'termination_keyword',
        turns_used: 2,
      });
      expect(by.get('hours')!.multi_turn).toBeNull();
      expect(res.manifest.cost.simulator_usd).toBeCloseTo(refund.cost.simulator_usd);
    } finally {
      await rm(resultsDir, { recursive: true, force: true });
    }
  });
});
