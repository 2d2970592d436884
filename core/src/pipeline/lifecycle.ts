import type { PreparedAgent } from '../agents/kind.js';
import { agentKindOf } from '../agents/registry.js';
import { checksOf } from '../config/expect.js';
import { SecretUnresolved } from '../config/secrets.js';
import type { Task, TaskScenario } from '../config/tasks.js';
import type { JudgeTarget } from '../grading/judge.js';
import { notApplicable } from '../grading/judge.js';
import { RunBudget } from '../gateway/budget.js';
import type { ModelRelay } from '../models/relay.js';
import type { JudgeCard, MultiTurnRecord, RunError, TrajectoryStep } from '../results/record.js';
import { failure, RunFailure } from '../results/run-failure.js';
import type { SandboxDriver, SandboxLimits } from '../sandbox/driver.js';
import type { AgentAdapter } from '../session/adapter.js';
import { emptyOutcome, type AgentOutcome } from '../session/outcome.js';
import { seedSpec as scenarioSeed, Session, type SeedSpec } from '../session/session.js';
import type { ToolDesk } from '../tools/tool-desk.js';
import type { Redactor } from '../results/redact.js';
import {
  collectArtifacts,
  makeResultsDir,
  type ArtifactCaps,
  type CollectedArtifacts,
} from '../workspace/artifacts.js';
import { WorkspaceSeedError, type SeededWorkspace } from '../workspace/seed.js';
import { collect } from './collect.js';
import { converse, type ConversationPlan } from './conversation.js';
import { grade } from './grade.js';
import { PhaseClock, type PhaseName } from './phases.js';
import { modelCallStep } from './record.js';
import { openWorld, toolsRegisteredCheck } from './world.js';

/** One run to take: a task, an agent, a trial; and its session's shape when multi-turn. */
export interface RunPlan {
  runId: string;
  task: Task;
  agent: PreparedAgent;
  /** A failure of this run found before it started (its persona's simulator model). */
  error?: RunError;
  /** Seeds the failure rules' generator (suite, task, trial): a run is reproducible. */
  seed?: string;
  /** Sessions of a multi_turn suite: the user side, the cap, the memory mode. */
  multi?:
    (NonNullable<ConversationPlan['multi']> & { simulator_mode: 'persona' | 'scripted' }) | null;
}

/** What the suite resolved once and every run of it shares. */
export interface LifecycleDeps {
  driver: SandboxDriver;
  relay: ModelRelay;
  limits: SandboxLimits;
  judge: JudgeTarget | null;
  /** The tool and user simulator's model, when the suite resolved one. */
  simulator?: JudgeTarget | null;
  /** A suite-wide failure found before any run (an unresolved judge or simulator model). */
  suiteError?: RunError;
  workspaceFor(sc: TaskScenario): Promise<SeededWorkspace>;
  /** A fresh gateway token, already known to the redactor. */
  newToken(): string;
  signal?: AbortSignal;
  deferTeardown?: (p: Promise<unknown>) => void;
  /** Live progress of a run: its phases as they start and end, its model calls as made. */
  onProgress?: (p: Progress) => void;
  /** How /app/results is collected: the suite's caps, and the redactor text passes through. */
  artifacts?: { caps?: ArtifactCaps; redactor?: Redactor };
}

/** One line of a run's live progress (RunEvent `progress`). */
export interface Progress {
  phase?: PhaseName;
  step?: TrajectoryStep;
  message: string;
}

/** What the lifecycle hands the record phase. */
export interface RunResult {
  outcome: AgentOutcome;
  judge: JudgeCard | null;
  multi: MultiTurnRecord | null;
}

/**
 * One run, top to bottom: resolve -> image -> open -> seed -> turns -> collect -> grade, each
 * phase timed and its failure classified by the clock; the record is built from what this
 * returns. A failure ends the phases that depend on it; the session is closed whatever happens.
 */
export async function runLifecycle(plan: RunPlan, deps: LifecycleDeps): Promise<RunResult> {
  const progress = deps.onProgress;
  const clock = new PhaseClock(
    progress &&
      ((phase, ms) =>
        progress({
          phase,
          message: ms === undefined ? `${phase} started` : `${phase} ended (${ms} ms)`,
        })),
  );
  let result: RunResult = { outcome: emptyOutcome(), judge: null, multi: null };
  let session: Session | undefined;
  let agent: AgentAdapter | undefined;
  let world: ToolDesk | undefined;
  let registered: ReturnType<typeof toolsRegisteredCheck> | undefined;
  let artifacts: CollectedArtifacts | undefined;
  /** Soft warnings of the lifecycle itself, added to whatever outcome the run ends with. */
  const notes: string[] = [];
  /**
   * Part of the collect phase, once a run: /app/results read out of the sandbox while it is
   * still there (after the turns, a timeout or a failed turn alike). Never fails the run: a
   * read that fails is the record's banner.
   */
  const readArtifacts = async (s: Session | undefined) => {
    if (artifacts || !s?.sandbox || deps.signal?.aborted) return;
    artifacts = await collectArtifacts(s.sandbox, deps.artifacts ?? {}).catch(
      (e): CollectedArtifacts => ({
        entries: [],
        files: new Map(),
        warnings: [],
        error: `collecting /app/results failed: ${String((e as Error)?.message ?? e).slice(0, 300)}`,
      }),
    );
  };
  try {
    const { kind, workspace } = await clock.run('resolve', () => resolve(plan, deps));
    const task = plan.task;
    agent = kind.adapter(plan.agent, {
      scenario: task.scenario?.config,
      ...(task.mission
        ? { runbook: { mission: task.mission, uploads: (task.uploads ?? []).map((u) => u.name) } }
        : {}),
      limits: deps.limits,
    });
    const image = await clock.run('image', async () => {
      if (agent!.sandboxed && !agent!.image)
        throw failure('internal_error', 'image_not_ready', `no image is ready for ${agent!.name}`);
      return agent!.image;
    });
    const seed = seedSpec(task, workspace);
    const budget = new RunBudget();
    session = await clock.run('open', async () => {
      world = openWorld(plan.agent, plan.task, {
        seed: plan.seed ?? plan.runId,
        coding: !!workspace,
        simulator: deps.simulator ?? null,
        budget,
      });
      const tools = world?.list() ?? [];
      registered =
        tools.length && agent!.toolsInFirstRequest?.(tools)
          ? toolsRegisteredCheck(tools.map((t) => t.name))
          : undefined;
      const opened = await Session.open({
        onFirstModelRequest: registered?.onFirstModelRequest,
        ...(progress
          ? {
              onModelCall: (c) =>
                progress({ step: modelCallStep(c), message: modelCallStep(c).summary }),
            }
          : {}),
        runId: plan.runId,
        token: deps.newToken(),
        relay: deps.relay,
        tools: world,
        budget,
        signal: deps.signal,
        sandbox: agent!.sandboxed
          ? {
              driver: deps.driver,
              image: image!,
              limits: deps.limits,
              mounts: Session.mountsFor([agent!], seed),
            }
          : undefined,
      });
      // Where the agent leaves artifacts, made before any agent code runs (makeResultsDir).
      if (opened.sandbox)
        await makeResultsDir(opened.sandbox).catch((e) => {
          notes.push(
            `/app/results could not be made in the sandbox (${String((e as Error)?.message ?? e).slice(0, 200)}): the agent may have had nowhere to leave artifacts`,
          );
        });
      return opened;
    });
    const s = session;
    if (seed) await clock.run('seed', () => s.seed(seed));
    const conversation = await clock.run('turns', () =>
      converse(
        s,
        agent!,
        {
          task: {
            id: task.id,
            user: task.user,
            behavior_instructions: task.behavior_instructions ?? null,
            initial_state: task.initial_state ?? null,
          },
          ...(plan.multi ? { multi: plan.multi } : {}),
        },
        deps.signal,
      ),
    );
    const memory = plan.multi?.memory_mode ?? 'replay';
    const collected = await clock.run('collect', async () => {
      const c = await collect(s, conversation, plan.multi ?? null, memory);
      await readArtifacts(s);
      return c;
    });
    result = { outcome: collected.outcome, judge: null, multi: collected.multi };
    if (artifacts) {
      result.outcome.artifacts = artifacts;
      result.outcome.soft_warnings.push(...artifacts.warnings);
    }
    if (world) result.outcome.world = world.outcome();
    const unregistered = registered?.failure();
    if (unregistered && result.outcome.status === 'completed')
      Object.assign(result.outcome, { status: 'failed', error: unregistered });
    if (workspace) result.outcome.soft_warnings.unshift(...workspace.warnings);
    outranked(result.outcome, s);
    if (!deps.signal?.aborted)
      result.judge = await clock.run('grade', () =>
        grade(s, result.outcome, {
          task: {
            user: task.user,
            behavior_instructions: judgedInstructions(task),
            expected_outcome: task.expected_outcome ?? 'completion',
          },
          scenario: task.scenario?.config,
          judge: deps.judge,
          checks: checksOf(task.expect),
          ...(collected.multi ? { transcript: collected.multi.transcript } : {}),
        }),
      );
  } catch (e) {
    if (!(e instanceof RunFailure)) throw e;
    result.outcome.status = 'failed';
    result.outcome.error = clock.error;
    if (deps.judge && !result.judge)
      result.judge = notApplicable('the agent failed before producing a final response');
    if (!result.outcome.artifacts) {
      // A failed turn or a timeout never reached the collect phase: its artifacts still count.
      const open = session;
      if (open?.sandbox && !deps.signal?.aborted)
        await clock.run('collect', () => readArtifacts(open));
      if (artifacts) {
        result.outcome.artifacts = artifacts;
        result.outcome.soft_warnings.push(...artifacts.warnings);
      }
    }
  } finally {
    await session?.close(agent ? [agent] : [], deps.deferTeardown);
  }
  result.outcome.soft_warnings.push(...notes);
  if (deps.signal?.aborted) cancelled(result.outcome);
  result.outcome.phases = { ...clock.ms, ...result.outcome.phases };
  return result;
}

/** The resolve phase: what must hold before any sandbox, else every run fails the same way. */
async function resolve(plan: RunPlan, deps: LifecycleDeps) {
  if (deps.suiteError) throw new RunFailure(deps.suiteError);
  if (plan.agent.error) throw new RunFailure(plan.agent.error);
  if (plan.error) throw new RunFailure(plan.error);
  const kind = agentKindOf(plan.agent.config);
  const sc = plan.task.scenario;
  if (kind.needsWorkspace && !sc && !plan.task.mission)
    throw failure(
      'contract_error',
      'in_sandbox_requires_workspace',
      `task ${plan.task.id} has no coding scenario or runbook: set scenario: or runbook: on the suite, or a scenario_ref/workspace_seed cell on its row`,
    );
  let workspace: SeededWorkspace | undefined;
  if (sc && kind.needsWorkspace) {
    try {
      workspace = await deps.workspaceFor(sc);
    } catch (e) {
      if (e instanceof SecretUnresolved)
        throw failure('contract_error', 'agent_secret_unresolved', e.message);
      if (e instanceof WorkspaceSeedError)
        throw failure('contract_error', 'workspace_seed_failed', e.message);
      throw e;
    }
  }
  return { kind, workspace };
}

/**
 * The seed phase's work: a coding scenario's workspace and/or a runbook run's /app with its
 * uploads; nothing to seed otherwise.
 */
function seedSpec(task: Task, workspace: SeededWorkspace | undefined): SeedSpec | undefined {
  const app = task.mission
    ? { uploads: (task.uploads ?? []).map((u) => ({ name: u.name, host: u.host })) }
    : undefined;
  if (!workspace && !app) return undefined;
  return {
    ...(workspace ? scenarioSeed(task.scenario!.config, workspace.packDir) : {}),
    ...(app ? { app } : {}),
  };
}

/** What the judge holds the run to: a runbook run's mission, then the task's instructions. */
function judgedInstructions(task: Task): string | null {
  const parts = [
    task.mission && `Runbook (the agent's mission, ${task.mission.name}):\n${task.mission.text}`,
    task.behavior_instructions,
  ].filter((p): p is string => !!p);
  return parts.length ? parts.join('\n\n') : null;
}

/** A limit the driver enforced by stopping the sandbox outranks whatever the turns concluded. */
function outranked(out: AgentOutcome, session: Session) {
  const hit = session.sandbox?.limitHit();
  if (!hit) return;
  out.status = 'failed';
  out.error = {
    class: 'contract_error',
    code: 'sandbox_disk_limit',
    message: `the sandbox wrote ${hit.usedMb} MiB, over its disk budget of ${hit.limitMb} MiB, and was stopped; have the agent write less (clean caches, write outside the workspace only what it needs) or raise sandbox.disk_mb in gauntlet.yaml`,
  };
}

function cancelled(out: AgentOutcome) {
  out.status = 'cancelled';
  out.error = null;
  out.soft_warnings.push(
    'cancelled before it finished (interrupted); nothing after that point was graded',
  );
}
