import type { ToolSpec } from '../config/types.js';
import type { ToolCallRecord } from '../results/record.js';
import { newId } from '../util/hash.js';

/** One `POST /tools/{name}` as the gateway received it. */
export interface ToolCallRequest {
  name: string;
  /** The body as sent: JSON arguments, or anything else (refused as bad arguments). */
  body: Buffer;
  /** The caller's actor_id path from the `x-gauntlet-actor` header (the desk also reads an
   * `_actor_id` argument). */
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
 * The platform tools behind `/tools` (tools/tool-desk.ts is the real one). The handler owns the
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

/**
 * The handler of a run with no tools declared: every call is an undeclared tool (404), and
 * still a row, so an agent calling tools it was never given shows in its record.
 */
export class NoTools implements ToolHandler {
  readonly calls: ToolCallRecord[] = [];

  list(): ToolSpec[] {
    return [];
  }

  async call(req: ToolCallRequest): Promise<ToolAnswer> {
    const message = `tool "${req.name}" is not declared on this agent; declare it under tools:`;
    const args = `[arguments not kept: ${req.body.length} bytes to an undeclared tool]`;
    this.refuse(req.name, req.actor, args, `unknown_tool: ${message}`, 404, 'agent');
    return { status: 404, body: { error: { type: 'unknown_tool', message } } };
  }

  refuse(
    name: string,
    actor: string | undefined,
    keptArgs: unknown,
    error: string,
    status = 400,
    fault: ToolCallRecord['fault'] = 'platform',
  ) {
    const now = new Date().toISOString();
    this.calls.push({
      id: newId('tc_'),
      name,
      source: 'error',
      args: keptArgs ?? null,
      error,
      status,
      fault,
      latency_ms: 0,
      started_at: now,
      ...(actor ? { actor_id: actor } : {}),
    });
  }
}
