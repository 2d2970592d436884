import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { normaliseAiderHistory } from './aider.js';
import { normaliseClaudeStream } from './claude.js';
import { normaliseCodexJson } from './codex.js';
import { normaliseCursorStream } from './cursor.js';
import { normaliseGeminiStream } from './gemini.js';
import { editDiff, type NormalisedTranscript } from './steps.js';

const read = (name: string) =>
  readFileSync(join(packageRoot(), 'core/src/trajectory/fixtures', name), 'utf8');
const gemini = (name: string) =>
  normaliseGeminiStream(read(`${name}.jsonl`), {
    toolResults: JSON.parse(read(`${name}.tool-results.json`)),
  });

/** Every normaliser over its real (or documented) transcript of fixing calc.py. */
const transcripts: [string, () => NormalisedTranscript][] = [
  ['claude', () => normaliseClaudeStream(read('claude-code-fix-add.jsonl'))],
  ['gemini', () => gemini('gemini-fix-add')],
  ['gemini refactor', () => gemini('gemini-refactor-add')],
  ['cursor', () => normaliseCursorStream(read('cursor-fix-add.documented.jsonl'))],
  ['codex', () => normaliseCodexJson(read('codex-fix-add.jsonl'))],
  ['aider', () => normaliseAiderHistory(read('aider-fix-add.documented.history.md'))],
];

describe('edit step diffs', () => {
  it.each(transcripts)('%s: diff headers name the file from the workspace root', (_, run) => {
    const diffs = run()
      .steps.filter((s) => s.type === 'edit')
      .map((s) => String((s.detail as { diff: string }).diff));
    expect(diffs.length).toBeGreaterThan(0);
    for (const d of diffs) {
      expect(d).not.toMatch(/^(---|\+\+\+) [ab]\/\//m);
      expect(d).not.toContain('/home/user/workspace');
      if (/^--- /m.test(d)) expect(d).toMatch(/^--- a\/calc\.py\n\+\+\+ b\/calc\.py$/m);
    }
  });

  it('keeps a relative path, and shows a path outside the workspace as it is', () => {
    expect(editDiff('src/calc.py', 'a', 'b').split('\n').slice(0, 2)).toEqual([
      '--- a/src/calc.py',
      '+++ b/src/calc.py',
    ]);
    const inside = editDiff('/home/user/workspace/src/calc.py', 'a', 'b');
    expect(inside).toMatch(/^--- a\/src\/calc\.py$/m);
    expect(editDiff('/tmp/notes.txt', '', 'x').split('\n').slice(0, 2)).toEqual([
      '--- /tmp/notes.txt',
      '+++ /tmp/notes.txt',
    ]);
  });
});
