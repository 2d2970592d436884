import type { PreparedAgent } from '../agents/kind.js';
import type { Task } from '../config/tasks.js';
import type { RunBudget } from '../gateway/budget.js';
import { carriesTools, requestToolNames } from '../models/request-tools.js';
import type { ModelTarget } from '../models/target.js';
import type { WireFormat } from '../models/wire.js';
import type { RunError } from '../results/record.js';
import { failure } from '../results/run-failure.js';
import { initialStateProblems, seedLedger } from '../world/initial-state.js';
import { ToolDesk } from '../tools/tool-desk.js';
import { ToolSimulator } from '../tools/tool-simulator.js';

/**
 * The run's world: its tools behind the gateway, the ledger seeded from the task, the failure
 * rules and the simulator. None when the agent declares no tools. A coding run never
 * simulates; its simulated tools answer tool_not_executable.
 */
export function openWorld(
  agent: PreparedAgent,
  task: Task,
  o: { seed: string; coding: boolean; simulator: ModelTarget | null; budget: RunBudget },
): ToolDesk | undefined {
  const a = agent.config;
  if (!a.tools?.length) return undefined;
  const schema = a.ledger_schema ?? null;
  // The loader checked it against this schema; a state built another way is checked here too.
  const problems = initialStateProblems(schema, task.initial_state ?? {});
  if (problems.length)
    throw failure(
      'contract_error',
      'invalid_initial_state',
      `initial_state of task ${task.id}: ${problems.map((p) => p.message).join('; ')}`,
    );
  const simulates = a.tools.some((t) => t.mode !== 'passthrough');
  return new ToolDesk({
    tools: a.tools,
    endpoints: agent.endpoints,
    schema,
    initial: seedLedger(schema, task.initial_state ?? {}),
    behavior: task.behavior_instructions ?? null,
    rules: task.failure_rules ?? [],
    seed: o.seed,
    coding: o.coding,
    simulator: simulates && !o.coding && o.simulator ? new ToolSimulator(o.simulator) : null,
    budget: o.budget,
  });
}

/**
 * The check that a CLI started with its tools (DESIGN.md §4): the first model request must
 * name every registered tool (bare or MCP-prefixed). Claude Code, for one, may start its first
 * call before its MCP servers answer; a run that did is a harness error, not a scored failure.
 */
export function toolsRegisteredCheck(tools: string[]) {
  let seen: boolean | undefined;
  return {
    onFirstModelRequest: (format: WireFormat, body: Buffer) => {
      seen = carriesTools(requestToolNames(format, body), tools);
    },
    /** The run's error when the first request lacked the tools; null otherwise. */
    failure(): RunError | null {
      if (seen !== false) return null;
      return {
        class: 'internal_error',
        code: 'tools_not_registered',
        message:
          `the agent's first model request did not carry its tools (${tools.join(', ')}): ` +
          'the CLI started before its MCP server answered. This is a harness error, not the ' +
          "agent's: re-run it; if it persists, run gauntlet doctor",
      };
    },
  };
}
