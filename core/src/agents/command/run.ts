import { randomBytes } from 'node:crypto';
import type { ScenarioConfig } from '../../config/types.js';
import { OUTCOME_BUDGETS } from '../../results/record-size.js';
import { boundJson, clipText, noCut, wasCut } from '../../util/bounded.js';
import { readReport } from '../report.js';
import { runScorers } from '../../grading/scorers.js';
import type { RunError, TrajectoryStep } from '../../results/record.js';
import { parseExecLog } from '../../trajectory/exec-log.js';
import { normaliseTranscript } from '../../trajectory/normalise.js';
import { shellStep } from '../../trajectory/steps.js';
import type { SeededWorkspace } from '../../workspace/seed.js';
import { PROXY_PORT, sandboxEnv, withRunSandbox, type SandboxRunContext } from '../sandbox-run.js';
import { emptyOutcome, type AgentOutcome, type TaskInput } from '../types.js';
import { recognise } from './presets.js';

const WS = '/home/user/workspace';
const RUNTIME = '/gauntlet/runtime/workspace.sh';

export interface CommandRunContext extends SandboxRunContext {
  command: string;
  scenario: ScenarioConfig;
  workspace: SeededWorkspace;
  /** Scores an llm_judge criterion with the suite's judge model, given the run so far. */
  criterion?: (
    criterion: string,
    scale: number,
    outcome: AgentOutcome,
  ) => Promise<{ score: number; reasoning: string; cost_usd: number }>;
}

function marker(stdout: string): Record<string, any> | undefined {
  const r = readReport(stdout);
  return r.ok ? r.value : undefined;
}

/**
 * The eval exec's output, framed by a boundary the host draws after the agent's processes are
 * gone: whatever the agent put in file names or contents cannot fake the paths or the diff.
 */
function evalOutput(stdout: string, boundary: string) {
  const paths = `\n@@GAUNTLET_PATHS_${boundary}@@\n`;
  const diff = `\n@@GAUNTLET_DIFF_${boundary}@@\n`;
  const end = `\n@@GAUNTLET_END_${boundary}@@`;
  const p = stdout.indexOf(paths);
  const d = stdout.indexOf(diff, p);
  const e = stdout.indexOf(end, d);
  if (p < 0 || d < 0 || e < 0) return undefined;
  const status = /^\{"status":"ok","diff_bytes":(\d+)\}/.exec(stdout.slice(e + end.length));
  if (!status) return undefined;
  return {
    paths: stdout
      .slice(p + paths.length, d)
      .split('\0')
      .filter(Boolean),
    diff: stdout.slice(d + diff.length, e),
    diffBytes: Number(status[1]),
  };
}

/** Steps from a transcript or log the agent's processes wrote, within the run's step budget. */
function boundSteps(steps: TrajectoryStep[], out: AgentOutcome): TrajectoryStep[] {
  const cut = noCut();
  const kept = boundJson(
    steps,
    { maxString: 16 * 1024, maxTotal: OUTCOME_BUDGETS.stepsBytes },
    cut,
  ) as TrajectoryStep[];
  if (wasCut(cut))
    out.soft_warnings.push(
      `the trajectory was cut to fit the run's ${OUTCOME_BUDGETS.stepsBytes} byte budget for steps`,
    );
  return kept.filter((s) => s && typeof s === 'object');
}

/** The brief a CLI reads from $GAUNTLET_TASK_FILE; agent-mode setup instructions go first. */
export function taskBrief(task: TaskInput, scenario: ScenarioConfig): string {
  const parts: string[] = [];
  if (scenario.setup && scenario.setup.mode === 'agent')
    parts.push(
      `Before the task, set up the workspace by running:\n\n    ${scenario.setup.command}\n`,
    );
  parts.push(task.user_instruction);
  if (task.behavior_instructions) parts.push(`\n${task.behavior_instructions}`);
  return parts.join('\n') + '\n';
}

const EXECLOG = '\n@@GAUNTLET_EXECLOG@@\n';

/**
 * Unrecognised CLIs: the command as one shell step with its output, then every program it ran
 * from the execve capture (capture.sh), with "output not captured" where that is true.
 */
function capturedSteps(
  command: string,
  exit: number,
  stdout: string,
  log: string,
  at: string,
): { steps: TrajectoryStep[]; dropped: number } {
  const top: TrajectoryStep = {
    at,
    type: 'shell',
    observed_by: 'host',
    summary: `$ ${command.slice(0, 200)} → exit ${exit}`,
    detail: {
      command,
      exit_code: exit,
      output: stdout ? stdout.slice(-4000) : 'output not captured',
      note: 'unrecognised command: coarse capture (call a known CLI binary directly for a rich trajectory)',
    },
  };
  const { steps, dropped } = parseExecLog(log, at);
  // The first exec is the capture's own `sh -c <command>`: already the top step.
  const rest = steps.filter(
    (s, i) => !(i === 0 && (s.detail as { argv: string[] }).argv[2] === command),
  );
  return { steps: [top, ...rest], dropped };
}

/**
 * A shell-command agent on a seeded workspace (seed runbook 7): seed and platform setup,
 * baseline commit, the command, then the diff against the baseline and the scorers. A failing
 * eval phase keeps the run and raises the banner.
 */
export async function runCommandAgent(
  ctx: CommandRunContext,
  task: TaskInput,
): Promise<AgentOutcome> {
  const out = emptyOutcome();
  const taskFile = '/gauntlet/run/task.md';
  out.soft_warnings.push(...ctx.workspace.warnings);
  const fail = (
    code: string,
    message: string,
    detail?: string,
    cls: RunError['class'] = 'contract_error',
  ) => {
    out.status = 'failed';
    out.error = { class: cls, code, message, ...(detail ? { detail } : {}) };
  };
  const files = {
    'task.md': taskBrief(task, ctx.scenario),
    'task.json': JSON.stringify({ task_input: task }),
  };
  await withRunSandbox(
    ctx,
    files,
    [{ host: ctx.workspace.packDir, container: '/gauntlet/workspace', readonly: true }],
    out,
    async (sandbox, gateway) => {
      const t1 = Date.now();
      const setup = ctx.scenario.setup;
      const seed = await sandbox.exec(['sh', RUNTIME, 'seed'], {
        env:
          setup && setup.mode !== 'agent'
            ? {
                GAUNTLET_PLATFORM_SETUP: setup.command,
                GAUNTLET_SETUP_TIMEOUT: String(setup.timeout ?? 600),
              }
            : {},
        timeoutMs: ((setup?.timeout ?? 600) + 60) * 1000,
        signal: ctx.signal,
      });
      const s = marker(seed.stdout);
      if (s?.status !== 'ok') {
        if (s?.status === 'setup_failed')
          fail('workspace_setup_failed', `the setup command exited ${s.exit_code}`, s.log);
        else
          fail(
            'workspace_seed_failed',
            'the workspace could not be unpacked in the sandbox',
            s?.log ?? (seed.stderr || seed.stdout).slice(-2000),
          );
        return;
      }
      const base = await sandbox.exec(['sh', RUNTIME, 'baseline'], {
        user: '0:0',
        timeoutMs: 300_000,
      });
      const b = marker(base.stdout);
      if (b?.status !== 'ok') {
        fail(
          'workspace_setup_failed',
          'the baseline commit failed (files the setup left unreadable?)',
          b?.log ?? base.stderr.slice(-2000),
        );
        return;
      }
      out.phases.setup_ms = Date.now() - t1;

      const { preset, command, transcriptFile } = recognise(ctx.command);
      const t2 = Date.now();
      const env = {
        ...ctx.env,
        ...sandboxEnv(ctx.token, taskFile),
        ...(preset?.env ?? {}),
        HOME: '/home/user',
        GAUNTLET_PROXY_PORT: String(PROXY_PORT),
      };
      // A recognised CLI writes its own transcript; anything else gets the execve capture.
      const argv = preset ? ['sh', '-c', command] : ['sh', '/gauntlet/runtime/capture.sh', command];
      const r = await sandbox.exec(['sh', '/gauntlet/runtime/start.sh', ...argv], {
        env,
        cwd: WS,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
      });
      const cut = preset ? -1 : r.stdout.lastIndexOf(EXECLOG);
      const stdout = cut >= 0 ? r.stdout.slice(0, cut) : r.stdout;
      out.phases.agent_ms = Date.now() - t2;
      out.debug.stdout_tail = stdout.slice(-4000);
      out.debug.stderr_tail = r.stderr.slice(-4000);
      const at = new Date(t2).toISOString();
      if (preset) {
        // The sandbox outlives a timed-out exec, so its transcript file is still there to read.
        const transcript = transcriptFile
          ? (await sandbox.exec(['cat', transcriptFile], { timeoutMs: 30_000 })).stdout
          : stdout;
        const n = normaliseTranscript(preset.transcript, transcript, [...gateway.modelCalls]);
        // The transcript is the CLI's own account; the exit code of the exec is the host's.
        out.steps = n.steps.length
          ? boundSteps(n.steps, out)
          : [
              {
                ...shellStep(
                  at,
                  command,
                  stdout || r.stderr || undefined,
                  r.timedOut ? null : r.exitCode,
                ),
                observed_by: 'host',
              },
            ];
        out.final_response =
          n.final_response === null
            ? null
            : clipText(n.final_response, OUTCOME_BUDGETS.finalResponse);
        out.coding = {
          diff: null,
          changed_paths: [],
          scorers: [],
          ...(n.usage ? { cli_usage: n.usage } : {}),
        };
        for (const e of n.errors ?? [])
          out.soft_warnings.push(`${preset.id} reported: ${e.slice(0, 500)}`);
        if (!n.steps.length)
          out.soft_warnings.push(
            `no ${preset.transcript} transcript was found in the ${preset.id} output; the trajectory is the command alone`,
          );
        if (!preset.relayed)
          out.soft_warnings.push(
            `${preset.id} talks to its vendor's own backend: its model calls are not relayed or recorded by the gateway, and the sandbox needs egress to reach it`,
          );
      } else {
        const c = capturedSteps(
          command,
          r.exitCode,
          stdout,
          cut >= 0 ? r.stdout.slice(cut + EXECLOG.length) : '',
          at,
        );
        out.steps = boundSteps(c.steps, out);
        out.dropped_steps = c.dropped;
        out.final_response = stdout.trim().slice(-20_000) || null;
      }
      // A timed-out run is failed, but what it left (transcript above, diff below) is kept.
      if (r.timedOut)
        fail(
          'agent_timeout',
          `the command ran past its timeout of ${Math.round(ctx.timeoutMs / 1000)} s; its processes were killed, its transcript and diff are kept`,
          undefined,
          'agent_timeout',
        );

      // Eval phase: a failure here keeps the run (banner), it does not fail it.
      const t3 = Date.now();
      const coding = (out.coding ??= { diff: null, changed_paths: [], scorers: [] });
      const boundary = randomBytes(16).toString('hex');
      const ev = await sandbox.exec(['sh', RUNTIME, 'eval'], {
        env: { GAUNTLET_BOUNDARY: boundary },
        timeoutMs: 300_000,
      });
      const e = evalOutput(ev.stdout, boundary);
      if (!e)
        coding.eval_error = `diff capture failed: ${(marker(ev.stdout)?.log ?? ev.stderr).slice(-500)}`;
      else {
        coding.changed_paths = e.paths;
        coding.diff = e.diff.trim() ? e.diff : null;
        if (e.diffBytes > e.diff.length + 1)
          coding.diff += `\n[diff truncated: ${e.diffBytes} bytes in all; the first ${e.diff.length} are shown]\n`;
      }
      if (r.timedOut) return;
      // Criteria are graded by the judge model: their cost is the judge's, and lands in the record.
      const scoredCriterion = async (c: string, scale: number) => {
        const g = await ctx.criterion!(c, scale, out);
        coding.criteria_cost_usd = (coding.criteria_cost_usd ?? 0) + g.cost_usd;
        return g;
      };
      coding.scorers = await runScorers(ctx.scenario.scorers ?? [], {
        sandbox,
        finalResponse: out.final_response,
        changedPaths: coding.changed_paths,
        llm: ctx.criterion ? (c, scale) => scoredCriterion(c, scale) : undefined,
      });
      out.phases.eval_ms = Date.now() - t3;
      // Seeds: a non-zero exit is a failure only when the agent changed nothing.
      if (r.exitCode !== 0 && !coding.diff)
        fail(
          'agent_command_failed',
          `the command exited ${r.exitCode} and left an empty diff (an interactive prompt, a missing binary or a bad flag?)`,
          (r.stderr || r.stdout).slice(-2000),
        );
    },
  );
  return out;
}
