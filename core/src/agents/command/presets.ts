/**
 * Coding CLIs gauntlet recognises from the command's binary (seed runbook 7): each gets its
 * headless/approval and structured-output flags appended, its model traffic pointed at the
 * gateway, and its documented install line as an image layer. `bash -c "…"` is deliberately
 * not recognised: it gets coarse capture, as the seeds say.
 */
export type PresetId = 'claude' | 'codex' | 'cursor-agent' | 'aider' | 'gemini';

export interface Preset {
  id: PresetId;
  /** Flags appended when absent, each group as [flag(s), a regex telling it is already there]. */
  flags: [string, RegExp][];
  env: Record<string, string>;
  /** The documented install line, as the body of an environment layer. */
  install: { system_packages: string[]; dockerfile: string };
  /** The native transcript the normaliser reads. */
  transcript: 'claude-stream-json' | 'codex-json' | 'cursor-stream-json' | 'gemini-stream-json' | 'aider-history';
}

const NPM = ['nodejs', 'npm'];

export const PRESETS: Record<PresetId, Preset> = {
  claude: {
    id: 'claude',
    flags: [['--print', /(^|\s)(-p|--print)(\s|$)/], ['--output-format stream-json', /--output-format/], ['--verbose', /--verbose/], ['--dangerously-skip-permissions', /--dangerously-skip-permissions|--permission-mode/]],
    env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', IS_SANDBOX: '1' },
    install: { system_packages: NPM, dockerfile: 'RUN sudo npm install -g @anthropic-ai/claude-code' },
    transcript: 'claude-stream-json',
  },
  codex: {
    id: 'codex',
    flags: [['--json', /--json/], ['--dangerously-bypass-approvals-and-sandbox', /--dangerously-bypass-approvals-and-sandbox|--full-auto/], ['--skip-git-repo-check', /--skip-git-repo-check/]],
    env: {},
    install: { system_packages: NPM, dockerfile: 'RUN sudo npm install -g @openai/codex' },
    transcript: 'codex-json',
  },
  'cursor-agent': {
    id: 'cursor-agent',
    flags: [['-p', /(^|\s)(-p|--print)(\s|$)/], ['--force', /--force/], ['--output-format stream-json', /--output-format/]],
    env: {},
    install: { system_packages: [], dockerfile: 'RUN curl https://cursor.com/install -fsSL | bash' },
    transcript: 'cursor-stream-json',
  },
  aider: {
    id: 'aider',
    flags: [['--yes-always', /--yes-always/], ['--no-pretty', /--no-pretty/], ['--no-stream', /--no-stream/], ['--no-auto-commits', /--(no-)?auto-commits/]],
    env: {},
    install: { system_packages: [], dockerfile: 'RUN python3 -m pip install --user uv && ~/.local/bin/uv tool install --python 3.11 aider-chat' },
    transcript: 'aider-history',
  },
  gemini: {
    id: 'gemini',
    flags: [['--yolo', /--yolo|--approval-mode/], ['--output-format stream-json', /--output-format/]],
    env: {},
    install: { system_packages: NPM, dockerfile: 'RUN sudo npm install -g @google/gemini-cli' },
    transcript: 'gemini-stream-json',
  },
};

export interface Recognised {
  preset?: Preset;
  /** The command as it will run: the user's, plus the preset's missing flags. */
  command: string;
  binary: string;
}

/** The first word that is not an environment assignment, without its directory. */
function binaryOf(command: string): string {
  const words = command.trim().split(/\s+/);
  const first = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
  return first.replace(/^.*\//, '').replace(/^["']|["']$/g, '');
}

export function recognise(command: string): Recognised {
  const binary = binaryOf(command);
  const preset = (PRESETS as Record<string, Preset>)[binary];
  if (!preset) return { command, binary };
  const missing = preset.flags.filter(([, present]) => !present.test(command)).map(([flag]) => flag);
  return { preset, binary, command: missing.length ? `${command} ${missing.join(' ')}` : command };
}
