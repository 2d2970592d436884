import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { normaliseCursorStream } from './cursor.js';

// Cursor CLI cannot be installed here: this fixture is written from Cursor's documented
// stream-json format (cursor.com/docs/cli/reference/output-format), not captured.
const fixture = readFileSync(
  join(packageRoot(), 'core/src/trajectory/fixtures/cursor-fix-add.documented.jsonl'),
  'utf8',
);

describe('Cursor stream-json normaliser (documented format)', () => {
  it('joins thinking deltas, and maps read, write (as a diff), shell (exit code, output) and the result', () => {
    const n = normaliseCursorStream(fixture);
    expect(n.steps.map((s) => s.type)).toEqual([
      'thinking',
      'assistant',
      'read',
      'edit',
      'shell',
      'shell',
      'assistant',
    ]);
    expect(n.steps[0].summary).toBe('The test expects add(2, 3) == 5; read calc.py first.');
    expect(n.steps[0].at).toBe('2026-01-01T00:00:00.000Z');
    expect(n.steps[3]).toMatchObject({
      summary: 'write calc.py',
      detail: { diff: expect.stringContaining('+    return a + b') },
    });
    expect(n.steps[4]).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 1',
      detail: { exit_code: 1, output: expect.stringContaining('assert 6 == 5') },
    });
    expect(n.steps[5]).toMatchObject({
      summary: '$ sleep 999',
      detail: { output: 'output not captured' },
    });
    expect(n.final_response).toBe("I'll read calc.py.Fixed add() to return a + b.");
    expect(n.is_error).toBe(false);
  });

  it('marks rejected and failed tool calls', () => {
    const line = (sub: string, body: object) =>
      JSON.stringify({
        type: 'tool_call',
        subtype: sub,
        call_id: 'c1',
        tool_call: { shellToolCall: body },
      });
    const n = normaliseCursorStream(
      [
        line('started', { args: { command: 'rm -rf /' } }),
        line('completed', {
          args: { command: 'rm -rf /' },
          result: { rejected: { reason: 'denied by policy' } },
        }),
      ].join('\n'),
    );
    expect(n.steps[0]).toMatchObject({
      type: 'shell',
      detail: { output: 'denied by policy', exit_code: null },
    });
  });
});
