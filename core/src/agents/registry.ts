import type { AgentConfig } from '../config/types.js';
import { commandKind } from './command/adapter.js';
import { httpKind } from './http.js';
import type { AgentKind } from './kind.js';
import { pythonKind } from './python/adapter.js';

const kinds: AgentKind[] = [];

/** Adds an agent kind; the first registered kind whose `matches` accepts a config runs it. */
export function registerAgentKind(kind: AgentKind): void {
  if (kinds.some((k) => k.kind === kind.kind))
    throw new Error(`agent kind ${kind.kind} is already registered`);
  kinds.push(kind);
}

export function agentKindOf(a: AgentConfig): AgentKind {
  const k = kinds.find((x) => x.matches(a));
  // The schema requires exactly one of python, http, command: no match is a bug, not input.
  if (!k) throw new Error(`agent "${a.name}" is of no registered kind`);
  return k;
}

registerAgentKind(pythonKind);
registerAgentKind(httpKind);
registerAgentKind(commandKind);
