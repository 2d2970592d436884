import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuites } from '../core/src/pipeline/run-suite.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { packageRoot } from '../core/src/util/paths.js';

const CLIS = {
  'Claude Code': '.cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude',
  Codex: '.cache/codex/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/bin/codex',
};

function clisReady(): boolean {
  const missing = Object.entries(CLIS).filter(([, path]) => !existsSync(join(packageRoot(), path)));
  if (!missing.length) return true;
  if (process.env.CI === 'true')
    throw new Error(
      `missing ${missing.map(([n, p]) => `${n} (${p})`).join(', ')}: scripts/install-tools.sh installs them`,
    );
  console.warn(
    `!!! ${missing.map(([n]) => n).join(' and ')} not installed (.cache/): the coding example test is skipped`,
  );
  return false;
}

describe.skipIf(!dockerReady() || !clisReady())(
  'examples/coding: the real Claude Code and Codex binaries in the sandbox, driven by the scripted model',
  () => {
    it('edits, runs the tests and passes; the breaking variant fails the tests scorer with its tail', async () => {
      const [res] = await runSuites({
        root: join(packageRoot(), 'examples/coding'),
        resultsDir: await mkdtemp(join(tmpdir(), 'coding-results-')),
      });
      expect(res.records).toHaveLength(4);
      const fix = res.records.find(
        (r) => r.task_id === 'fix-add' && r.agent.name === 'claude-code',
      )!;
      expect(fix.error).toBeNull();
      const steps = fix.trajectory.steps;
      expect(steps.find((s) => s.type === 'edit')).toMatchObject({
        summary: 'edit /home/user/workspace/calc.py',
        detail: { diff: expect.stringContaining('+    return a + b') },
      });
      expect(steps.find((s) => s.type === 'shell')).toMatchObject({
        summary: '$ python3 -m pytest -q → exit 0',
        detail: { exit_code: 0, output: expect.stringContaining('1 passed') },
      });
      expect(steps.some((s) => s.type === 'read')).toBe(true);
      expect(fix.diff).toContain('-    return a - b\n+    return a + b');
      expect(fix.scorers).toEqual([
        { name: 'tests', passed: true, score: 1 },
        { name: 'scope', passed: true, score: 1 },
        { name: 'minimal', passed: true, score: 5 },
      ]);
      expect(fix.cli_usage).toEqual({
        input_tokens: 9600,
        output_tokens: 210,
        cost_usd: expect.any(Number),
        turns: 4,
      });
      // The llm_judge criterion is paid to the judge model too: its cost is in judge_usd.
      expect(fix.cost.judge_usd).toBeGreaterThan(fix.judge!.cost_usd);
      expect(fix.trajectory.model_calls).toHaveLength(4); // every call went through the gateway
      expect(fix.judge?.verdict).toBe('PASS');
      expect(fix.verdict).toBe('PASS');

      const broken = res.records.find(
        (r) => r.task_id === 'refactor-add' && r.agent.name === 'claude-code',
      )!;
      const tests = broken.scorers.find((s) => s.name === 'tests')!;
      expect(tests.passed).toBe(false);
      expect(tests.tail).toMatch(/assert 6 == 5/);
      expect(broken.scorers.find((s) => s.name === 'minimal')).toEqual({
        name: 'minimal',
        passed: false,
        score: 2,
        tail: '2/5 (passes at 4): It rewrote the function and added an import.',
      });
      expect(broken.overall).toBe('FAIL');
      expect(broken.verdict).toBe('FAIL');
      expect(broken.trajectory.steps.find((s) => s.type === 'shell')).toMatchObject({
        detail: { exit_code: 1 },
      });

      // Codex: its own model provider points it at the gateway, which relays the Responses API.
      const codex = res.records.find((r) => r.task_id === 'fix-add' && r.agent.name === 'codex')!;
      expect(codex.error).toBeNull();
      expect(codex.trajectory.model_calls.map((c) => [c.provider, c.model, c.stream])).toEqual(
        Array(4).fill(['openai', 'gpt-5.1-codex', true]),
      );
      expect(codex.trajectory.steps.find((s) => s.type === 'edit')).toMatchObject({
        summary: 'edit /home/user/workspace/calc.py',
        detail: { diff: expect.stringContaining('+    return a + b') },
      });
      expect(codex.trajectory.steps.find((s) => s.type === 'shell')).toMatchObject({
        summary: '$ python3 -m pytest -q → exit 0',
        detail: { output: expect.stringContaining('1 passed') },
      });
      expect(codex.cli_usage).toEqual({
        input_tokens: 33_400,
        output_tokens: 180,
        cost_usd: null,
        turns: 1,
      });
      expect(codex.diff).toContain('-    return a - b\n+    return a + b');
      expect(codex.verdict).toBe('PASS');
      const codexBroken = res.records.find(
        (r) => r.task_id === 'refactor-add' && r.agent.name === 'codex',
      )!;
      expect(codexBroken.scorers.find((s) => s.name === 'tests')).toMatchObject({
        passed: false,
        tail: expect.stringMatching(/assert 6 == 5/),
      });
      expect(codexBroken.trajectory.steps.find((s) => s.type === 'shell')).toMatchObject({
        detail: { exit_code: 1 },
      });
      expect(codexBroken.verdict).toBe('FAIL');
    }, 240_000);

    it('a two-turn session: Claude Code resumes its session; per-turn and cumulative diffs', async () => {
      const [res] = await runSuites({
        root: join(packageRoot(), 'examples/coding'),
        suite: 'session',
        resultsDir: await mkdtemp(join(tmpdir(), 'coding-results-')),
      });
      const r = res.records[0];
      expect(r).toMatchObject({ status: 'completed', verdict: 'PASS', overall: 'PASS' });
      const m = r.multi_turn!;
      expect([m.memory_mode, m.turns_used, m.termination_reason]).toEqual([
        'stateful',
        2,
        'max_turns',
      ]);
      // Turn 1 fixed add(); turn 2, resumed, added subtract() and its test on top.
      expect(m.turns[0].changed_paths).toEqual(['calc.py']);
      expect(m.turns[0].diff).toContain('+    return a + b');
      expect(m.turns[1].changed_paths).toEqual(['calc.py', 'test_calc.py']);
      expect(m.turns[1].diff).toContain('+def subtract(a, b):');
      expect(m.turns[1].diff).not.toContain('+    return a + b');
      expect(m.cumulative_diff).toBe(r.diff);
      expect(r.diff).toContain('+    return a + b');
      expect(r.diff).toContain('+def test_subtract():');
      expect(r.scorers).toEqual([
        { name: 'tests', passed: true, score: 1 },
        { name: 'scope', passed: true, score: 1 },
      ]);
      // The script answers turn 2 only at model turn 4 and on: a request that already carries
      // turn 1's four model turns, which only the resumed session sends.
      const turn2 = r.trajectory.steps.filter((s) => s.turn === 2 && s.type === 'read');
      expect(turn2.length).toBeGreaterThan(0);
      expect(r.final_response).toBe(
        'Added subtract(a, b) to calc.py with a test; the test suite passes.',
      );
    }, 240_000);
  },
);
