import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { normaliseCodexJson, patchesFromCalls, unwrapShell } from './codex.js';

// Real output of `codex exec --json` (0.169.0) against the scripted model (scripts/capture-transcripts.mjs).
const fixture = (name: string) =>
  readFileSync(join(packageRoot(), 'core/src/trajectory/fixtures', name), 'utf8');
const PATCH =
  "apply_patch <<'PATCH'\n*** Begin Patch\n*** Update File: calc.py\n@@\n-    return a - b\n+    return a + b\n*** End Patch\nPATCH";

describe('Codex exec --json normaliser', () => {
  it('turns the real transcript into reasoning, read, edit, shell with output and exit code, and the answer', () => {
    const n = normaliseCodexJson(fixture('codex-fix-add.jsonl'));
    expect(n.steps.map((s) => s.type)).toEqual([
      'exception',
      'thinking',
      'read',
      'assistant',
      'edit',
      'shell',
      'assistant',
    ]);
    expect(n.steps[2]).toMatchObject({
      summary: 'read calc.py',
      detail: {
        command: 'cat calc.py',
        exit_code: 0,
        output: expect.stringContaining('return a - b'),
      },
    });
    expect(n.steps[4]).toMatchObject({
      type: 'edit',
      summary: 'edit /home/user/workspace/calc.py',
    });
    expect(n.steps[5]).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 0',
      detail: { exit_code: 0, output: expect.stringContaining('1 passed') },
    });
    expect(n.final_response).toBe('Fixed add() to return a + b; the test suite passes.');
    // Tokens from turn.completed; Codex reports no cost (the gateway prices its calls).
    expect(n.usage).toEqual({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      cost_usd: null,
      turns: 1,
    });
    expect(n.usage!.input_tokens).toBeGreaterThan(30_000);
    expect(n.is_error).toBe(false);
  });

  it("keeps a failing command's exit code and tail, and shows each edit with the patch Codex sent", () => {
    const n = normaliseCodexJson(fixture('codex-refactor-add.jsonl'), {
      patches: [
        PATCH.replace('+    return a + b', '+    import operator\n+    return operator.mul(a, b)'),
      ],
    });
    const shell = n.steps.find((s) => s.type === 'shell')!;
    expect(shell).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 1',
      detail: { exit_code: 1, output: expect.stringContaining('assert 6 == 5') },
    });
    expect(n.steps.find((s) => s.type === 'edit')).toMatchObject({
      detail: { diff: expect.stringContaining('+    return operator.mul(a, b)') },
    });
  });

  it('reads the default model\'s "code mode" run (nested exec_command calls from JavaScript) as shell steps', () => {
    const n = normaliseCodexJson(fixture('codex-code-mode-fix-add.jsonl'));
    expect(n.steps.map((s) => s.type)).toEqual(['read', 'shell', 'assistant']);
    expect(n.steps[1]).toMatchObject({
      summary: "$ sed -i 's/a - b/a + b/' calc.py && python3 -m pytest -q → exit 0",
      detail: { output: expect.stringContaining('1 passed') },
    });
    expect(n.final_response).toBe('Fixed add() to return a + b; the test suite passes.');
  });

  it('an item that started but never completed says its output was not captured; a failed turn is an error', () => {
    const lines = [
      JSON.stringify({
        type: 'item.started',
        item: {
          id: 'i1',
          type: 'command_execution',
          command: "/bin/bash -lc 'sleep 999'",
          aggregated_output: '',
          exit_code: null,
          status: 'in_progress',
        },
      }),
      JSON.stringify({ type: 'turn.failed', error: { message: 'stream disconnected' } }),
      'not json',
    ].join('\n');
    const n = normaliseCodexJson(lines);
    expect(n.steps).toEqual([
      expect.objectContaining({
        type: 'shell',
        summary: '$ sleep 999',
        detail: { command: 'sleep 999', output: 'output not captured', exit_code: null },
      }),
    ]);
    expect(n.is_error).toBe(true);
    expect(n.errors).toEqual(['stream disconnected']);
  });

  it('finds apply_patch inputs in model calls, whether a shell heredoc or the free-form tool', () => {
    const calls = [
      { tool_uses: [{ name: 'exec_command', input: { cmd: 'ls' } }] },
      { tool_uses: [{ name: 'exec_command', input: { cmd: PATCH } }] },
      {
        tool_uses: [
          { name: 'apply_patch', input: '*** Begin Patch\n*** Add File: x\n+1\n*** End Patch' },
        ],
      },
    ];
    expect(patchesFromCalls(calls)).toHaveLength(2);
    expect(unwrapShell("/bin/bash -lc 'echo '\\''hi'\\'''")).toBe("echo 'hi'");
  });
});
