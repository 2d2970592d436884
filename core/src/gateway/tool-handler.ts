import type { ToolSpec } from '../config/types.js';
import type { ToolCallRecord } from '../results/record.js';

/** One `POST /tools/{name}` as the gateway received it. */
export interface ToolCallRequest {
  name: string;
  /** The body as sent: JSON arguments, or anything else (refused as bad arguments). */
  body: Buffer;
  /** The caller's actor_id path (`x-gauntlet-actor` header, or `_actor_id` in the arguments). */
  actor?: string;
  /** Ends with the connection: a call whose caller went away need not finish its model call. */
  signal?: AbortSignal;
}

/** What the caller gets back: a status and a JSON body (the tool's response, or `{error}`). */
export interface ToolAnswer {
  status: number;
  body: unknown;
}

/**
 * The platform tools behind `/tools` (world/tool-desk.ts is the real one). The handler owns the
 * ledger rows; the gateway only transports, and reports calls it refused before their body was
 * read (too large, nested too deep) through `refuse`.
 */
export interface ToolHandler {
  /** The catalogue the agent is given (`GET /tools`, the MCP shim's tools/list). */
  list(): ToolSpec[];
  call(req: ToolCallRequest): Promise<ToolAnswer>;
  refuse(name: string, actor: string | undefined, keptArgs: string, error: string): void;
  /** Every call so far, in the order they were answered. */
  readonly calls: ToolCallRecord[];
}
