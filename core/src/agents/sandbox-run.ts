import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Gateway } from '../gateway/server.js';
import type { ToolDecl } from '../config/types.js';
import type { ModelRelay } from '../models/relay.js';
import type { ModelCall } from '../models/wire.js';
import type { Sandbox, SandboxDriver, SandboxLimits } from '../sandbox/driver.js';
import { packageRoot } from '../util/paths.js';
import type { AgentOutcome } from './types.js';
import { ownedTempDir } from '../util/temp.js';

type Mount = { host: string; container: string; readonly: boolean };

/** Port the in-sandbox forwarder listens on; each sandbox has its own network namespace. */
export const PROXY_PORT = 8787;

export interface SandboxRunContext {
  runId: string;
  token: string;
  image: string;
  driver: SandboxDriver;
  relay: ModelRelay;
  limits: SandboxLimits;
  timeoutMs: number;
  env: Record<string, string>;
  tools: ToolDecl[];
  setupCommand?: string;
  /** Extra read-only host files (a coding CLI from the runner). */
  extraMounts?: { host: string; container: string; readonly: boolean }[];
  /** Cancels the run (Ctrl-C): its sandbox is killed and the run ends as cancelled. */
  signal?: AbortSignal;
  /** Takes sandbox removal off the critical path; the runner awaits it before finishing. */
  deferTeardown?: (p: Promise<unknown>) => void;
}

/** The environment every sandboxed agent sees: the gateway, its aliases, and model base URLs. */
export function sandboxEnv(token: string, taskFile: string): Record<string, string> {
  const proxy = `http://127.0.0.1:${PROXY_PORT}`;
  return {
    GAUNTLET_PROXY_URL: proxy,
    GAUNTLET_RUN_TOKEN: token,
    GAUNTLET_TASK_FILE: taskFile,
    GAUNTLET_PROXY_PORT: String(PROXY_PORT),
    PIPELINES_ODYSSEY_PROXY_URL: proxy,
    PIPELINES_RUN_TOKEN: token,
    PIPELINES_TASK_FILE: taskFile,
    // SDKs pointed at the gateway: the run token stands in for the provider key, which stays on the host.
    ANTHROPIC_BASE_URL: proxy,
    ANTHROPIC_API_KEY: token,
    OPENAI_BASE_URL: `${proxy}/v1`,
    OPENAI_API_KEY: token,
    GOOGLE_GEMINI_BASE_URL: proxy,
    GEMINI_API_KEY: token,
  };
}

/**
 * The frame every sandboxed run shares: a run folder (task files and the gateway's socket,
 * mounted read-only at /gauntlet/run), the run's own gateway, a hardened sandbox with the
 * runtime mounted, and a teardown that collects the gateway's records into the outcome.
 */
export async function withRunSandbox(
  ctx: SandboxRunContext,
  files: Record<string, string>,
  mounts: Mount[],
  out: AgentOutcome,
  body: (
    sandbox: Sandbox,
    gateway: { readonly modelCalls: readonly ModelCall[]; readonly connections: number },
  ) => Promise<void>,
): Promise<void> {
  const t0 = Date.now();
  const runDir = await ownedTempDir('run');
  await chmod(runDir, 0o755);
  for (const [name, text] of Object.entries(files))
    await writeFile(join(runDir, name), text, { mode: 0o644 });
  const gateway = await new Gateway({
    listen: { socket: join(runDir, 'gw.sock') },
    token: ctx.token,
    relay: ctx.relay,
    tools: ctx.tools,
  }).start();
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await ctx.driver.create({
      image: ctx.image,
      runId: ctx.runId,
      limits: ctx.limits,
      mounts: [
        { host: runDir, container: '/gauntlet/run', readonly: true },
        {
          host: join(packageRoot(), 'core/runtime'),
          container: '/gauntlet/runtime',
          readonly: true,
        },
        ...mounts,
        ...(ctx.extraMounts ?? []),
      ],
    });
    out.phases.sandbox_ms = Date.now() - t0;
    await body(sandbox, gateway);
    // A limit the driver enforced by stopping the sandbox outranks whatever the body concluded.
    const hit = sandbox.limitHit();
    if (hit) {
      out.status = 'failed';
      out.error = {
        class: 'contract_error',
        code: 'sandbox_disk_limit',
        message: `the sandbox wrote ${hit.usedMb} MiB, over its disk budget of ${hit.limitMb} MiB, and was stopped; have the agent write less (clean caches, write outside the workspace only what it needs) or raise sandbox.disk_mb in gauntlet.yaml`,
      };
    }
  } catch (e) {
    out.status = 'failed';
    out.error = {
      class: 'internal_error',
      code: 'sandbox_start_failed',
      message: (e as Error).message,
    };
  } finally {
    if (ctx.signal?.aborted) {
      out.status = 'cancelled';
      out.error = null;
      out.soft_warnings.push(
        'cancelled before it finished (interrupted); nothing after that point was graded',
      );
    }
    await gateway.close();
    out.model_calls = gateway.modelCalls;
    out.tool_calls = gateway.toolCalls;
    out.trace_events = gateway.traceEvents;
    out.soft_warnings.push(...gateway.budget.notes());
    const teardown = Promise.all([
      sandbox?.destroy(),
      rm(runDir, { recursive: true, force: true }),
    ]);
    if (ctx.deferTeardown) ctx.deferTeardown(teardown);
    else await teardown;
  }
}
