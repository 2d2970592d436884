import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { normaliseTranscript } from './normalise.js';
import { isSessionId } from './steps.js';

// Real two-turn transcripts: turn 2 ran the CLI's resume command in the same sandbox
// (tests/cli-resume.test.ts for Claude Code and Codex; Gemini CLI 0.61.0 against the scripted
// model on the host).
const fixture = (name: string) =>
  readFileSync(join(packageRoot(), 'core/src/trajectory/fixtures', name), 'utf8');

describe('normaliseTranscript returns the CLI session id, from one place', () => {
  it('Claude Code, Codex and Gemini CLI transcripts: the same id on the resumed turn', () => {
    for (const [kind, file, id] of [
      ['claude-stream-json', 'claude-code', '20642ede-0767-4d0b-99e7-be8747c13e12'],
      ['codex-json', 'codex', '01a20a28-51ba-7372-8ba4-ade896f6528c'],
      ['gemini-stream-json', 'gemini', '7bf4afdf-00d5-4dec-a31a-93ce195aa9c9'],
    ] as const) {
      const one = normaliseTranscript(kind, fixture(`${file}-resume-turn-1.jsonl`));
      const two = normaliseTranscript(kind, fixture(`${file}-resume-turn-2.jsonl`));
      expect(one.session_id, kind).toBe(id);
      expect(two.session_id, kind).toBe(id);
      expect(two.final_response, kind).toBe('The codeword was PAPAYA, in notes.txt.');
    }
  });

  it('is null for CLIs that are not resumed, and for ids that are not UUIDs', () => {
    expect(normaliseTranscript('aider-history', '#### hi\n\nok\n').session_id).toBeNull();
    expect(
      normaliseTranscript('cursor-stream-json', fixture('cursor-fix-add.documented.jsonl'))
        .session_id,
    ).toBeNull();
    // The capture script writes "x" for ids: not a UUID, so no id.
    expect(
      normaliseTranscript('claude-stream-json', fixture('claude-code-fix-add.jsonl')).session_id,
    ).toBeNull();
    const hostile = JSON.stringify({
      type: 'system',
      subtype: 'init',
      session_id: '20642ede-0767-4d0b-99e7-be8747c13e12"; touch /tmp/pwned; echo "',
    });
    expect(normaliseTranscript('claude-stream-json', hostile).session_id).toBeNull();
  });

  it('accepts only a UUID: hex and dashes, 36 characters, nothing around it', () => {
    expect(isSessionId('01A20A28-51BA-7372-8BA4-ADE896F6528C')).toBe(true);
    for (const bad of [
      '01a20a28-51ba-7372-8ba4-ade896f6528c\n',
      ' 01a20a28-51ba-7372-8ba4-ade896f6528c',
      '01a20a28-51ba-7372-8ba4-ade896f6528',
      '01a20a28_51ba_7372_8ba4_ade896f6528c',
      'g1a20a28-51ba-7372-8ba4-ade896f6528c',
      42,
      null,
    ])
      expect(isSessionId(bad), JSON.stringify(bad)).toBe(false);
  });
});
