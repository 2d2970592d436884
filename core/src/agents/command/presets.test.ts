import { describe, expect, it } from 'vitest';
import { recognise } from './presets.js';

describe('coding CLI presets', () => {
  it('recognises the binary and appends only the missing headless and output flags', () => {
    const r = recognise('claude -p "$(cat $GAUNTLET_TASK_FILE)"');
    expect(r.preset?.id).toBe('claude');
    expect(r.command).toBe('claude -p "$(cat $GAUNTLET_TASK_FILE)" --output-format stream-json --verbose --dangerously-skip-permissions');
    expect(recognise('ANTHROPIC_MODEL=x /usr/local/bin/claude --print hi --output-format json').command).toBe('ANTHROPIC_MODEL=x /usr/local/bin/claude --print hi --output-format json --verbose --dangerously-skip-permissions');
    expect(recognise('aider --message "$(cat $GAUNTLET_TASK_FILE)"').command).toContain('--yes-always');
    expect(recognise('cursor-agent "fix it"').command).toContain('--force');
  });

  it('does not recognise bash -c wrappers or unknown binaries', () => {
    expect(recognise('bash -c "claude -p hi"').preset).toBeUndefined();
    expect(recognise('bash -c "claude -p hi"').command).toBe('bash -c "claude -p hi"');
    expect(recognise('python3 solve.py').preset).toBeUndefined();
  });
});
