import { Ajv, type ValidateFunction } from 'ajv';
import type { ToolDecl, ToolSpec } from '../config/types.js';
import { GATEWAY_BUDGETS, RunBudget } from '../gateway/budget.js';
import type { ToolAnswer, ToolCallRequest, ToolHandler } from '../gateway/tool-handler.js';
import type { ModelCall } from '../models/wire.js';
import type {
  FailureRule,
  LedgerOp,
  LedgerSchema,
  LedgerState,
  LedgerViolation,
  ToolCallRecord,
} from '../results/record.js';
import { newId } from '../util/hash.js';
import { FailureRules } from '../world/failure-rules.js';
import { Ledger } from '../world/ledger.js';
import { forwardToEndpoint } from '../world/passthrough.js';
import { RunLock } from '../world/run-lock.js';
import type { ToolSimulator } from './tool-simulator.js';

/** What a run's tools leave for its record: the ledger as seeded and as left, the refusals. */
export interface WorldOutcome {
  ledger: { schema: LedgerSchema | null; initial: LedgerState; final: LedgerState };
  violations: LedgerViolation[];
  simulator_usd: number;
}

/** How long a call waits for the run's tool lock before it is told `lock_contention`. */
export const TOOL_LOCK_WAIT_MS = 10_000;

/** A passthrough binding with its header secrets already resolved (they never leave the host). */
export interface ResolvedEndpoint {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface ToolDeskOptions {
  tools: ToolDecl[];
  /** Resolved endpoints of the passthrough tools, by tool name. */
  endpoints: Map<string, ResolvedEndpoint>;
  schema: LedgerSchema | null;
  initial: LedgerState;
  behavior: string | null;
  rules: FailureRule[];
  /** Seeds the failure rules' generator: the same seed fires the same rules. */
  seed: string;
  /** Coding runs never simulate: their simulated tools answer tool_not_executable. */
  coding: boolean;
  /** The tool simulator; null when no tool is simulated (or the run is a coding run). */
  simulator: ToolSimulator | null;
  budget?: RunBudget;
  lockWaitMs?: number;
}

/** What a served call produced before it becomes a row. */
interface Served {
  status: number;
  body: unknown;
  source: ToolCallRecord['source'];
  error?: string;
  fault?: ToolCallRecord['fault'];
  rule?: number;
  changes?: LedgerOp[];
  model_ms?: number;
  /** Replies or writes the ledger refused while serving the call. */
  violations?: Omit<LedgerViolation, 'call_id' | 'tool'>[];
}

const err = (type: string, message: string) => ({ error: { type, message } });

/**
 * The platform tools of one run (DESIGN.md §4): the ledger, the failure rules and the two
 * modes behind `/tools`. A call is served under the run's lock, top to bottom: find the tool,
 * parse and validate its arguments on the host, failure rules, then its mode. Every call is a
 * row carrying the ledger State after it and the Changes it applied.
 */
export class ToolDesk implements ToolHandler {
  readonly calls: ToolCallRecord[] = [];
  readonly violations: LedgerViolation[] = [];
  /** The simulator's model calls (cost and the record's simulator share). */
  readonly simulatorCalls: ModelCall[] = [];
  readonly ledger: Ledger;
  private readonly lock = new RunLock();
  private readonly rules: FailureRules;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly budget: RunBudget;
  private readonly byName: Map<string, ToolDecl>;

  constructor(private readonly o: ToolDeskOptions) {
    this.ledger = new Ledger(o.schema, o.initial);
    this.rules = new FailureRules(o.rules, o.seed);
    this.budget = o.budget ?? new RunBudget();
    this.byName = new Map(o.tools.map((t) => [t.name, t]));
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const t of o.tools) this.validators.set(t.name, ajv.compile(t.input_schema));
  }

  list(): ToolSpec[] {
    return this.o.tools.map((t) => ({
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      input_schema: t.input_schema,
    }));
  }

  /** The ledger as seeded and as left, the refused writes and the simulator's cost. */
  outcome(): WorldOutcome {
    return {
      ledger: { schema: this.o.schema, initial: this.o.initial, final: this.ledger.state() },
      violations: this.violations,
      simulator_usd: this.simulatorCalls.reduce((n, c) => n + c.cost_usd, 0),
    };
  }

  async call(request: ToolCallRequest): Promise<ToolAnswer> {
    const started = Date.now();
    const tool = this.byName.get(request.name);
    const args = parseArgs(request.body);
    const req = { ...request, actor: request.actor ?? takeActor(args) };
    if (!tool) {
      const message = `tool "${req.name}" is not declared on this agent; declare it under tools:`;
      return this.row(req, started, args.value, {
        status: 404,
        body: err('unknown_tool', message),
        source: 'error',
        error: `unknown_tool: ${message}`,
        fault: 'agent',
      });
    }
    const release = await this.lock.acquire(this.o.lockWaitMs ?? TOOL_LOCK_WAIT_MS);
    if (!release) {
      const message = 'tool calls are serialised per run and the lock stayed busy; retry the call';
      return this.row(req, started, args.value, {
        status: 503,
        body: err('lock_contention', message),
        source: 'error',
        error: `lock_contention: ${message}`,
        fault: 'platform',
      });
    }
    try {
      return this.row(req, started, args.value, await this.serve(tool, args, req.signal));
    } finally {
      release();
    }
  }

  refuse(name: string, actor: string | undefined, keptArgs: string, error: string) {
    this.push({
      id: newId('tc_'),
      name,
      source: 'error',
      args: keptArgs,
      error,
      status: error.startsWith('request_too_large') ? 413 : 400,
      fault: 'agent',
      latency_ms: 0,
      started_at: new Date().toISOString(),
      ...(actor ? { actor_id: actor } : {}),
    });
  }

  /** Arguments on the host first, then failure rules, then the tool's mode. */
  private async serve(tool: ToolDecl, args: Parsed, signal?: AbortSignal): Promise<Served> {
    const bad = args.problem ?? this.argumentProblem(tool, args.value);
    if (bad)
      return {
        status: 400,
        body: err('invalid_arguments', bad),
        source: 'error',
        error: `invalid_arguments: ${bad}`,
        fault: 'agent',
      };
    const fired = this.rules.match(tool.name, args.value);
    if (fired) {
      const e = fired.rule.error;
      const type = e.type ?? 'injected_error';
      return {
        status: e.status ?? 500,
        body: err(type, e.message),
        source: 'injected',
        error: `${type}: ${e.message}`,
        rule: fired.index,
      };
    }
    if (tool.mode === 'passthrough') return this.passthrough(tool, args.value, signal);
    return this.simulate(tool, args.value);
  }

  private argumentProblem(tool: ToolDecl, args: unknown): string | undefined {
    const v = this.validators.get(tool.name)!;
    if (v(args)) return undefined;
    const list = (v.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '(arguments)'} ${e.message}`);
    return `arguments do not match ${tool.name}'s input_schema: ${list.join('; ')}`;
  }

  private async passthrough(tool: ToolDecl, args: unknown, signal?: AbortSignal): Promise<Served> {
    const ep = this.o.endpoints.get(tool.name);
    if (!ep) {
      const message = `passthrough tool "${tool.name}" has no endpoint bound`;
      return {
        status: 502,
        body: err('transport_error', message),
        source: 'transport_error',
        error: message,
      };
    }
    const r = await forwardToEndpoint(ep, args, { signal });
    if (!r.ok)
      return {
        status: 502,
        body: err('transport_error', r.error),
        source: 'transport_error',
        error: `transport_error: ${r.error}`,
      };
    const served: Served = { status: 200, body: r.body, source: 'passthrough', changes: [] };
    if (tool.ledger_write_policy !== 'adapter') return served;
    const w = this.adapterWrite(tool, r.body);
    if ('errors' in w) served.violations = [{ attempt: 'adapter', errors: w.errors }];
    else served.changes = w.changes;
    return served;
  }

  /**
   * A passthrough result written to the ledger as its tool's entity (add, or update when the
   * id is live). A result the ledger refuses is a violation; the agent still gets the result.
   */
  private adapterWrite(
    tool: ToolDecl,
    body: unknown,
  ): { changes: LedgerOp[] } | { errors: string[] } {
    const type = tool.entity_type!;
    const idField = this.o.schema?.entities.find((e) => e.type === type)?.id_field ?? 'id';
    const record = body && typeof body === 'object' && !Array.isArray(body) ? body : null;
    const id = record ? (record as Record<string, unknown>)[idField] : undefined;
    if (typeof id !== 'string' && typeof id !== 'number')
      return { errors: [`the result of ${tool.name} has no ${idField} to write as a ${type}`] };
    const live = this.ledger.state().entities[type]?.[String(id)] !== undefined;
    const op: LedgerOp = {
      op: live ? 'update' : 'add',
      entity_type: type,
      entity_id: String(id),
      fields: record as Record<string, unknown>,
    };
    const applied = this.ledger.apply([op]);
    return applied.ok
      ? { changes: applied.changes }
      : { errors: applied.problems.map((p) => p.message) };
  }

  private async simulate(tool: ToolDecl, args: unknown): Promise<Served> {
    if (this.o.coding || !this.o.simulator) {
      const message = this.o.coding
        ? `tool "${tool.name}" is simulated, and coding runs do not simulate tool execution: ` +
          'bind it to a passthrough endpoint, or have the agent do the work in the repository'
        : `tool "${tool.name}" is simulated, and this run has no simulator model`;
      return {
        status: 501,
        body: err('tool_not_executable', message),
        source: 'error',
        error: `tool_not_executable: ${message}`,
        fault: 'platform',
      };
    }
    const sim = await this.o.simulator.answer(
      {
        tool,
        args,
        ledger: this.ledger.state(),
        schema: this.o.schema,
        behavior: this.o.behavior,
        history: this.calls
          .filter((c) => c.source === 'odyssey' || c.source === 'passthrough')
          .map((c) => ({ name: c.name, args: c.args, response: c.response })),
      },
      (ops) => this.ledger.check(ops).map((p) => p.message),
    );
    this.simulatorCalls.push(...sim.calls);
    const violations = sim.refused.map((errors, i) => ({
      attempt: i ? ('retry' as const) : ('first' as const),
      errors,
    }));
    const model_ms = sim.calls.reduce((n, c) => n + c.latency_ms, 0);
    if (!sim.ok)
      return {
        status: 502,
        body: err('simulator_error', 'the tool simulator could not produce a valid response'),
        source: 'error',
        error: `simulator_error: ${sim.error}`,
        fault: 'simulator',
        model_ms,
        violations,
      };
    const applied = this.ledger.apply(sim.ops);
    if (!applied.ok) {
      // check() passed, so this is the ledger's own bound (e.g. its size) refusing the batch.
      violations.push({ attempt: 'retry', errors: applied.problems.map((p) => p.message) });
      return {
        status: 502,
        body: err('simulator_error', 'the tool simulator could not produce a valid response'),
        source: 'error',
        error: `simulator_error: ${applied.problems.map((p) => p.message).join('; ')}`,
        fault: 'simulator',
        model_ms,
        violations,
      };
    }
    return {
      status: 200,
      body: sim.response,
      source: 'odyssey',
      changes: applied.changes,
      model_ms,
      violations,
    };
  }

  /** The row of a served call, with the ledger after it; the answer the caller gets. */
  private row(req: ToolCallRequest, started: number, args: unknown, s: Served): ToolAnswer {
    const b = GATEWAY_BUDGETS.toolCalls;
    const kept = this.budget.keep('tool call', { args, response: s.body }, b.each, b.totalBytes) as
      { args: unknown; response: unknown } | undefined;
    const state = this.ledger.state();
    const bytes = Buffer.byteLength(JSON.stringify(state));
    const snap = this.budget.fits(
      'ledger snapshot',
      bytes,
      GATEWAY_BUDGETS.ledgerSnapshots.totalBytes,
    );
    const id = newId('tc_');
    const rec: ToolCallRecord = {
      id,
      name: req.name,
      source: s.source,
      args: kept
        ? kept.args
        : `[arguments not kept: the run's ${b.totalBytes} byte budget for tool calls is spent]`,
      ...(s.status < 400 && kept ? { response: kept.response } : {}),
      ...(s.error ? { error: s.error.slice(0, 2000) } : {}),
      status: s.status,
      ...(s.fault ? { fault: s.fault } : {}),
      latency_ms: Date.now() - started,
      ...(s.model_ms !== undefined ? { model_ms: s.model_ms } : {}),
      started_at: new Date(started).toISOString(),
      ...(req.actor ? { actor_id: req.actor } : {}),
      ...(s.rule !== undefined ? { rule: s.rule } : {}),
      ledger: { state: snap ? state : null, changes: s.changes ?? [] },
    };
    this.push(rec);
    for (const v of s.violations ?? []) this.violations.push({ call_id: id, tool: req.name, ...v });
    return { status: s.status, body: s.body };
  }

  private push(rec: ToolCallRecord) {
    this.calls.push(rec);
  }
}

interface Parsed {
  value: unknown;
  problem?: string;
}

/**
 * A caller that cannot set headers names itself with `_actor_id` in the arguments: taken out
 * before they are validated or recorded, clipped like the header.
 */
function takeActor(args: Parsed): string | undefined {
  const v = args.value as Record<string, unknown> | null;
  if (args.problem || !v || typeof v._actor_id !== 'string') return undefined;
  const { _actor_id, ...rest } = v;
  args.value = rest;
  return (_actor_id as string).slice(0, 256) || undefined;
}

/** The call's JSON arguments; anything else is kept as text and refused as bad arguments. */
function parseArgs(body: Buffer): Parsed {
  const text = body.toString('utf8');
  if (!text.trim()) return { value: {} };
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value))
      return { value, problem: 'the arguments must be a JSON object' };
    return { value };
  } catch {
    return { value: text, problem: 'the body is not JSON: send the arguments as a JSON object' };
  }
}
