import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuites } from '../core/src/runner/run-suite.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { packageRoot } from '../core/src/util/paths.js';

const CLAUDE = join(packageRoot(), '.cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude');

function claudeReady(): boolean {
  if (existsSync(CLAUDE)) return true;
  if (process.env.CI === 'true') throw new Error('the Claude Code binary is missing: scripts/test.sh installs @anthropic-ai/claude-code-linux-x64 into .cache/claude');
  console.warn('!!! Claude Code binary not installed (.cache/claude): the coding example test is skipped');
  return false;
}

describe.skipIf(!dockerReady() || !claudeReady())('examples/coding: the real Claude Code binary in the sandbox, driven by the scripted model', () => {
  it('edits, runs the tests and passes; the breaking variant fails the tests scorer with its tail', async () => {
    const [res] = await runSuites({ root: join(packageRoot(), 'examples/coding'), resultsDir: await mkdtemp(join(tmpdir(), 'coding-results-')) });
    const fix = res.records.find((r) => r.task_id === 'fix-add')!;
    expect(fix.error).toBeNull();
    const steps = fix.trajectory.steps;
    expect(steps.find((s) => s.type === 'edit')).toMatchObject({ summary: 'edit /home/user/workspace/calc.py', detail: { diff: expect.stringContaining('+    return a + b') } });
    expect(steps.find((s) => s.type === 'shell')).toMatchObject({ summary: '$ python3 -m pytest -q → exit 0', detail: { exit_code: 0, output: expect.stringContaining('1 passed') } });
    expect(steps.some((s) => s.type === 'read')).toBe(true);
    expect(fix.diff).toContain('-    return a - b\n+    return a + b');
    expect(fix.scorers).toEqual([{ name: 'tests', passed: true, score: 1 }, { name: 'scope', passed: true, score: 1 }, { name: 'minimal', passed: true, score: 5 }]);
    expect(fix.cli_usage).toEqual({ input_tokens: 9600, output_tokens: 210, cost_usd: expect.any(Number), turns: 4 });
    expect(fix.trajectory.model_calls).toHaveLength(4); // every call went through the gateway
    expect(fix.judge?.verdict).toBe('PASS');
    expect(fix.verdict).toBe('PASS');

    const broken = res.records.find((r) => r.task_id === 'refactor-add')!;
    const tests = broken.scorers.find((s) => s.name === 'tests')!;
    expect(tests.passed).toBe(false);
    expect(tests.tail).toMatch(/assert 6 == 5/);
    expect(broken.scorers.find((s) => s.name === 'minimal')).toEqual({ name: 'minimal', passed: false, score: 2, tail: '2/5 (passes at 4): It rewrote the function and added an import.' });
    expect(broken.overall).toBe('FAIL');
    expect(broken.verdict).toBe('FAIL');
    expect(broken.trajectory.steps.find((s) => s.type === 'shell')).toMatchObject({ detail: { exit_code: 1 } });
  }, 240_000);
});
