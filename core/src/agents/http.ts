import type { RunError } from '../results/record.js';
import type { AgentAdapter } from '../session/adapter.js';
import type { Session } from '../session/session.js';
import { emptyTurnOutcome, type TurnInput, type TurnOutcome } from '../session/types.js';
import { taskInputFor } from './task-input.js';
import type { AgentKind } from './kind.js';
import type { TaskInput } from './types.js';

export interface HttpAgentSpec {
  name: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * An HTTP endpoint agent: no sandbox; each turn is one POST, which carries the session id (the
 * endpoint keeps its own memory by it in stateful mode) and, in replay mode, the transcript.
 */
export class HttpAdapter implements AgentAdapter {
  readonly kind = 'http';
  readonly sandboxed = false;
  readonly mounts = [];

  constructor(private readonly spec: HttpAgentSpec) {}

  get name() {
    return this.spec.name;
  }

  runTurn(session: Session, input: TurnInput, signal?: AbortSignal): Promise<TurnOutcome> {
    return runHttpAgent(
      { ...this.spec, runId: session.runId, signal },
      taskInputFor(input, session.runId),
    );
  }
}

const TRANSIENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function causeCode(e: unknown): string {
  const c = (e as { cause?: { code?: string } })?.cause;
  return c?.code ?? (e as { code?: string })?.code ?? '';
}

/**
 * Dispatches a task to an HTTP endpoint agent: POST {task_input, run_id} -> {final_response}.
 * Chips come from what actually happened; a transient transport failure is re-dispatched
 * once, as the seeds' automatic re-dispatch does.
 */
export async function runHttpAgent(opts: HttpCallOptions, task: TaskInput): Promise<TurnOutcome> {
  const out = emptyTurnOutcome();
  const t0 = Date.now();
  for (let attempt = 1; attempt <= 2; attempt++) {
    const r = await attemptOnce(opts, task);
    if (r.transient && attempt === 1) {
      out.soft_warnings.push(
        `re-dispatched once after a transient transport failure: ${r.error?.message}`,
      );
      continue;
    }
    out.agent_ms = Date.now() - t0;
    out.debug.raw_response = r.body?.slice(0, 20000);
    if (r.error) {
      out.status = opts.signal?.aborted ? 'cancelled' : 'failed';
      out.error = opts.signal?.aborted ? null : r.error;
      out.timedOut = r.error.class === 'agent_timeout';
    } else {
      out.final_response = r.final!;
      out.steps.push({
        at: new Date().toISOString(),
        type: 'final_response',
        summary: r.final!.slice(0, 200),
      });
    }
    out.steps.unshift({
      at: new Date(t0).toISOString(),
      type: 'http_request',
      summary: `POST ${new URL(opts.url).origin}${new URL(opts.url).pathname} -> ${r.status ?? 'no response'}`,
      detail: { attempts: attempt, status: r.status },
    });
    return out;
  }
  return out;
}

interface HttpCallOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  runId: string;
  signal?: AbortSignal;
}

async function attemptOnce(
  opts: HttpCallOptions,
  task: TaskInput,
): Promise<{
  status?: number;
  body?: string;
  final?: string;
  error?: RunError;
  transient?: boolean;
}> {
  let res: Response;
  try {
    res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
      body: JSON.stringify({ task_input: task, run_id: opts.runId }),
      signal: opts.signal
        ? AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), opts.signal])
        : AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return {
        error: {
          class: 'agent_timeout',
          code: 'agent_timeout',
          message: `no response within ${Math.round(opts.timeoutMs / 1000)} s`,
        },
      };
    const code = causeCode(e);
    const transient =
      TRANSIENT.has(code) ||
      /other side closed|socket hang up/i.test(
        String((e as { cause?: Error }).cause?.message ?? ''),
      );
    return {
      transient,
      error: {
        class: transient ? 'transport_error' : 'agent_unreachable',
        code: transient ? 'transport_error' : 'agent_unreachable',
        message: `${opts.url}: ${code || (e as Error).message}`,
      },
    };
  }
  let body: string;
  try {
    body = await res.text();
  } catch (e) {
    return {
      status: res.status,
      transient: true,
      error: {
        class: 'transport_error',
        code: 'transport_error',
        message: `response body cut off: ${causeCode(e) || (e as Error).message}`,
      },
    };
  }
  if (res.status === 401 || res.status === 403)
    return {
      status: res.status,
      body,
      error: {
        class: 'auth_failed',
        code: 'auth_failed',
        message: `the endpoint answered ${res.status}; check the credentials in http.headers`,
      },
    };
  if (res.status >= 500)
    return {
      status: res.status,
      body,
      error: {
        class: 'agent_5xx',
        code: 'agent_5xx',
        message: `the endpoint answered ${res.status}`,
      },
    };
  if (res.status >= 400)
    return {
      status: res.status,
      body,
      error: {
        class: 'agent_4xx',
        code: 'agent_4xx',
        message: `the endpoint answered ${res.status}`,
      },
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {
      status: res.status,
      body,
      error: {
        class: 'agent_bad_response',
        code: 'agent_bad_response',
        message: 'the response is not JSON; answer {"final_response": "..."}',
      },
    };
  }
  const fr =
    typeof parsed === 'string' ? parsed : (parsed as { final_response?: unknown })?.final_response;
  if (typeof fr !== 'string')
    return {
      status: res.status,
      body,
      error: {
        class: 'agent_bad_response',
        code: 'agent_bad_response',
        message: 'the response has no string "final_response"',
      },
    };
  return { status: res.status, body, final: fr };
}

/** HTTP endpoint agents: nothing to build; the endpoint is reached from the host. */
export const httpKind: AgentKind = {
  kind: 'http',
  matches: (a) => !!a.http,
  needsWorkspace: false,
  needsSandbox: false,
  async prepare() {},
  adapter: (p) =>
    new HttpAdapter({
      name: p.config.name,
      url: p.config.http!.url,
      headers: p.headers,
      timeoutMs: p.timeoutMs,
    }),
};
