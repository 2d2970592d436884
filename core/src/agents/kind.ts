import type { AgentConfig, Loaded, ProjectConfig, ScenarioConfig } from '../config/types.js';
import type { SecretResolver } from '../config/secrets.js';
import type { Mission } from '../config/runbook.js';
import type { RunError } from '../results/record.js';
import type { ImageManager } from '../sandbox/images.js';
import type { SandboxLimits } from '../sandbox/driver.js';
import type { AgentAdapter, Mount } from '../session/adapter.js';
import type { ResolvedEndpoint } from '../tools/tool-desk.js';
import type { AgentCode } from './python/source.js';

export type AgentKindName = 'python' | 'http' | 'command';

/** Everything resolved once per agent before any sandbox boots; `error` fails its runs early. */
export interface PreparedAgent {
  config: AgentConfig;
  kind: AgentKindName;
  version: string;
  env: Record<string, string>;
  headers: Record<string, string>;
  code?: AgentCode;
  image?: string;
  timeoutMs: number;
  /** Host files mounted read-only into each sandbox (a CLI from the runner). */
  mounts: Mount[];
  /** Passthrough tools' endpoints, header secrets resolved (they stay on the host). */
  endpoints: Map<string, ResolvedEndpoint>;
  error?: RunError;
}

export interface PrepareContext {
  agent: Loaded<AgentConfig>;
  project: Loaded<ProjectConfig>;
  secrets: SecretResolver;
  images: ImageManager;
  /** Whether any of its tasks has a working directory (a coding scenario or a runbook). */
  hasScenario: boolean;
  /** The model providers the gateway can relay to. */
  providers: ReadonlySet<string>;
}

/** What a run gives an adapter beyond the prepared agent. */
export interface AdapterContext {
  scenario?: ScenarioConfig;
  /** A runbook run: its mission and the base names of its uploads. */
  runbook?: { mission: Mission; uploads: string[] };
  limits: SandboxLimits;
}

/**
 * One kind of agent (python, command, http): how a config is recognised as it, what it
 * resolves before any sandbox (code, image, mounts; a RunFailure fails its runs early), and
 * the adapter that takes its turns. Kinds are registered (registry.ts), never switched on.
 */
export interface AgentKind {
  kind: AgentKindName;
  matches(a: AgentConfig): boolean;
  /** Whether its runs need a working directory to run at all: a coding scenario or a runbook. */
  needsWorkspace: boolean;
  /** Whether its runs need a sandbox engine. */
  needsSandbox: boolean;
  prepare(p: PreparedAgent, ctx: PrepareContext): Promise<void>;
  adapter(p: PreparedAgent, run: AdapterContext): AgentAdapter;
}
