import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { normaliseGeminiStream } from './gemini.js';

// Real output of Gemini CLI 0.61 (`--output-format stream-json`) against the scripted model, and
// the tool results it sent back to the model (scripts/capture-transcripts.mjs).
const read = (name: string) =>
  readFileSync(join(packageRoot(), 'core/src/trajectory/fixtures', name), 'utf8');

describe('Gemini CLI stream-json normaliser', () => {
  it('turns the real transcript into read, one joined assistant message, edit with diff, shell, and the answer', () => {
    const n = normaliseGeminiStream(read('gemini-fix-add.jsonl'), {
      toolResults: JSON.parse(read('gemini-fix-add.tool-results.json')),
    });
    expect(n.steps.map((s) => s.type)).toEqual(['read', 'assistant', 'edit', 'shell', 'assistant']);
    expect(n.steps[1].summary).toBe('add() subtracts; fixing it.');
    expect(n.steps[2]).toMatchObject({
      summary: 'edit /home/user/workspace/calc.py',
      detail: { diff: expect.stringContaining('-    return a - b\n+    return a + b') },
    });
    expect(n.steps[3]).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 0',
      detail: { exit_code: 0, output: expect.stringContaining('1 passed') },
    });
    expect(n.final_response).toBe('Fixed add() to return a + b; the test suite passes.');
    expect(n.usage).toMatchObject({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      cost_usd: null,
    });
    expect(n.usage!.input_tokens).toBeGreaterThan(30_000);
    expect(n.is_error).toBe(false);
  });

  it("takes a failing command's exit code from what the model was told; without it, says so instead of guessing 0", () => {
    const stream = read('gemini-refactor-add.jsonl');
    const told = normaliseGeminiStream(stream, {
      toolResults: JSON.parse(read('gemini-refactor-add.tool-results.json')),
    });
    expect(told.steps.find((s) => s.type === 'shell')).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 1',
      detail: { exit_code: 1, output: expect.stringContaining('assert 6 == 5') },
    });
    const alone = normaliseGeminiStream(stream);
    expect(alone.steps.find((s) => s.type === 'shell')).toMatchObject({
      detail: { exit_code: null, note: expect.stringContaining('exit code not reported') },
    });
  });

  it('keeps a tool call without a result as not captured, and reports errors and a failed result', () => {
    const lines = [
      JSON.stringify({
        type: 'tool_use',
        tool_name: 'run_shell_command',
        tool_id: 't1',
        parameters: { command: 'sleep 999' },
      }),
      JSON.stringify({ type: 'error', severity: 'error', message: 'quota exceeded' }),
      JSON.stringify({
        type: 'result',
        status: 'error',
        error: { type: 'api', message: 'gave up' },
        stats: { input_tokens: 3, output_tokens: 1 },
      }),
    ].join('\n');
    const n = normaliseGeminiStream(lines);
    expect(n.steps[0]).toMatchObject({
      detail: { output: 'output not captured', exit_code: null },
    });
    expect(n.is_error).toBe(true);
    expect(n.errors).toEqual(['quota exceeded', 'gave up']);
    expect(n.final_response).toBeNull();
  });
});
