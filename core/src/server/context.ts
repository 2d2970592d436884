import type { ConfigTree } from '../config/types.js';
import type { ModelEnvironment } from '../models/environment.js';
import type { CallLog } from './call-log.js';
import type { Launcher } from './launch.js';
import type { RunSlots } from './run-slots.js';

/** The coding CLIs a runbook run can name without declaring an agent (the presets). */
export const SHORT_AGENT_NAMES = ['claude-code', 'codex', 'gemini-cli'] as const;

/** What the route handlers share: the served tree, its models, where runs go, the launcher. */
export interface ServeContext {
  root: string;
  configDir?: string;
  resultsDir: string;
  tree: ConfigTree;
  models: ModelEnvironment;
  env: NodeJS.ProcessEnv;
  launch: Launcher;
  /** Removes every secret this server knows (provider keys, its token) from text it emits. */
  redact: (text: string) => string;
  /** The server's own base URL (never taken from a request's Host header). */
  baseUrl: () => string;
  runs: RunSlots;
  calls: CallLog;
  /** Cassette replay: no provider needs to be configured, the cassette answers. */
  replaying: boolean;
  log: (line: string) => void;
}

/** The declared agents, then the short names not shadowed by one. */
export function agentNames(ctx: ServeContext): string[] {
  const declared = [...ctx.tree.agents.keys()];
  return [...declared, ...SHORT_AGENT_NAMES.filter((n) => !declared.includes(n))];
}
