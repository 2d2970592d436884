import type { ToolSpec } from '../config/types.js';
import type { Session } from './session.js';
import type { Turn, TurnInput, TurnOutcome } from './types.js';

/** A host file the agent needs in its sandbox, fixed when the sandbox opens. */
export interface Mount {
  host: string;
  container: string;
  readonly: boolean;
}

/**
 * What a session needs of an agent, whatever its kind (python, command, http): adapters are
 * registered per kind (agents/registry.ts) and receive the session they run in, so the
 * sandbox, the gateway and the workspace belong to the session, not to the agent.
 */
export interface AgentAdapter {
  readonly kind: string;
  /** The agent's name, for turns and records. */
  readonly name: string;
  /** Whether its turns run inside the session's sandbox (an HTTP endpoint's do not). */
  readonly sandboxed: boolean;
  /** The image its sandbox runs, when sandboxed. */
  readonly image?: string;
  /** Host files its sandbox must mount. */
  readonly mounts: Mount[];
  /**
   * Whether its first model request must already carry these platform tools (a CLI they were
   * registered into as an MCP server); the gateway checks it.
   */
  toolsInFirstRequest?(tools: ToolSpec[]): boolean;
  /** Whether it can continue its own session by id (a CLI's resume). */
  readonly resumable?: boolean;
  runTurn(session: Session, input: TurnInput, signal?: AbortSignal): Promise<TurnOutcome>;
  /** Called with the whole turn once the session took its snapshot (the diff is known). */
  afterTurn?(turn: Turn): void;
  /** Ends what the adapter keeps alive in a session (a stateful process). */
  close?(session: Session): Promise<void>;
}
