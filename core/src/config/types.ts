/** Typed views of the YAML kinds; the JSON Schemas in schemas/ are the source of truth. */
import type { FailureRule, Gates, LedgerSchema, Topology } from '../results/record.js';
import type { ExpectItem } from './expect.js';

export type { FailureRule, Gates, LedgerSchema, Topology };

export interface SecretRef {
  secret: string;
}
export type EnvValue = string | number | boolean | SecretRef;

/** Where a value came from, so errors and the App's annotations can point at it. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

export interface PythonSource {
  inline?: string;
  files?: Record<string, string>;
  path?: string;
  zip?: string;
  git?: { url: string; ref?: string; token?: SecretRef };
}

export interface AgentEnvironment {
  system_packages?: string[];
  python_requirements?: string[];
  install_cli?: boolean;
  cli_from_host?: string;
  python_version?: string;
  setup_command?: string;
  dockerfile?: string;
}

/** A tool as the agent sees it (its catalogue entry: GET /tools, the MCP shim's tools/list). */
export interface ToolSpec {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

/**
 * A declared tool. `simulated` (the seeds' `sandbox`, accepted as an alias): the simulator
 * model answers from the world-state ledger. `passthrough`: forwarded verbatim to `endpoint`.
 */
export interface ToolDecl extends ToolSpec {
  mode?: 'simulated' | 'passthrough';
  endpoint?: {
    url: string;
    headers?: Record<string, string | SecretRef>;
    /** Seconds (default 30). */
    timeout?: number;
  };
  /** `adapter`: a passthrough result is written to the ledger as an `entity_type` entity. */
  ledger_write_policy?: 'none' | 'adapter';
  entity_type?: string;
}

export interface AgentConfig {
  kind: 'agent';
  name: string;
  description?: string;
  version?: string;
  status?: 'draft' | 'published';
  python?: { entrypoint?: string; entrypoint_file?: string; source: PythonSource };
  command?: string;
  http?: { url: string; headers?: Record<string, string | SecretRef> };
  environment?: AgentEnvironment;
  env?: Record<string, EnvValue>;
  timeout?: number;
  /** Resolved by the loader: `- import: file.json` items are replaced by the file's tools. */
  tools?: ToolDecl[];
  ledger_schema?: LedgerSchema | null;
  topology?: Topology | null;
}

export interface TaskSpec {
  id?: string;
  user: string;
  behavior_instructions?: string;
  expected_outcome?: 'completion' | 'refusal';
  initial_state?: Record<string, unknown>;
  failure_rules?: FailureRule[];
  /** Checks on this task's runs, after the suite's own (core/src/config/expect.ts). */
  expect?: ExpectItem[];
  /** This task's own runbook (it replaces the suite's). */
  runbook?: RunbookRef;
  /** Uploads of this task, after the suite's own. */
  files?: string[];
}

/**
 * A runbook as written: a markdown file relative to the file naming it, or its text inline
 * (what a programmatic launch hands over). It becomes the agent's mission (config/runbook.ts).
 */
export type RunbookRef = string | { inline: string; name?: string };

/** `turn_mode` of a task: model_as_user is a multi-turn session, single_turn one agent turn. */
export type TurnMode = 'model_as_user' | 'single_turn';
/** persona: a model plays the user; scripted: a fixed list of user messages, in order. */
export type SimulatorMode = 'persona' | 'scripted';
/** replay: the agent gets the whole transcript each turn; stateful: only the new message. */
export type MemoryMode = 'replay' | 'stateful';

/** A suite's `multi_turn:` as written (schemas/suite.schema.json). */
export interface MultiTurnConfig {
  simulator_mode?: SimulatorMode;
  persona?: string;
  /** A YAML list of strings, or a string holding a JSON array of strings. */
  scripted_user_turns?: string[] | string;
  max_turns?: number;
  memory_mode?: MemoryMode;
  termination_keyword?: string;
}

/**
 * The multi-turn settings of one task, every default applied (core/src/config/multi-turn.ts).
 * The task's `user` text is the first user message; the simulator writes the ones after it.
 */
export interface ResolvedMultiTurn {
  simulator_mode: SimulatorMode;
  /** Set in persona mode, null in scripted mode. */
  persona: string | null;
  /** Set (1..max_turns-1 messages) in scripted mode, null in persona mode. */
  scripted_user_turns: string[] | null;
  /** Turns at most, 1..50 (default 10); a turn is one user message and the agent's reply. */
  max_turns: number;
  memory_mode: MemoryMode;
  /** The session ends when an agent reply contains it; null when unset. */
  termination_keyword: string | null;
}

export interface SuiteConfig {
  kind: 'suite';
  name: string;
  description?: string;
  agent?: string;
  agents?: string[];
  /** `samples`: how many times the judge grades each run (1..15, default 1); majority wins. */
  judge?: 'none' | { model?: string; samples?: number };
  scenario?: string;
  /** Every task's mission (a task may name its own): a runbook run (config/runbook.ts). */
  runbook?: RunbookRef;
  /** Files uploaded into /app/uploads/ of every runbook run, relative to the suite file. */
  files?: string[];
  tasks: TaskSpec[] | { csv: string };
  columns?: string[];
  multi_turn?: MultiTurnConfig;
  /** The user simulator's model; gauntlet.yaml's simulator_model is the default. */
  simulator?: { model: string };
  trials?: number;
  concurrency?: number;
  gates?: Gates;
  /** Checks every run of the suite must pass (core/src/config/expect.ts). */
  expect?: ExpectItem[];
  /** Caps on what is collected from /app/results (workspace/artifacts.ts has the defaults). */
  artifacts?: { max_files?: number; max_file_mb?: number; max_total_mb?: number };
}

export interface WorkspaceSeed {
  git?: { url: string; ref?: string; subdirectory?: string; token?: SecretRef };
  zip?: string;
  path?: string;
  empty?: true;
}

export interface ScorerSpec {
  name: string;
  command?: string;
  lint?: string;
  allowed_paths?: string[];
  file_exists?: string;
  json_schema?: Record<string, unknown>;
  regex?: string;
  llm_judge?: { prompt: string; scale?: number; pass_at?: number; model?: string };
  timeout?: number;
}

export interface ScenarioConfig {
  kind: 'scenario';
  name: string;
  description?: string;
  workspace: WorkspaceSeed;
  setup?: { mode?: 'platform' | 'agent'; command: string; timeout?: number };
  scorers?: ScorerSpec[];
}

export interface ProviderConfig {
  base_url?: string;
  api_key?: SecretRef;
  script?: string;
}

export interface ProjectConfig {
  judge_model?: string;
  simulator_model?: string;
  image?: string;
  concurrency?: number;
  results_branch?: string;
  results_dir?: string;
  sandbox?: { memory_mb?: number; cpus?: number; pids_limit?: number; disk_mb?: number };
  providers?: { anthropic?: ProviderConfig; openai?: ProviderConfig; gemini?: ProviderConfig };
  prices?: Record<string, { input_per_mtok: number; output_per_mtok: number }>;
  allow_private_git_hosts?: string[];
  /** Where a short-named agent's CLI comes from on this runner (config/cli-agents.ts). */
  clis?: Partial<Record<CliAgentName, { cli_from_host: string }>>;
}

/** The agents a suite may name without declaring them: the coding CLIs' presets. */
export type CliAgentName = 'claude-code' | 'codex' | 'gemini-cli';

export interface Loaded<T> {
  value: T;
  file: string;
  /** Absolute directory of the file: relative paths in it resolve from here. */
  dir: string;
  /** Position of a JSON-pointer-like path (e.g. ['python','source']) in the file. */
  pos(path: (string | number)[]): SourcePos;
}

export interface ConfigTree {
  root: string;
  configDir: string;
  project: Loaded<ProjectConfig>;
  agents: Map<string, Loaded<AgentConfig>>;
  suites: Map<string, Loaded<SuiteConfig>>;
  scenarios: Map<string, Loaded<ScenarioConfig>>;
}
