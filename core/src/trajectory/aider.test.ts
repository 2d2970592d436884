import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { normaliseAiderHistory } from './aider.js';

// Aider cannot be installed here: this fixture is written from aider's documented chat-history
// format (.aider.chat.history.md), not captured.
const fixture = readFileSync(
  join(packageRoot(), 'core/src/trajectory/fixtures/aider-fix-add.documented.history.md'),
  'utf8',
);

describe('Aider chat-history normaliser (documented format)', () => {
  it('maps files added to the chat, prose, SEARCH/REPLACE edits as diffs, commands with output, and totals', () => {
    const n = normaliseAiderHistory(fixture);
    expect(n.steps.map((s) => s.type)).toEqual(['read', 'assistant', 'edit', 'shell', 'assistant']);
    expect(n.steps[0].summary).toBe('read calc.py');
    expect(n.steps[2]).toMatchObject({
      summary: 'edit calc.py',
      detail: {
        diff: '--- a/calc.py\n+++ b/calc.py\n@@ -1,1 +1,1 @@\n-    return a - b\n+    return a + b',
        applied: true,
      },
    });
    expect(n.steps[3]).toMatchObject({
      summary: '$ python3 -m pytest -q',
      detail: { exit_code: null, output: expect.stringContaining('1 passed') },
    });
    expect((n.steps[3].detail as { output: string }).output).not.toContain('(Y)es');
    expect(n.steps[0].at).toBe('2026-01-01T00:00:00.000Z');
    expect(n.final_response).toBe('Good: add() returns a + b and the test suite passes.');
    expect(n.usage).toEqual({ input_tokens: 4500, output_tokens: 105, cost_usd: 0.01, turns: 2 });
  });

  it('an empty or foreign file gives no steps and no usage', () => {
    expect(normaliseAiderHistory('')).toEqual({
      steps: [],
      final_response: null,
      usage: undefined,
    });
  });
});
