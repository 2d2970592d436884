import type { ScenarioConfig } from '../config/types.js';
import type { Check } from '../config/expect.js';
import { runChecks } from '../grading/checks.js';
import { scoreCriterion } from '../grading/criterion.js';
import { judge, notApplicable, type JudgeTarget } from '../grading/judge.js';
import { runScorers } from '../grading/scorers.js';
import type { JudgeCard, TranscriptEntry } from '../results/record.js';
import type { AgentOutcome } from '../session/outcome.js';
import type { Session } from '../session/session.js';

export interface GradePlan {
  task: {
    user: string;
    behavior_instructions: string | null;
    expected_outcome: 'completion' | 'refusal';
  };
  scenario?: ScenarioConfig;
  judge: JudgeTarget | null;
  /** Sessions: the judge grades the whole conversation (the session verdict). */
  transcript?: TranscriptEntry[];
  /** The task's `expect:` checks, the suite's first. */
  checks?: readonly Check[];
}

/**
 * The grade phase: the scenario's scorers inside the sandbox on the final state, the
 * `expect:` checks on the final response, tool calls and ledger, then the judge. Criteria
 * scored by the judge's model are paid to the judge. A failing scorer run keeps the run and
 * raises the "eval phase failed" banner; it never fails the run.
 */
export async function grade(
  session: Session,
  outcome: AgentOutcome,
  plan: GradePlan,
): Promise<JudgeCard | null> {
  const coding = outcome.coding;
  const task = {
    user_instruction: plan.task.user,
    behavior_instructions: plan.task.behavior_instructions,
  };
  // llm_judge scorers and checks alike are scored by the judge's model and paid to the judge.
  const t = plan.judge;
  const llm = t
    ? async (criterion: string, scale: number) => {
        const g = await scoreCriterion(t, criterion, scale, task, outcome);
        outcome.criteria_cost_usd = (outcome.criteria_cost_usd ?? 0) + g.cost_usd;
        return g;
      }
    : undefined;
  if (coding && outcome.status === 'completed' && session.sandbox) {
    try {
      coding.scorers = await runScorers(plan.scenario?.scorers ?? [], {
        sandbox: session.sandbox,
        finalResponse: outcome.final_response,
        changedPaths: coding.changed_paths,
        llm,
      });
    } catch (e) {
      coding.eval_error ??= `scorers failed: ${(e as Error).message.slice(0, 500)}`;
    }
  }
  if (plan.checks?.length && outcome.status === 'completed')
    outcome.checks = await runChecks(
      plan.checks,
      {
        final_response: outcome.final_response,
        tool_calls: outcome.tool_calls,
        ledger: outcome.world?.ledger.final ?? null,
        ...(outcome.artifacts ? { artifacts: outcome.artifacts } : {}),
      },
      { llm },
    );
  if (!plan.judge) return null;
  if (outcome.status !== 'completed' || outcome.final_response === null)
    return notApplicable(
      outcome.status === 'cancelled'
        ? 'the run was cancelled'
        : 'the agent failed before producing a final response',
    );
  return judge(plan.judge, {
    ...task,
    expected_outcome: plan.task.expected_outcome,
    outcome,
    ...(plan.transcript ? { transcript: plan.transcript } : {}),
  });
}
