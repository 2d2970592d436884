import { PassThrough } from 'node:stream';
import { OUTCOME_BUDGETS } from '../../results/record-size.js';
import type { ExecResult } from '../../sandbox/driver.js';
import { readSandboxFile, readSandboxText } from '../../sandbox/files.js';
import type { AgentAdapter, Mount } from '../../session/adapter.js';
import type { Session } from '../../session/session.js';
import { emptyTurnOutcome, type TurnInput, type TurnOutcome } from '../../session/types.js';
import { boundJson, clipText, noCut, wasCut } from '../../util/bounded.js';
import { readReport, type HarnessReport } from '../report.js';
import { sandboxEnv } from '../sandbox-env.js';
import { taskInputFor } from '../task-input.js';
import { badReport, classify, reportedAt, toSteps, type RawStep } from './classify.js';
import { SecretUnresolved } from '../../config/secrets.js';
import { failure } from '../../results/run-failure.js';
import { agentImage } from '../image.js';
import type { AgentKind } from '../kind.js';
import { AgentCodeError, materialiseCode, type AgentCode } from './source.js';

/** Where the harness leaves its reports (and start.sh what failed before it). */
const OUT = '/tmp/.gauntlet/out';
/** A report larger than this is not one the harness wrote (its own parts are bounded). */
const REPORT_MAX_BYTES = 32 * 1024 * 1024;

export interface PythonAgentSpec {
  name: string;
  image: string;
  code: AgentCode;
  env: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  setupCommand?: string;
}

/** A later turn of a stateful session whose process is gone: its memory went with it. */
function processGone(result: ExecResult): TurnOutcome {
  const out = emptyTurnOutcome();
  out.status = 'failed';
  out.exitCode = result.exitCode;
  out.error = {
    class: 'contract_error',
    code: 'agent_process_died',
    message: `the session's agent process ended in an earlier turn (exit ${result.exitCode}); a stateful session has no memory left to go on with`,
  };
  return out;
}

/** The session's one live harness process, in stateful mode. */
interface LiveProcess {
  stdin: PassThrough;
  ended: Promise<ExecResult>;
  result?: ExecResult;
}

/**
 * A Python-function agent. Each turn hands the in-sandbox harness one line on its stdin and
 * reads the turn's report from the file the harness wrote. Replay and one-shot turns run a
 * process of their own; in stateful mode one process serves every turn of the session, so
 * the agent's module globals are its memory.
 */
export class PythonAdapter implements AgentAdapter {
  readonly kind = 'python';
  readonly sandboxed = true;
  readonly mounts: Mount[];
  private live?: LiveProcess;

  constructor(private readonly spec: PythonAgentSpec) {
    this.mounts = [{ host: spec.code.packDir, container: '/gauntlet/code', readonly: true }];
  }

  get name() {
    return this.spec.name;
  }

  get image() {
    return this.spec.image;
  }

  private env(session: Session): Record<string, string> {
    const s = this.spec;
    return {
      ...s.env,
      ...sandboxEnv(session.spec.token, '/gauntlet/run/task.json'),
      GAUNTLET_AGENT_SPEC: JSON.stringify({
        entrypoint: s.code.entrypoint,
        entrypoint_file: s.code.entrypointFile,
      }),
      GAUNTLET_AGENT_CODE: '/gauntlet/code/code.tar',
      PYTHONDONTWRITEBYTECODE: '1',
      ...(s.setupCommand ? { GAUNTLET_SETUP_COMMAND: s.setupCommand } : {}),
    };
  }

  private argv() {
    return [
      'sh',
      '/gauntlet/runtime/start.sh',
      'python3',
      '-P',
      '/gauntlet/runtime/python_harness.py',
    ];
  }

  async runTurn(session: Session, input: TurnInput, signal?: AbortSignal): Promise<TurnOutcome> {
    const line =
      JSON.stringify({ turn: input.turn, task_input: taskInputFor(input, session.runId) }) + '\n';
    const t0 = Date.now();
    const { exit, timedOut } =
      input.memory === 'stateful'
        ? await this.liveTurn(session, input.turn, line, signal)
        : await this.ownProcessTurn(session, line, signal);
    const out = exit?.dead
      ? processGone(exit.result)
      : await this.read(session, input.turn, exit?.result, timedOut);
    out.agent_ms = Date.now() - t0;
    return out;
  }

  /** One-shot and replay turns: a process of their own, given one line and then EOF. */
  private async ownProcessTurn(session: Session, line: string, signal?: AbortSignal) {
    const result = await session.requireSandbox().exec(this.argv(), {
      env: this.env(session),
      stdin: line,
      timeoutMs: this.spec.timeoutMs,
      signal,
    });
    return { exit: { result, dead: false }, timedOut: result.timedOut };
  }

  /**
   * Stateful turns: the session's one process takes the line; the turn ends at the harness's
   * signal, the process's end, or the timeout, which stops every process of the agent's user.
   */
  private async liveTurn(session: Session, turn: number, line: string, signal?: AbortSignal) {
    const live = (this.live ??= this.start(session, signal));
    if (live.result) return { exit: { result: live.result, dead: true }, timedOut: false };
    live.stdin.write(line);
    let timer: NodeJS.Timeout | undefined;
    const said = await Promise.race([
      session.gateway.turnDone(turn).then(() => 'done' as const),
      live.ended.then(() => 'ended' as const),
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.spec.timeoutMs))),
    ]);
    clearTimeout(timer);
    if (said === 'timeout') await session.stopAgentProcesses();
    const result = said === 'done' ? undefined : await live.ended;
    return {
      exit: result ? { result, dead: false } : undefined,
      timedOut: said === 'timeout',
    };
  }

  private start(session: Session, signal?: AbortSignal): LiveProcess {
    const stdin = new PassThrough();
    const live: LiveProcess = {
      stdin,
      ended: session
        .requireSandbox()
        .exec(this.argv(), { env: this.env(session), stdin, signal })
        .then((r) => (live.result = r)),
    };
    return live;
  }

  async close(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    live.stdin.end();
    await live.ended.catch(() => undefined);
  }

  /**
   * The turn's report: the copy the harness posted with its signal when there was exactly one
   * post, else the file itself, read through the archive endpoint.
   */
  private async report(session: Session, turn: number): Promise<HarnessReport> {
    const signal = session.gateway.turnSignal(turn);
    if (signal && signal.posts > 1)
      return {
        ok: false,
        problem: `the turn was reported ${signal.posts} times (only the harness may report it once)`,
      };
    if (signal?.report !== undefined) return readReport(signal.report);
    const file = await readSandboxFile(
      session.requireSandbox(),
      `${OUT}/turn-${turn}.json`,
      REPORT_MAX_BYTES,
    );
    return file && file.size > file.data.length
      ? { ok: false, problem: `the report is over ${REPORT_MAX_BYTES} bytes` }
      : readReport(file?.data.toString('utf8'));
  }

  /**
   * Status and error class are the host's call: a timeout, the memory killer and the exit
   * status are observed here; what the report says is a claim checked against them.
   */
  private async read(
    session: Session,
    turn: number,
    exit: ExecResult | undefined,
    timedOut: boolean,
  ): Promise<TurnOutcome> {
    const out = emptyTurnOutcome();
    const sb = session.requireSandbox();
    const fail = (e: TurnOutcome['error']) => ((out.status = 'failed'), (out.error = e), out);
    if (exit) out.exitCode = exit.exitCode;
    if (timedOut) {
      out.timedOut = true;
      return fail({
        class: 'agent_timeout',
        code: 'agent_timeout',
        message: `the agent ran past its timeout of ${Math.round(this.spec.timeoutMs / 1000)} s; its processes were killed`,
      });
    }
    const seen = session.gateway.connections > 0;
    // What start.sh found before the harness (exit 3: code not unpacked, 4: setup failed).
    if (exit && (exit.exitCode === 3 || exit.exitCode === 4)) {
      const start = readReport(await readSandboxText(sb, `${OUT}/start.json`, 64 * 1024));
      if (start.ok) {
        classify(out, start.value, seen, exit.exitCode);
        return out;
      }
    }
    const report = await this.report(session, turn);
    if (!report.ok) {
      const code = exit?.exitCode;
      const oom = code === 137 || (await sb.oomKilled());
      const tail = clipText(((exit?.stderr ?? '') + (exit?.stdout ?? '')).slice(-2000), 2000);
      if (oom)
        return fail({
          class: 'contract_error',
          code: 'agent_resource_limit',
          message: `the agent process was killed (exit ${code}), most likely by the ${this.spec.memoryMb} MiB memory limit`,
          detail: tail,
        });
      if (report.problem === 'no report')
        return fail({
          class: 'contract_error',
          code: 'agent_process_died',
          message: `the agent's process ended (exit ${code}) before the harness could report: it exited or was killed from inside`,
          detail: tail,
        });
      return fail(badReport(report.problem, code));
    }
    const v = report.value;
    const stepCut = noCut();
    const rawSteps = boundJson(
      Array.isArray(v.steps) ? v.steps : [],
      { maxString: 4000, maxTotal: OUTCOME_BUDGETS.stepsBytes },
      stepCut,
    ) as RawStep[];
    out.steps = toSteps(
      rawSteps.filter(
        (s) =>
          s &&
          typeof s === 'object' &&
          typeof s.type === 'string' &&
          s.detail &&
          typeof s.detail === 'object',
      ),
    );
    if (wasCut(stepCut))
      out.soft_warnings.push(
        `the reported trajectory was cut to fit the run's ${OUTCOME_BUDGETS.stepsBytes} byte budget for steps`,
      );
    out.dropped_steps = Number(v.dropped_steps) || 0;
    out.debug.stdout_tail = clipText(String(v.stdout_tail ?? ''), OUTCOME_BUDGETS.tail);
    out.debug.stderr_tail = clipText(String(v.stderr_tail ?? ''), OUTCOME_BUDGETS.tail);
    classify(out, v, seen, exit?.exitCode);
    if (out.final_response !== null)
      out.steps.push({
        at: reportedAt(v),
        type: 'final_response',
        summary: out.final_response.slice(0, 200),
        observed_by: 'agent',
      });
    return out;
  }
}

/** Python-function agents (seed runbooks 1-3): code fetched and packed, an image built. */
export const pythonKind: AgentKind = {
  kind: 'python',
  matches: (a) => !!a.python,
  needsWorkspace: false,
  needsSandbox: true,
  async prepare(p, ctx) {
    try {
      p.code = await materialiseCode(ctx.agent, ctx.secrets, {
        allowHosts: ctx.project.value.allow_private_git_hosts,
      });
    } catch (e) {
      if (e instanceof AgentCodeError)
        throw failure('contract_error', 'agent_code_fetch_failed', e.message);
      if (e instanceof SecretUnresolved)
        throw failure('contract_error', 'agent_secret_unresolved', e.message);
      throw e;
    }
    p.image = await agentImage(ctx.images, p.config);
  },
  adapter: (p, run) =>
    new PythonAdapter({
      name: p.config.name,
      image: p.image!,
      code: p.code!,
      env: p.env,
      timeoutMs: p.timeoutMs,
      memoryMb: run.limits.memoryMb,
      setupCommand: p.config.environment?.setup_command,
    }),
};
