import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../util/paths.js';
import {
  PRESETS,
  recognise,
  ResumeError,
  resumeCommand,
  sessionIdOf,
  whyNoResume,
  withFlags,
} from './presets.js';

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

  it('withFlags appends each missing group once, in order, and leaves present ones alone', () => {
    const flags: [string, RegExp][] = [
      ['--a 1', /--a\b/],
      ['--b', /--b\b/],
    ];
    expect(withFlags('cli run', flags)).toBe('cli run --a 1 --b');
    expect(withFlags('cli run --b', flags)).toBe('cli run --b --a 1');
    expect(withFlags(withFlags('cli run', flags), flags)).toBe('cli run --a 1 --b');
    expect(withFlags('cli run', [])).toBe('cli run');
  });
});

describe('resuming a CLI session (memory_mode stateful, the runner API)', () => {
  const ID = '20642ede-0767-4d0b-99e7-be8747c13e12';
  const fixture = (name: string) =>
    readFileSync(join(packageRoot(), 'core/src/trajectory/fixtures', name), 'utf8');

  it('every preset declares whether it resumes; those that do not say why', () => {
    for (const p of Object.values(PRESETS))
      if (!p.resume.supported) expect(p.resume.reason.length).toBeGreaterThan(20);
    expect(
      Object.values(PRESETS)
        .filter((p) => p.resume.supported)
        .map((p) => p.id),
    ).toEqual(['claude', 'codex', 'gemini']);
    expect(whyNoResume('aider --message hi')).toMatch(/no session id/);
    expect(whyNoResume('cursor-agent -p hi')).toMatch(/backend/);
    expect(whyNoResume('python3 solve.py')).toBe('python3 is not a coding CLI gauntlet resumes');
    expect(() => resumeCommand('aider --message hi', ID)).toThrow(ResumeError);
  });

  it('finds the session id in what each CLI wrote (real two-turn transcripts)', () => {
    expect(sessionIdOf('claude', fixture('claude-code-resume-turn-1.jsonl'))).toBe(ID);
    expect(sessionIdOf('codex', fixture('codex-resume-turn-1.jsonl'))).toBe(
      '01a20a28-51ba-7372-8ba4-ade896f6528c',
    );
    expect(sessionIdOf('gemini', fixture('gemini-resume-turn-1.jsonl'))).toBe(
      '7bf4afdf-00d5-4dec-a31a-93ce195aa9c9',
    );
    // A resumed turn reports the same session.
    expect(sessionIdOf('claude', fixture('claude-code-resume-turn-2.jsonl'))).toBe(ID);
    expect(sessionIdOf('aider', '#### hi\n')).toBeNull();
    expect(sessionIdOf('claude', 'not a transcript')).toBeNull();
  });

  it('Claude Code, Gemini CLI: --resume <id> right after the binary (env kept)', () => {
    expect(resumeCommand('claude -p "$(cat $GAUNTLET_TASK_FILE)"', ID)).toBe(
      `claude --resume ${ID} -p "$(cat $GAUNTLET_TASK_FILE)"`,
    );
    expect(resumeCommand('ANTHROPIC_MODEL=x /usr/local/bin/claude --print hi', ID)).toBe(
      `ANTHROPIC_MODEL=x /usr/local/bin/claude --resume ${ID} --print hi`,
    );
    expect(resumeCommand('gemini -m gemini-2.5-pro -p "$(cat $GAUNTLET_TASK_FILE)"', ID)).toBe(
      `gemini --resume ${ID} -m gemini-2.5-pro -p "$(cat $GAUNTLET_TASK_FILE)"`,
    );
  });

  it('Codex: `exec resume <id>` (or `e resume`); flags `exec resume` rejects are refused', () => {
    expect(resumeCommand('codex exec -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"', ID)).toBe(
      `codex exec resume ${ID} -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"`,
    );
    expect(resumeCommand('codex e hi', ID)).toBe(`codex e resume ${ID} hi`);
    expect(() => resumeCommand('codex "fix it"', ID)).toThrow(/codex exec/);
    expect(() => resumeCommand('codex exec -s workspace-write hi', ID)).toThrow(
      /does not take -s, --sandbox/,
    );
    expect(() => resumeCommand('codex exec --cd=/tmp hi', ID)).toThrow(/-C, --cd/);
    expect(() => resumeCommand('codex exec --ephemeral hi', ID)).toThrow(/--ephemeral/);
    expect(() => resumeCommand(`codex exec resume ${ID} hi`, ID)).toThrow(/already picks/);
  });

  it('refuses commands that pick their own session or keep none', () => {
    for (const c of [
      'claude -p hi --resume',
      'claude -c -p hi',
      `claude -p hi --session-id ${ID}`,
      'claude -p hi --no-session-persistence',
      'gemini -r latest -p hi',
      `gemini --session-id ${ID} -p hi`,
    ]) {
      expect(whyNoResume(c), c).not.toBeNull();
      expect(() => resumeCommand(c, ID), c).toThrow(ResumeError);
    }
    expect(whyNoResume('claude -p "$(cat $GAUNTLET_TASK_FILE)" --fork-session')).toBeNull();
  });

  it('commutes with recognise(): the preset flags land the same either way', () => {
    for (const c of [
      'claude -p "$(cat $GAUNTLET_TASK_FILE)"',
      'codex exec -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"',
      'gemini -p "$(cat $GAUNTLET_TASK_FILE)"',
    ]) {
      const a = recognise(resumeCommand(c, ID)).command;
      expect(a).toBe(resumeCommand(recognise(c).command, ID));
      expect(recognise(a).preset?.id).toBe(recognise(c).preset?.id);
    }
  });

  it('never lets a hostile session id into a command, given or read from a transcript', () => {
    const hostile = [
      '$(touch /tmp/pwned)',
      '`id`',
      `${ID}; rm -rf ~`,
      `${ID}\n`,
      `${ID}\ntouch /tmp/pwned`,
      `"${ID}"`,
      `'${ID}'`,
      `${ID} --dangerously-skip-permissions`,
      `${ID}0`,
      '../../../etc/passwd',
      'latest',
      '5',
      '',
      'x'.repeat(10_000),
    ];
    for (const h of hostile) {
      expect(() => resumeCommand('claude -p hi', h), JSON.stringify(h)).toThrow(
        'the session id is not a UUID; it is not put in a command',
      );
      const claude = JSON.stringify({ type: 'system', subtype: 'init', session_id: h });
      const codex = JSON.stringify({ type: 'thread.started', thread_id: h });
      const gemini = JSON.stringify({ type: 'init', session_id: h });
      expect(sessionIdOf('claude', claude)).toBeNull();
      expect(sessionIdOf('codex', codex)).toBeNull();
      expect(sessionIdOf('gemini', gemini)).toBeNull();
    }
    // Not a string at all.
    expect(
      sessionIdOf('claude', '{"type":"system","subtype":"init","session_id":{"a":1}}'),
    ).toBeNull();
    expect(sessionIdOf('codex', '{"type":"thread.started","thread_id":["x"]}')).toBeNull();
  });

  it('takes the id printed first, before the agent ran; later lines cannot replace it', () => {
    const forged = '11111111-2222-3333-4444-555555555555';
    const transcript = [
      JSON.stringify({ type: 'system', subtype: 'init', session_id: ID }),
      JSON.stringify({ type: 'system', subtype: 'init', session_id: forged }),
      JSON.stringify({ type: 'result', session_id: forged }),
    ].join('\n');
    expect(sessionIdOf('claude', transcript)).toBe(ID);
    // An invalid init id is no id: a later line does not stand in for it.
    const bad = [
      JSON.stringify({ type: 'system', subtype: 'init', session_id: '$(id)' }),
      JSON.stringify({ type: 'result', session_id: forged }),
    ].join('\n');
    expect(sessionIdOf('claude', bad)).toBeNull();
    // Without an init line (cut off), the result line's.
    expect(sessionIdOf('claude', JSON.stringify({ type: 'result', session_id: ID }))).toBe(ID);
    const codex = [
      JSON.stringify({ type: 'thread.started', thread_id: ID }),
      JSON.stringify({ type: 'thread.started', thread_id: forged }),
    ].join('\n');
    expect(sessionIdOf('codex', codex)).toBe(ID);
  });
});
