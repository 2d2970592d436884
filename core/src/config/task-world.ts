import { failureRuleProblems, undeclaredToolProblems } from '../world/failure-rules.js';
import { initialStateProblems } from '../world/initial-state.js';
import { pathSuffix, type ConfigIssue } from './errors.js';
import type { Task } from './tasks.js';
import type { AgentConfig, Loaded, SuiteConfig } from './types.js';

/**
 * A task's world seed against the agents that run it: failure rules well formed and naming
 * their tools, initial_state valid against each agent's ledger schema. Inline tasks are
 * pointed at field by field; CSV tasks at their row.
 */
export function taskWorldIssues(
  suite: Loaded<SuiteConfig>,
  tasks: Task[],
  agents: AgentConfig[],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const inline = Array.isArray(suite.value.tasks);
  tasks.forEach((task, i) => {
    const where = (field: string, path: (string | number)[]) =>
      inline
        ? { ...suite.pos(['tasks', i, field, ...path]), field: `tasks.${i}.${field}` }
        : { file: task.origin.file, line: task.origin.line, column: 1, field };
    const row = task.origin.row !== undefined ? `row ${task.origin.row}: ` : '';
    if (task.failure_rules) {
      const problems = failureRuleProblems(task.failure_rules);
      for (const p of problems)
        out.push({
          ...where('failure_rules', p.path),
          code: 'invalid_failure_rule',
          message: `${row}failure_rules${pathSuffix(p.path)}: ${p.message}`,
          fix: 'see the failure rules section of the README',
        });
      if (!problems.length)
        for (const a of agents)
          for (const p of undeclaredToolProblems(
            task.failure_rules,
            (a.tools ?? []).map((t) => t.name),
          ))
            out.push({
              ...where('failure_rules', p.path),
              code: 'unknown_tool',
              message: `${row}failure_rules${pathSuffix(p.path)}: ${p.message} (agent ${a.name})`,
              fix: 'name a tool declared on the agent',
            });
    }
    if (task.initial_state)
      for (const a of agents)
        for (const p of initialStateProblems(a.ledger_schema ?? null, task.initial_state))
          out.push({
            ...where('initial_state', p.path),
            code: 'invalid_initial_state',
            message: `${row}initial_state${pathSuffix(p.path)}: ${p.message} (agent ${a.name}'s ledger_schema)`,
            fix: 'seed only declared entity types, each with its id field',
          });
  });
  return out;
}
