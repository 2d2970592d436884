/** What the gateway saw during one run; merged into the run record's trajectory. */
export interface TraceEvent {
  type: 'assistant_message' | 'thinking' | 'system_prompt' | 'custom' | 'handoff';
  /** Agent-supplied `__occurred_at`, else the gateway's arrival time. */
  occurred_at: string;
  received_at: string;
  actor_id?: string;
  data: Record<string, unknown>;
}

export interface ToolCallRecord {
  id: string;
  name: string;
  source: 'odyssey' | 'injected' | 'passthrough' | 'error' | 'transport_error';
  args: unknown;
  response?: unknown;
  error?: string;
  latency_ms: number;
  started_at: string;
  actor_id?: string;
}
