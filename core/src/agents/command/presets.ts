/**
 * Coding CLIs gauntlet recognises from the command's binary (seed runbook 7): each gets its
 * headless/approval and structured-output flags appended, its model traffic pointed at the
 * gateway, and its documented install line as an image layer. `bash -c "…"` is deliberately
 * not recognised: it gets coarse capture, as the seeds say.
 */
import type { WireFormat } from '../../models/wire.js';
import { claudeSessionId } from '../../trajectory/claude.js';
import { codexThreadId } from '../../trajectory/codex.js';
import { geminiSessionId } from '../../trajectory/gemini.js';
import { isSessionId } from '../../trajectory/steps.js';
import type { TranscriptFormat } from '../../trajectory/normalise.js';

export type PresetId = 'claude' | 'codex' | 'cursor-agent' | 'aider' | 'gemini';

/**
 * How a CLI continues its own session on a later turn (memory_mode stateful, the runner API's
 * resume): where its session id is in its transcript, and what turns its configured command
 * into one that resumes that id. Checked against the real binaries (tests/cli-resume.test.ts).
 */
export interface ResumeSupport {
  supported: true;
  /** The CLI's session id in its native transcript: a validated UUID, or null. */
  sessionId: (transcript: string) => string | null;
  /** The words that resume session `id`, inserted right after the binary (or `after`). */
  insert: (id: string) => string;
  /** The subcommand (and its aliases) the command must name right after the binary. */
  after?: string[];
  /** Flags of the configured command under which this CLI cannot resume, and why. */
  refuses: [RegExp, string][];
}

/** A CLI gauntlet does not resume: the engine carries the transcript in the task file instead. */
export interface NoResume {
  supported: false;
  reason: string;
}

export interface Preset {
  id: PresetId;
  /** Flags appended when absent, each group as [flag(s), a regex telling it is already there]. */
  flags: [string, RegExp][];
  env: Record<string, string>;
  /** The documented install line, as the body of an environment layer. */
  install: { system_packages: string[]; dockerfile: string };
  /** The native transcript the normaliser reads. */
  transcript: TranscriptFormat;
  /** The flag naming the transcript file, when it is a file rather than stdout (the appended flags set it). */
  transcriptFlag?: string;
  /** False when the CLI talks to its vendor's own backend, which the gateway cannot relay. */
  relayed: boolean;
  /**
   * How a runbook becomes this CLI's own instructions (added to its system prompt), when it
   * takes them: the file the run writes (the runbook's text as `encode` makes it) and the flag
   * reading it. A CLI without one gets the runbook at the head of its task brief.
   */
  mission?: { file: string; encode: (text: string) => string; flag: [string, RegExp] };
  /** The gateway relay its model traffic needs (unknown for CLIs that take any model). */
  provider?: WireFormat;
  resume: ResumeSupport | NoResume;
}

const NPM = ['nodejs', 'npm'];
/** Flags of `codex exec` that `codex exec resume` rejects (their --help, codex-cli 0.169.0). */
const CODEX_EXEC_ONLY = [
  '-s',
  '--sandbox',
  '-C',
  '--cd',
  '--oss',
  '--local-provider',
  '-p',
  '--profile',
  '--add-dir',
  '--color',
];
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
    // Appended to Claude Code's own system prompt (its tools and rules stay).
    mission: {
      file: 'runbook.md',
      encode: (text) => text,
      flag: [
        '--append-system-prompt "$(cat /gauntlet/run/runbook.md)"',
        /--(append-)?system-prompt/,
      ],
    },
    provider: 'anthropic',
    // `claude --resume <uuid> -p …`: the session's history is read from ~/.claude/projects/
    // <cwd>, so the resumed turn runs in the same sandbox, HOME and working directory.
    resume: {
      supported: true,
      sessionId: claudeSessionId,
      insert: (id) => `--resume ${id}`,
      refuses: [
        [/(^|\s)(-r|--resume|-c|--continue)(\s|=|$)/, 'the command already picks a session'],
        [/--session-id/, '--session-id conflicts with --resume (without --fork-session)'],
        [/--no-session-persistence/, '--no-session-persistence saves no session to resume'],
      ],
    },
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
    // Codex's `developer_instructions` (a developer message after its own instructions; its
    // `model_instructions_file` would replace them). A -c value is read as TOML: the text goes
    // as a JSON string, which is a valid TOML basic string.
    mission: {
      file: 'runbook.toml-string',
      encode: (text) => JSON.stringify(text).replace(/\x7f/g, '\\u007f'),
      flag: [
        '-c "developer_instructions=$(cat /gauntlet/run/runbook.toml-string)"',
        /developer_instructions|model_instructions_file/,
      ],
    },
    provider: 'openai',
    // `codex exec resume <uuid> …` (the thread id; a name would be looked up, so only a UUID).
    // `exec resume` takes most of exec's flags, not those refused below (codex-cli 0.169.0).
    resume: {
      supported: true,
      sessionId: codexThreadId,
      insert: (id) => `resume ${id}`,
      after: ['exec', 'e'],
      refuses: [
        [/(^|\s)(exec|e)\s+(resume|fork)(\s|$)/, 'the command already picks a session'],
        [/--ephemeral/, '--ephemeral saves no session to resume'],
        [
          new RegExp(`(^|\\s)(${CODEX_EXEC_ONLY.join('|')})(\\s|=|$)`),
          `\`codex exec resume\` does not take ${CODEX_EXEC_ONLY.join(', ')}`,
        ],
      ],
    },
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
    resume: {
      supported: false,
      reason:
        "cursor-agent's chats live with Cursor's backend, which an offline sandbox cannot " +
        'reach, and its --resume cannot be checked here',
    },
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
    resume: {
      supported: false,
      reason:
        'aider has no session id to resume (only --restore-chat-history, from its history file)',
    },
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
    // `gemini --resume <uuid> -p …`: a UUID is looked up before an index, and sessions are kept
    // per project (~/.gemini/tmp/<project hash>/chats), so the same HOME and directory.
    resume: {
      supported: true,
      sessionId: geminiSessionId,
      insert: (id) => `--resume ${id}`,
      refuses: [
        [/(^|\s)(-r|--resume)(\s|=|$)/, 'the command already picks a session'],
        [/--session-id|--session-file/, '--session-id and --session-file exclude --resume'],
      ],
    },
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

/** `command` with each flag group it lacks appended (groups as [flag(s), presence regex]). */
export function withFlags(command: string, flags: [string, RegExp][]): string {
  const missing = flags.filter(([, present]) => !present.test(command)).map(([flag]) => flag);
  return missing.length ? `${command} ${missing.join(' ')}` : command;
}

export function recognise(command: string): Recognised {
  const binary = binaryOf(command);
  const preset = (PRESETS as Record<string, Preset>)[binary];
  if (!preset) return { command, binary };
  const full = withFlags(command, preset.flags);
  // The flag's value in the command as run: the user's own, else the one appended.
  const file = preset.transcriptFlag
    ? new RegExp(`${preset.transcriptFlag}[= ]("[^"]+"|\\S+)`).exec(full)?.[1]?.replace(/"/g, '')
    : undefined;
  return { preset, binary, command: full, ...(file ? { transcriptFile: file } : {}) };
}

/** Why resuming failed or was refused; the engine then carries the transcript instead. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}

/** One shell word: plain characters, backslash escapes, '…' and "…" segments, run together. */
const WORD = /(?:[^\s'"\\]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+/y;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The leading words of a command (up to `max`), each with the index where it ends. */
function leadingWords(command: string, max: number): { text: string; end: number }[] {
  const out: { text: string; end: number }[] = [];
  let i = 0;
  while (out.length < max) {
    while (i < command.length && /\s/.test(command[i])) i++;
    WORD.lastIndex = i;
    const m = WORD.exec(command);
    if (!m) break;
    i = WORD.lastIndex;
    out.push({ text: m[0], end: i });
  }
  return out;
}

/**
 * Why the configured command cannot resume a session, or null when it can: it must be a
 * recognised CLI whose preset resumes, with none of the flags that preset refuses.
 */
export function whyNoResume(command: string): string | null {
  const { preset, binary } = recognise(command);
  if (!preset) return `${binary || 'the command'} is not a coding CLI gauntlet resumes`;
  const r = preset.resume;
  if (!r.supported) return r.reason;
  const refused = r.refuses.find(([flag]) => flag.test(command));
  return refused ? `${preset.id} cannot resume here: ${refused[1]}` : null;
}

/** The session id the CLI of preset `id` wrote in its transcript (validated), or null. */
export function sessionIdOf(id: PresetId, transcript: string): string | null {
  const r = PRESETS[id].resume;
  return r.supported ? r.sessionId(transcript) : null;
}

/**
 * The configured command made to continue session `sessionId` (e.g. `claude --resume <id> -p
 * …`, `codex exec resume <id> …`). Pure; works on the command before or after recognise()
 * appends its flags. The id came from the agent's output: anything but a UUID is refused
 * before it reaches the command (which is run by a shell).
 */
export function resumeCommand(command: string, sessionId: string): string {
  if (!isSessionId(sessionId))
    throw new ResumeError('the session id is not a UUID; it is not put in a command');
  const why = whyNoResume(command);
  if (why) throw new ResumeError(why);
  const r = recognise(command).preset!.resume as ResumeSupport;
  const words = leadingWords(command, 64);
  const bin = words.findIndex((w) => !ASSIGNMENT.test(w.text));
  const at = r.after ? words[bin + 1] : words[bin];
  if (!at || (r.after && !r.after.includes(at.text)))
    throw new ResumeError(
      `resuming needs the command to be \`${words[bin]?.text} ${r.after![0]} …\``,
    );
  return `${command.slice(0, at.end)} ${r.insert(sessionId)}${command.slice(at.end)}`;
}
