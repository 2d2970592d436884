import type { TrajectoryStep } from '../../results/record.js';
import { sandboxEnv, withRunSandbox, type SandboxRunContext } from '../sandbox-run.js';
import { emptyOutcome, type AgentOutcome, type TaskInput } from '../types.js';
import type { AgentCode } from './source.js';

const MARKER = '@@GAUNTLET_RESULT@@';


function toSteps(raw: { type: string; t: number; detail: Record<string, unknown>; count?: number }[]): TrajectoryStep[] {
  return raw.map((s) => {
    const d = s.detail;
    const summary =
      s.type === 'process' ? `$ ${(d.argv as string[]).join(' ')}`
      : s.type === 'file_read' ? `read ${d.path}`
      : s.type === 'file_write' ? `write ${d.path}`
      : s.type === 'file_op' ? `${d.op} ${d.path}`
      : s.type === 'http' ? `connect ${d.host}:${d.port}`
      : s.type === 'http_request' ? String(d.request)
      : `connect ${d.address}`;
    return { at: new Date(s.t * 1000).toISOString(), type: s.type as TrajectoryStep['type'], summary, ...(s.count ? { count: s.count } : {}), detail: d };
  });
}

/** Runs a Python-function agent in a fresh hardened sandbox behind its own gateway. */
export async function runPythonAgent(ctx: SandboxRunContext, code: AgentCode, task: TaskInput): Promise<AgentOutcome> {
  const out = emptyOutcome();
  const taskFile = '/gauntlet/run/task.json';
  await withRunSandbox(ctx, { 'task.json': JSON.stringify({ task_input: task }) }, [{ host: code.packDir, container: '/gauntlet/code', readonly: true }], out, async (sandbox) => {
    const env = {
      ...ctx.env,
      ...sandboxEnv(ctx.token, taskFile),
      GAUNTLET_AGENT_SPEC: JSON.stringify({ entrypoint: code.entrypoint, entrypoint_file: code.entrypointFile }),
      GAUNTLET_AGENT_CODE: '/gauntlet/code/code.tar',
      PYTHONDONTWRITEBYTECODE: '1',
      ...(ctx.setupCommand ? { GAUNTLET_SETUP_COMMAND: ctx.setupCommand } : {}),
    };
    const t1 = Date.now();
    const r = await sandbox.exec(['sh', '/gauntlet/runtime/start.sh', 'python3', '-P', '/gauntlet/runtime/python_harness.py'], { env, timeoutMs: ctx.timeoutMs });
    out.phases.agent_ms = Date.now() - t1;
    const idx = r.stdout.lastIndexOf(MARKER);
    let result: any;
    if (idx >= 0) {
      try {
        result = JSON.parse(r.stdout.slice(idx + MARKER.length).split('\n')[0]);
      } catch {
        /* classified below */
      }
    }
    if (r.timedOut) {
      out.status = 'failed';
      out.error = { class: 'agent_timeout', code: 'agent_timeout', message: `the agent ran past its timeout of ${Math.round(ctx.timeoutMs / 1000)} s and was killed with its sandbox` };
    } else if (!result) {
      const oom = r.exitCode === 137 || (await sandbox.oomKilled());
      out.status = 'failed';
      out.error = oom
        ? { class: 'contract_error', code: 'agent_resource_limit', message: `the agent process was killed (exit ${r.exitCode}), most likely by the ${ctx.limits.memoryMb} MiB memory limit`, detail: r.stderr.slice(-2000) }
        : { class: 'internal_error', code: 'sandbox_exec_failed', message: `the sandbox exited ${r.exitCode} without a result`, detail: (r.stderr + r.stdout).slice(-2000) };
    } else {
      out.steps = toSteps(result.steps ?? []);
      out.dropped_steps = result.dropped_steps ?? 0;
      out.debug.stdout_tail = result.stdout_tail;
      out.debug.stderr_tail = result.stderr_tail;
      switch (result.status) {
        case 'ok':
          out.final_response = result.final_response;
          if (result.extra && Object.keys(result.extra).length) out.debug.raw_response = JSON.stringify(result.extra).slice(0, 20000);
          break;
        case 'exception':
          // Graded, not an infrastructure failure (seed runbook 1).
          out.final_response = `The agent raised ${result.exc_type}: ${result.message}`;
          out.debug.exception = { type: result.exc_type, message: result.message, traceback: result.traceback };
          out.steps.push({ at: result.finished_at ? new Date(result.finished_at * 1000).toISOString() : new Date().toISOString(), type: 'exception', summary: `${result.exc_type}: ${result.message}`.slice(0, 300) });
          out.soft_warnings.push(`the agent raised ${result.exc_type} during ${result.phase}; graded as its response`);
          break;
        case 'probe_failed':
          out.status = 'failed';
          out.error = { class: 'contract_error', code: 'entrypoint_probe_failed', message: result.message };
          break;
        case 'contract_error':
          out.status = 'failed';
          out.error = { class: 'contract_error', code: 'contract_error', message: result.message };
          break;
        case 'setup_failed':
          out.status = 'failed';
          out.error = { class: 'contract_error', code: 'environment_setup_failed', message: `the setup command exited ${result.exit_code}`, detail: result.log };
          break;
        case 'proxy_unreachable':
          out.status = 'failed';
          out.error = { class: 'proxy_misconfigured', code: 'proxy_misconfigured', message: result.message };
          break;
        default:
          out.status = 'failed';
          out.error = { class: 'internal_error', code: String(result.status), message: `sandbox reported ${result.status}` };
      }
      const endedAt = result.finished_at ? new Date(result.finished_at * 1000).toISOString() : new Date().toISOString();
      if (out.final_response !== null) out.steps.push({ at: endedAt, type: 'final_response', summary: out.final_response.slice(0, 200) });
    }
  });
  return out;
}
