import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { record } from '../test-support/records.js';
import { packageRoot } from '../util/paths.js';
import { toAtif } from './atif.js';
import { normaliseClaudeStream } from './claude.js';

// Real output of the Claude Code binary against the scripted model (scripts/capture-transcripts.mjs).
const fixture = readFileSync(
  join(packageRoot(), 'core/src/trajectory/fixtures/claude-code-fix-add.jsonl'),
  'utf8',
);

describe('Claude Code stream-json normaliser', () => {
  it('turns the real transcript into read, edit (with diff), shell (with output and exit code), reasoning and text', () => {
    const n = normaliseClaudeStream(fixture);
    expect(n.steps.map((s) => s.type)).toEqual([
      'thinking',
      'read',
      'assistant',
      'edit',
      'shell',
      'assistant',
    ]);
    expect(n.steps[3]).toMatchObject({
      summary: 'edit /home/user/workspace/calc.py',
      detail: { diff: expect.stringContaining('-    return a - b\n+    return a + b') },
    });
    expect(n.steps[4]).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 0',
      detail: { exit_code: 0, output: expect.stringContaining('1 passed') },
    });
    expect(n.final_response).toBe('Fixed add() to return a + b; the test suite passes.');
    expect(n.usage).toEqual({ input_tokens: 9600, output_tokens: 210, cost_usd: 0.0426, turns: 4 });
  });

  it('marks a failed Bash step with its exit code, and ignores lines that are not JSON', () => {
    const lines = [
      'not json at all',
      JSON.stringify({
        type: 'assistant',
        message: {
          content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'pytest' } }],
        },
      }),
      JSON.stringify({
        type: 'user',
        message: {
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              is_error: true,
              content: 'Exit code 2\nE   assert 6 == 5',
            },
          ],
        },
      }),
      JSON.stringify({
        type: 'assistant',
        message: {
          content: [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'sleep 999' } }],
        },
      }),
    ].join('\n');
    const n = normaliseClaudeStream(lines);
    expect(n.steps[0]).toMatchObject({ summary: '$ pytest → exit 2', detail: { exit_code: 2 } });
    expect(n.steps[1]).toMatchObject({
      detail: { output: 'output not captured', exit_code: null },
    });
    expect(n.final_response).toBeNull();
  });

  it('exports a trajectory to ATIF with sequential steps, tool calls paired with observations, and totals', () => {
    const n = normaliseClaudeStream(fixture);
    const r = record({
      task_id: 'fix-add',
      trajectory: {
        steps: n.steps,
        model_calls: [],
        tool_calls: [],
        trace_events: [],
        dropped_steps: 0,
      },
      cli_usage: n.usage,
    });
    const a = toAtif(r) as any;
    expect(a.schema_version).toBe('ATIF-v1.4');
    expect(a.steps.map((s: any) => s.step_id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(a.steps[0]).toMatchObject({ source: 'user', message: 'Where is my order?' });
    expect(a.steps[1]).toMatchObject({
      source: 'agent',
      reasoning_content: expect.stringContaining('read calc.py'),
    });
    const shell = a.steps.find((s: any) => s.tool_calls?.[0].function_name === 'shell');
    expect(shell.observation.results[0]).toEqual({
      source_call_id: shell.tool_calls[0].tool_call_id,
      content: expect.stringMatching(/1 passed[\s\S]*\[exit 0\]$/),
    });
    expect(a.final_metrics).toMatchObject({
      total_prompt_tokens: 9600,
      total_completion_tokens: 210,
      total_steps: 7,
    });
  });
});
