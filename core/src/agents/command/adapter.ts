import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { AgentConfig, ScenarioConfig, ToolSpec } from '../../config/types.js';
import { DEFAULT_KEY } from '../../models/environment.js';
import { failure } from '../../results/run-failure.js';
import { agentImage } from '../image.js';
import type { AgentKind } from '../kind.js';
import { OUTCOME_BUDGETS } from '../../results/record-size.js';
import type { TrajectoryStep } from '../../results/record.js';
import { readSandboxText } from '../../sandbox/files.js';
import type { AgentAdapter, Mount } from '../../session/adapter.js';
import { APP_RESULTS, APP_UPLOADS, type Session } from '../../session/session.js';
import type { Mission } from '../../config/runbook.js';
import {
  emptyTurnOutcome,
  type Turn,
  type TurnInput,
  type TurnOutcome,
} from '../../session/types.js';
import { parseExecLog } from '../../trajectory/exec-log.js';
import { normaliseTranscript } from '../../trajectory/normalise.js';
import { shellStep } from '../../trajectory/steps.js';
import { boundJson, clipText, noCut, wasCut } from '../../util/bounded.js';
import { PROXY_PORT, sandboxEnv } from '../sandbox-env.js';
import { taskInputFor } from '../task-input.js';
import { mcpRegistration } from './mcp.js';
import { recognise, resumeCommand, whyNoResume, withFlags } from './presets.js';

const EXEC_LOG = '/tmp/.gauntlet/out/exec.log';
/** A CLI's transcript file, read back after its exec (timed out or not). */
const TRANSCRIPT_MAX_BYTES = 16 * 1024 * 1024;

export interface CommandAgentSpec {
  name: string;
  command: string;
  image: string;
  env: Record<string, string>;
  timeoutMs: number;
  mounts: Mount[];
  /** A coding run's scenario (its agent-mode setup goes in the brief); none for a runbook run. */
  scenario?: ScenarioConfig;
  /** A runbook run: the mission, and the base names of its uploads in /app/uploads/. */
  runbook?: { mission: Mission; uploads: string[] };
}

/** Steps from a transcript or log the agent's processes wrote, within the run's step budget. */
function boundSteps(steps: TrajectoryStep[], out: TurnOutcome): TrajectoryStep[] {
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

/**
 * The brief a CLI reads from $GAUNTLET_TASK_FILE. Turn 1 carries agent-mode setup instructions
 * first; a later turn is the new message alone when the CLI resumes its own session, and
 * otherwise carries the conversation so far, since nothing else would remember it. A runbook
 * run's brief names its uploads and results folder, and opens with the runbook itself when
 * the CLI takes no instructions of its own (`missionInBrief`).
 */
export function taskBrief(
  input: TurnInput,
  scenario: ScenarioConfig | undefined,
  resumed: boolean,
  runbook?: { mission: Mission; uploads: string[]; missionInBrief: boolean },
): string {
  const parts: string[] = [];
  if (runbook && !resumed) {
    if (runbook.missionInBrief)
      parts.push(
        `Your mission (the runbook ${runbook.mission.name}):\n\n${runbook.mission.text.trimEnd()}\n\n---\n`,
      );
    const files = runbook.uploads.length
      ? `The files uploaded for this task are in ${APP_UPLOADS}/: ${runbook.uploads.join(', ')}.`
      : `No files were uploaded for this task.`;
    parts.push(`${files} Write everything you produce under ${APP_RESULTS}/.\n`);
  }
  if (input.turn === 1 && scenario?.setup && scenario.setup.mode === 'agent')
    parts.push(
      `Before the task, set up the workspace by running:\n\n    ${scenario.setup.command}\n`,
    );
  const earlier = input.messages.slice(0, -1);
  if (earlier.length && !resumed) {
    parts.push('The conversation so far:\n');
    for (const m of earlier) parts.push(`${m.role === 'user' ? 'User' : 'You'}: ${m.content}\n`);
    parts.push('The user now says:\n');
  }
  parts.push(input.message);
  if (input.task.behavior_instructions) parts.push(`\n${input.task.behavior_instructions}`);
  return parts.join('\n') + '\n';
}

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
 * A shell-command agent on the session's seeded workspace (seed runbook 7): each turn runs the
 * command once; a recognised CLI's own transcript becomes the trajectory, anything else gets
 * the execve capture. The workspace snapshot after the turn is the session's.
 */
export class CommandAdapter implements AgentAdapter {
  readonly kind = 'command';
  readonly sandboxed = true;

  constructor(private readonly spec: CommandAgentSpec) {}

  get name() {
    return this.spec.name;
  }
  get image() {
    return this.spec.image;
  }
  get mounts() {
    return this.spec.mounts;
  }
  get resumable() {
    return !whyNoResume(recognise(this.spec.command).command);
  }

  /** A relayed CLI the tools are registered into must send them with its first request. */
  toolsInFirstRequest(tools: ToolSpec[]): boolean {
    const { preset } = recognise(this.spec.command);
    return !!preset?.relayed && !!mcpRegistration(preset.id, tools)?.registered;
  }

  async runTurn(session: Session, input: TurnInput, signal?: AbortSignal): Promise<TurnOutcome> {
    const out = emptyTurnOutcome();
    const sb = session.requireSandbox();
    const recognised = recognise(this.spec.command);
    const { preset, transcriptFile } = recognised;
    // The run's tools reach a recognised CLI as its MCP server `gauntlet`; any other command
    // runs without them (they stay at the proxy), and the run says so once.
    const mcp = mcpRegistration(preset?.id, session.spec.tools?.list() ?? []);
    const setup = mcp?.registered ? mcp.setup : undefined;
    if (mcp && !mcp.registered && input.turn === 1) out.soft_warnings.push(mcp.warning);
    // A runbook becomes the CLI's own instructions where it takes them, else heads the brief.
    const runbook = this.spec.runbook;
    const mission = runbook && preset?.mission;
    if (mission) await session.writeRunFile(mission.file, mission.encode(runbook.mission.text));
    const flags = [...(setup?.flags ?? []), ...(mission ? [mission.flag] : [])];
    const configured = flags.length ? withFlags(recognised.command, flags) : recognised.command;
    // A CLI that can continue its own session gets only the new message; one that cannot (or a
    // command whose flags forbid it) gets the conversation so far in its task file.
    const resumeId = input.resumeSessionId ?? null;
    const resumed = !!resumeId && !whyNoResume(configured);
    const command = resumed ? resumeCommand(configured, resumeId!) : configured;
    const taskFile = await session.writeRunFile(
      'task.md',
      taskBrief(
        input,
        this.spec.scenario,
        resumed,
        runbook && { ...runbook, missionInBrief: !mission },
      ),
    );
    await session.writeRunFile(
      'task.json',
      JSON.stringify({ task_input: taskInputFor(input, session.runId) }),
    );
    for (const [name, text] of Object.entries(setup?.runFiles ?? {}))
      await session.writeRunFile(name, text);
    const env = {
      ...this.spec.env,
      ...sandboxEnv(session.spec.token, taskFile),
      ...(preset?.env ?? {}),
      ...(setup?.env ?? {}),
      HOME: '/home/user',
      GAUNTLET_PROXY_PORT: String(PROXY_PORT),
      GAUNTLET_EXECLOG: EXEC_LOG,
    };
    if (setup?.prepare) {
      const p = await sb.exec(setup.prepare, {
        env,
        cwd: session.workdir,
        timeoutMs: 30_000,
        signal,
      });
      if (p.exitCode !== 0)
        out.soft_warnings.push(
          `Tools not registered: the MCP server could not be added to ${preset!.id}'s settings (${(p.stderr || p.stdout).trim().slice(-500)}); the run goes on without them`,
        );
    }
    // A recognised CLI writes its own transcript; anything else gets the execve capture.
    const argv = preset ? ['sh', '-c', command] : ['sh', '/gauntlet/runtime/capture.sh', command];
    const t0 = Date.now();
    const firstCall = session.gateway.modelCalls.length;
    const r = await sb.exec(['sh', '/gauntlet/runtime/start.sh', ...argv], {
      env,
      cwd: session.workdir,
      timeoutMs: this.spec.timeoutMs,
      signal,
    });
    out.agent_ms = Date.now() - t0;
    out.exitCode = r.exitCode;
    out.debug.stdout_tail = r.stdout.slice(-4000);
    out.debug.stderr_tail = r.stderr.slice(-4000);
    const at = new Date(t0).toISOString();
    if (preset) {
      // The sandbox outlives a timed-out exec, so a transcript file is still there to read.
      const transcript = transcriptFile
        ? ((await readSandboxText(sb, transcriptFile, TRANSCRIPT_MAX_BYTES)) ?? '')
        : r.stdout;
      // This turn's calls only: earlier turns' patches and tool results are not this transcript's.
      const calls = session.gateway.modelCalls.slice(firstCall);
      const n = normaliseTranscript(preset.transcript, transcript, calls);
      // The transcript is the CLI's own account; the exit code of the exec is the host's.
      out.steps = n.steps.length
        ? boundSteps(n.steps, out)
        : [
            {
              ...shellStep(
                at,
                command,
                r.stdout || r.stderr || undefined,
                r.timedOut ? null : r.exitCode,
              ),
              observed_by: 'host',
            },
          ];
      out.final_response =
        n.final_response === null
          ? null
          : clipText(n.final_response, OUTCOME_BUDGETS.finalResponse);
      out.agent_session_id = n.session_id ?? null;
      if (n.usage) out.cli_usage = n.usage;
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
      const log = (await readSandboxText(sb, EXEC_LOG, TRANSCRIPT_MAX_BYTES)) ?? '';
      const c = capturedSteps(command, r.exitCode, r.stdout, log, at);
      out.steps = boundSteps(c.steps, out);
      out.dropped_steps = c.dropped;
      out.final_response = r.stdout.trim().slice(-20_000) || null;
    }
    // A timed-out turn is failed, but what it left (transcript above, diff after) is kept.
    if (r.timedOut) {
      out.timedOut = true;
      out.status = 'failed';
      out.error = {
        class: 'agent_timeout',
        code: 'agent_timeout',
        message: `the command ran past its timeout of ${Math.round(this.spec.timeoutMs / 1000)} s; its processes were killed, its transcript and diff are kept`,
      };
    }
    return out;
  }

  /** Seeds: a non-zero exit is a failure only when the agent changed nothing this turn. */
  afterTurn(turn: Turn): void {
    const o = turn.outcome;
    if (turn.eval_error) return;
    if (o.status !== 'completed' || o.exitCode === 0 || o.exitCode === undefined) return;
    if (turn.diff?.diff) return;
    o.status = 'failed';
    o.error = {
      class: 'contract_error',
      code: 'agent_command_failed',
      message: `the command exited ${o.exitCode} and left an empty diff (an interactive prompt, a missing binary or a bad flag?)`,
      detail: (o.debug.stderr_tail || o.debug.stdout_tail || '').slice(-2000),
    };
  }
}

/** A recognised coding CLI brings its documented install line as an image layer (unless install_cli: false). */
export function withCliInstall(a: AgentConfig): AgentConfig {
  const preset = a.command ? recognise(a.command).preset : undefined;
  if (!preset || a.environment?.install_cli === false || a.environment?.cli_from_host) return a;
  const env = a.environment ?? {};
  return {
    ...a,
    environment: {
      ...env,
      system_packages: [
        ...new Set([...(env.system_packages ?? []), ...preset.install.system_packages]),
      ],
      dockerfile: [preset.install.dockerfile, env.dockerfile ?? ''].filter(Boolean).join('\n'),
    },
  };
}

/** Shell-command agents (seed runbook 7): a CLI's relay checked, its binary and image ready. */
export const commandKind: AgentKind = {
  kind: 'command',
  matches: (a) => !!a.command,
  needsWorkspace: true,
  needsSandbox: true,
  async prepare(p, ctx) {
    const a = p.config;
    if (!ctx.hasScenario)
      throw failure(
        'contract_error',
        'in_sandbox_requires_workspace',
        `agent "${a.name}" runs a shell command, which needs a coding scenario or a runbook; set scenario: or runbook: on the suite`,
      );
    const cli = recognise(a.command!);
    // The sandbox has no network: a CLI whose relay is not configured could only fail, after retries.
    const provider = cli.preset?.provider;
    if (provider && !ctx.providers.has(provider))
      throw failure(
        'contract_error',
        'agent_model_unresolved',
        `agent "${a.name}" runs ${cli.binary}, whose model calls go through the gateway's ${provider} relay, but no ${provider} provider is configured: set ${DEFAULT_KEY[provider]} or providers.${provider} in gauntlet.yaml`,
      );
    if (a.environment?.cli_from_host) {
      const host = resolve(ctx.agent.dir, a.environment.cli_from_host);
      if (!(await stat(host).catch(() => undefined))?.isFile())
        throw failure(
          'contract_error',
          'environment_setup_failed',
          `environment.cli_from_host ${a.environment.cli_from_host} is not a file on this runner (resolved to ${host})`,
        );
      p.mounts.push({
        host,
        container: `/usr/local/bin/${cli.binary || basename(host)}`,
        readonly: true,
      });
    }
    p.image = await agentImage(ctx.images, withCliInstall(a));
  },
  adapter: (p, run) =>
    new CommandAdapter({
      name: p.config.name,
      command: p.config.command!,
      image: p.image!,
      env: p.env,
      timeoutMs: p.timeoutMs,
      mounts: p.mounts,
      ...(run.scenario ? { scenario: run.scenario } : {}),
      ...(run.runbook ? { runbook: run.runbook } : {}),
    }),
};
