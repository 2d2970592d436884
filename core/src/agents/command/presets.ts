/**
 * Coding CLIs gauntlet recognises from the command's binary (seed runbook 7): each gets its
 * headless/approval and structured-output flags appended, its model traffic pointed at the
 * gateway, and its documented install line as an image layer. `bash -c "…"` is deliberately
 * not recognised: it gets coarse capture, as the seeds say.
 */
import type { WireFormat } from '../../models/wire.js';

export type PresetId = 'claude' | 'codex' | 'cursor-agent' | 'aider' | 'gemini';

export interface Preset {
  id: PresetId;
  /** Flags appended when absent, each group as [flag(s), a regex telling it is already there]. */
  flags: [string, RegExp][];
  env: Record<string, string>;
  /** The documented install line, as the body of an environment layer. */
  install: { system_packages: string[]; dockerfile: string };
  /** The native transcript the normaliser reads. */
  transcript:
    | 'claude-stream-json'
    | 'codex-json'
    | 'cursor-stream-json'
    | 'gemini-stream-json'
    | 'aider-history';
  /** The flag naming the transcript file, when it is a file rather than stdout (the appended flags set it). */
  transcriptFlag?: string;
  /** False when the CLI talks to its vendor's own backend, which the gateway cannot relay. */
  relayed: boolean;
  /** The gateway relay its model traffic needs (unknown for CLIs that take any model). */
  provider?: WireFormat;
  /** How it continues its own session by id; absent when it cannot. */
  resume?: { command(command: string, sessionId: string): string };
}

const NPM = ['nodejs', 'npm'];
const AIDER_HISTORY = '/tmp/gauntlet-aider/chat.history.md';

export const PRESETS: Record<PresetId, Preset> = {
  claude: {
    id: 'claude',
    flags: [
      ['--print', /(^|\s)(-p|--print)(\s|$)/],
      ['--output-format stream-json', /--output-format/],
      ['--verbose', /--verbose/],
      ['--dangerously-skip-permissions', /--dangerously-skip-permissions|--permission-mode/],
    ],
    env: {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      IS_SANDBOX: '1',
    },
    install: {
      system_packages: NPM,
      dockerfile:
        'RUN sudo npm install -g @anthropic-ai/claude-code && sudo npm cache clean --force',
    },
    transcript: 'claude-stream-json',
    relayed: true,
    provider: 'anthropic',
  },
  codex: {
    id: 'codex',
    flags: [
      ['--json', /--json/],
      [
        '--dangerously-bypass-approvals-and-sandbox',
        /--dangerously-bypass-approvals-and-sandbox|--full-auto/,
      ],
      ['--skip-git-repo-check', /--skip-git-repo-check/],
      // Codex ignores OPENAI_BASE_URL; a model provider of our own points it at the gateway (Responses API).
      [
        '-c model_provider=gauntlet -c "model_providers.gauntlet={name=\\"gauntlet\\",base_url=\\"$GAUNTLET_PROXY_URL/v1\\",env_key=\\"OPENAI_API_KEY\\",wire_api=\\"responses\\"}"',
        /model_provider/,
      ],
      // Without network the exit-time analytics flush waits ~5 s for DNS.
      ['-c analytics.enabled=false', /analytics\.enabled/],
    ],
    env: {},
    install: {
      system_packages: NPM,
      dockerfile: 'RUN sudo npm install -g @openai/codex && sudo npm cache clean --force',
    },
    transcript: 'codex-json',
    relayed: true,
    provider: 'openai',
  },
  'cursor-agent': {
    id: 'cursor-agent',
    flags: [
      ['-p', /(^|\s)(-p|--print)(\s|$)/],
      ['--force', /--force|(^|\s)-f(\s|$)|--yolo/],
      ['--output-format stream-json', /--output-format/],
    ],
    env: {},
    install: {
      system_packages: [],
      dockerfile: 'RUN curl https://cursor.com/install -fsSL | bash',
    },
    transcript: 'cursor-stream-json',
    relayed: false,
  },
  aider: {
    id: 'aider',
    flags: [
      ['--yes-always', /--yes-always/],
      ['--no-pretty', /--no-pretty/],
      ['--no-stream', /--no-stream/],
      ['--no-auto-commits', /--(no-)?auto-commits/],
      // History files out of the graded workspace, and aider must not edit .gitignore.
      [
        `--chat-history-file ${AIDER_HISTORY} --input-history-file /tmp/gauntlet-aider/input.history`,
        /--chat-history-file/,
      ],
      ['--no-gitignore', /--(no-)?gitignore/],
      ['--no-check-update --no-show-release-notes --analytics-disable', /--(no-)?check-update/],
    ],
    env: { OPENAI_API_BASE: 'http://127.0.0.1:8787/v1' },
    install: {
      system_packages: [],
      dockerfile:
        'RUN python3 -m pip install --user uv && ~/.local/bin/uv tool install --python 3.11 aider-chat',
    },
    transcript: 'aider-history',
    transcriptFlag: '--chat-history-file',
    relayed: true,
  },
  gemini: {
    id: 'gemini',
    flags: [
      ['--yolo', /--yolo|--approval-mode/],
      ['--output-format stream-json', /--output-format/],
      ['--skip-trust', /--skip-trust/],
    ],
    // API-key auth against GOOGLE_GEMINI_BASE_URL (the gateway), no telemetry, no update checks.
    env: { GEMINI_CLI_SYSTEM_SETTINGS_PATH: '/gauntlet/runtime/gemini-settings.json' },
    install: {
      system_packages: NPM,
      dockerfile: 'RUN sudo npm install -g @google/gemini-cli && sudo npm cache clean --force',
    },
    transcript: 'gemini-stream-json',
    relayed: true,
    provider: 'gemini',
  },
};

export interface Recognised {
  preset?: Preset;
  /** The command as it will run: the user's, plus the preset's missing flags. */
  command: string;
  binary: string;
  transcriptFile?: string;
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
  const missing = preset.flags
    .filter(([, present]) => !present.test(command))
    .map(([flag]) => flag);
  const full = missing.length ? `${command} ${missing.join(' ')}` : command;
  // The flag's value in the command as run: the user's own, else the one appended.
  const file = preset.transcriptFlag
    ? new RegExp(`${preset.transcriptFlag}[= ]("[^"]+"|\\S+)`).exec(full)?.[1]?.replace(/"/g, '')
    : undefined;
  return { preset, binary, command: full, ...(file ? { transcriptFile: file } : {}) };
}
