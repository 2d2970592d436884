import { describe, expect, it } from 'vitest';
import { recognise } from './presets.js';

describe('coding CLI presets', () => {
  it('recognises the binary and appends only the missing headless and output flags', () => {
    const r = recognise('claude -p "$(cat $GAUNTLET_TASK_FILE)"');
    expect(r.preset?.id).toBe('claude');
    expect(r.command).toBe(
      'claude -p "$(cat $GAUNTLET_TASK_FILE)" --output-format stream-json --verbose --dangerously-skip-permissions',
    );
    expect(
      recognise('ANTHROPIC_MODEL=x /usr/local/bin/claude --print hi --output-format json').command,
    ).toBe(
      'ANTHROPIC_MODEL=x /usr/local/bin/claude --print hi --output-format json --verbose --dangerously-skip-permissions',
    );
    expect(recognise('aider --message "$(cat $GAUNTLET_TASK_FILE)"').command).toContain(
      '--yes-always',
    );
    expect(recognise('cursor-agent "fix it"').command).toContain('--force');
  });

  it('does not recognise bash -c wrappers or unknown binaries', () => {
    expect(recognise('bash -c "claude -p hi"').preset).toBeUndefined();
    expect(recognise('bash -c "claude -p hi"').command).toBe('bash -c "claude -p hi"');
    expect(recognise('python3 solve.py').preset).toBeUndefined();
  });

  it('points Codex at the gateway with a model provider of its own (it ignores OPENAI_BASE_URL), once', () => {
    const r = recognise('codex exec "$(cat $GAUNTLET_TASK_FILE)"');
    expect(r.command).toContain(
      '--json --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check',
    );
    expect(r.command).toContain(
      '-c model_provider=gauntlet -c "model_providers.gauntlet={name=\\"gauntlet\\",base_url=\\"$GAUNTLET_PROXY_URL/v1\\",env_key=\\"OPENAI_API_KEY\\",wire_api=\\"responses\\"}"',
    );
    expect(recognise('codex exec -c model_provider=mine hi').command).not.toContain('gauntlet');
  });

  it('gemini gets yolo, stream-json and workspace trust; aider writes its history outside the workspace; cursor is not relayed', () => {
    const g = recognise('gemini -p "$(cat $GAUNTLET_TASK_FILE)"');
    expect(g.command).toBe(
      'gemini -p "$(cat $GAUNTLET_TASK_FILE)" --yolo --output-format stream-json --skip-trust',
    );
    expect(g.preset?.env.GEMINI_CLI_SYSTEM_SETTINGS_PATH).toBe(
      '/gauntlet/runtime/gemini-settings.json',
    );
    const a = recognise('aider --message "$(cat $GAUNTLET_TASK_FILE)"');
    expect(a.transcriptFile).toBe('/tmp/gauntlet-aider/chat.history.md');
    expect(a.command).toContain('--no-gitignore');
    expect(recognise('aider --chat-history-file /tmp/mine.md -m hi').transcriptFile).toBe(
      '/tmp/mine.md',
    );
    expect(recognise('cursor-agent -p hi').preset?.relayed).toBe(false);
  });
});
