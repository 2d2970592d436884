import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { ToolDecl } from '../config/types.js';
import type { ModelRelay } from '../models/relay.js';
import { GEMINI_PATH, type ModelCall, type WireFormat } from '../models/wire.js';
import { MAX_DEPTH, nestingDepth } from '../util/bounded.js';
import { newId } from '../util/hash.js';
import { GATEWAY_BUDGETS, RunBudget } from './budget.js';
import type { ToolCallRecord, TraceEvent } from './types.js';

const EVENT_TYPES = new Set([
  'assistant_message',
  'thinking',
  'system_prompt',
  'custom',
  'handoff',
]);

/**
 * How the gateway sheds slow and greedy clients. Model bodies may be large (long conversations);
 * trace events and tool arguments are small by nature, so their routes refuse much sooner.
 */
export const GATEWAY_LIMITS = {
  modelBodyBytes: 32 * 1024 * 1024,
  smallBodyBytes: 4 * 1024 * 1024,
  /** Headers must arrive this soon after the connection opens. */
  headersTimeoutMs: 10_000,
  /** The whole request (headers and body) must arrive this soon. */
  requestTimeoutMs: 30_000,
  /** Open connections per run beyond which new ones are dropped at once. */
  maxConnections: 32,
};

export interface GatewayOptions {
  /** A unix socket path (per-run gateway, bind-mounted into the sandbox) or loopback TCP. */
  listen: { socket: string } | { host: '127.0.0.1'; port: number };
  token: string;
  relay: ModelRelay;
  tools?: ToolDecl[];
  purpose?: ModelCall['purpose'];
  limits?: Partial<typeof GATEWAY_LIMITS>;
}

/**
 * The sandbox's only door: model relay, trace events and platform tools, behind a per-run
 * bearer token that is revoked when the run ends.
 */
export class Gateway {
  readonly modelCalls: ModelCall[] = [];
  readonly traceEvents: TraceEvent[] = [];
  readonly toolCalls: ToolCallRecord[] = [];
  readonly budget = new RunBudget();
  /** Connections accepted: the harness's first one proves the forwarder came up. */
  connections = 0;
  private readonly limits: typeof GATEWAY_LIMITS;
  private revoked = false;
  /** Turns a live agent process said it finished, and who waits to hear of one. */
  private readonly turnsDone = new Map<number, TurnSignal>();
  private readonly turnWaiters = new Map<number, (signal: TurnSignal) => void>();
  private server?: Server;
  url = '';

  constructor(private readonly opts: GatewayOptions) {
    this.limits = { ...GATEWAY_LIMITS, ...opts.limits };
  }

  async start(): Promise<this> {
    const l0 = this.limits;
    // The server checks timeouts on this interval; Node's default (30 s) lets a slow client
    // outlive the timeouts themselves by that much.
    const checkEvery = Math.max(50, Math.min(1000, l0.headersTimeoutMs / 2));
    const opts = {
      headersTimeout: l0.headersTimeoutMs,
      requestTimeout: l0.requestTimeoutMs,
      connectionsCheckingInterval: checkEvery,
    };
    const server = createServer(opts, (req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent)
          send(res, 500, {
            error: { type: 'internal_error', message: String((e as Error).message ?? e) },
          });
        else res.end();
      });
    });
    server.maxConnections = l0.maxConnections;
    server.on('connection', () => void this.connections++);
    this.server = server;
    const l = this.opts.listen;
    if ('socket' in l) {
      await rm(l.socket, { force: true });
      await new Promise<void>((r, j) => server.once('error', j).listen(l.socket, r));
      // The sandbox user (uid 1000) must be able to connect.
      await chmod(l.socket, 0o666);
      this.url = `unix:${l.socket}`;
    } else {
      await new Promise<void>((r, j) => server.once('error', j).listen(l.port, l.host, r));
      this.url = `http://${l.host}:${(server.address() as AddressInfo).port}`;
    }
    return this;
  }

  /**
   * Resolves once the in-sandbox harness says turn `n` ended (POST /session/turn-done), with
   * the turn's report file as the harness read it back, when it was small enough to carry.
   */
  turnDone(n: number): Promise<TurnSignal> {
    const seen = this.turnsDone.get(n);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.turnWaiters.set(n, resolve));
  }

  /** What was posted for turn `n` so far, if anything (the count keeps growing). */
  turnSignal(n: number): TurnSignal | undefined {
    return this.turnsDone.get(n);
  }

  /** After this every request is refused, even on connections already open. */
  revoke() {
    this.revoked = true;
  }

  async close() {
    this.revoke();
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
    if ('socket' in this.opts.listen) await rm(this.opts.listen.socket, { force: true });
  }

  private authorised(req: IncomingMessage): boolean {
    if (this.revoked) return false;
    const auth = req.headers.authorization;
    const presented =
      typeof auth === 'string' && auth.startsWith('Bearer ')
        ? auth.slice(7)
        : ['x-api-key', 'api-key', 'x-goog-api-key']
            .map((h) => req.headers[h])
            .find((v): v is string => typeof v === 'string');
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const path = url.pathname;
    // Claude Code probes HEAD / before authenticating; answer it without revealing anything.
    if (req.method === 'HEAD' || (req.method === 'GET' && path === '/health'))
      return void res.writeHead(200).end();
    if (!this.authorised(req))
      return send(res, 401, {
        type: 'error',
        error: {
          type: 'authentication_error',
          message: this.revoked
            ? 'run token revoked: the run has ended'
            : 'missing or invalid run token',
        },
      });
    if (req.method !== 'POST')
      return send(res, 405, {
        error: { type: 'method_not_allowed', message: `${req.method} ${path} is not served` },
      });
    const format = modelRoute(path);
    const toolName = TOOL_ROUTE.exec(path)?.[1];
    // A refused tool call is still a call: it gets its row, with why its arguments are missing.
    const refuseTool = (kept: string, error: string) =>
      toolName &&
      this.recordToolError(toolName, req, Date.now(), `[arguments not kept: ${kept}]`, error);
    const cap = format ? this.limits.modelBodyBytes : this.limits.smallBodyBytes;
    const body = await readBody(req, cap);
    if (body === undefined) {
      this.budget.refusedBody();
      refuseTool(`body over ${cap} bytes`, `request_too_large: body over ${cap} bytes`);
      // Drained, not buffered, so the client can read the answer; the request timeout bounds it.
      req.resume();
      await new Promise((r) => req.once('end', r).once('close', r).once('error', r));
      return send(res, 413, {
        error: { type: 'request_too_large', message: `request body over ${cap} bytes` },
      });
    }
    // JSON nested this deep breaks every recursive consumer after it (stringify, the
    // redactor, cassette keys): refuse it here, where the agent can still be told why.
    if (nestingDepth(body.toString('latin1')) > MAX_DEPTH) {
      this.budget.refusedNested();
      refuseTool(
        `nested deeper than ${MAX_DEPTH} levels`,
        `invalid_request: JSON nested deeper than ${MAX_DEPTH} levels`,
      );
      return send(res, 400, {
        type: 'error',
        error: {
          type: 'invalid_request',
          message: `request JSON is nested deeper than ${MAX_DEPTH} levels`,
        },
      });
    }

    if (format) {
      const call = await this.opts.relay.forward(
        format,
        path + url.search,
        body,
        req.headers,
        this.opts.purpose ?? 'agent',
        res,
      );
      if (req.headers['x-gauntlet-actor']) call.actor_id = String(req.headers['x-gauntlet-actor']);
      this.modelCalls.push(this.boundModelCall(call));
      return;
    }
    if (path === '/trace-events') return this.traceEvent(body, res);
    if (path === '/session/turn-done') return this.sessionTurnDone(body, res);
    if (toolName) return this.tool(toolName, body, req, res);
    send(res, 404, {
      error: {
        type: 'not_found',
        message: `no route ${path}; the gateway serves /v1/messages, /v1/chat/completions, /v1/responses, /v1beta/models/{model}:generateContent, /trace-events, /session/turn-done and /tools/{name}`,
      },
    });
  }

  private traceEvent(body: Buffer, res: ServerResponse) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, {
        error: { type: 'invalid_request', message: 'trace event body must be JSON' },
      });
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const now = new Date().toISOString();
    for (const e of list) {
      if (!e || typeof e !== 'object' || !EVENT_TYPES.has((e as { type?: string }).type ?? '')) {
        return send(res, 400, {
          error: {
            type: 'invalid_request',
            message: `each event needs type: ${[...EVENT_TYPES].join(' | ')}`,
          },
        });
      }
    }
    const b = GATEWAY_BUDGETS.traceEvents;
    for (const e of list as Record<string, unknown>[]) {
      const { type, __occurred_at, actor_id, ...raw } = e;
      if (this.traceEvents.length >= b.count) {
        this.budget.drop('trace event');
        continue;
      }
      const data = this.budget.keep('trace event', raw, b.each, b.totalBytes);
      if (data === undefined) continue;
      const occurred =
        typeof __occurred_at === 'string' && !Number.isNaN(Date.parse(__occurred_at))
          ? new Date(__occurred_at).toISOString()
          : now;
      const actor = typeof actor_id === 'string' ? { actor_id: actor_id.slice(0, 256) } : {};
      this.traceEvents.push({
        type: type as TraceEvent['type'],
        occurred_at: occurred,
        received_at: now,
        ...actor,
        data: data as Record<string, unknown>,
      });
    }
    send(res, 202, { accepted: list.length });
  }

  private sessionTurnDone(body: Buffer, res: ServerResponse) {
    let turn: unknown;
    let report: unknown;
    try {
      ({ turn, report } = JSON.parse(body.toString('utf8')) as {
        turn?: unknown;
        report?: unknown;
      });
    } catch {
      /* answered below */
    }
    if (!Number.isSafeInteger(turn) || (turn as number) < 1)
      return send(res, 400, {
        error: { type: 'invalid_request', message: 'body must be {"turn": <positive integer>}' },
      });
    const n = turn as number;
    // The harness posts once a turn; every post is counted, so a second (someone else's) shows.
    const seen = this.turnsDone.get(n);
    if (seen) seen.posts++;
    else if (this.turnsDone.size < 10_000) {
      const signal = { posts: 1, ...(typeof report === 'string' ? { report } : {}) };
      this.turnsDone.set(n, signal);
      this.turnWaiters.get(n)?.(signal);
    }
    this.turnWaiters.delete(n);
    send(res, 202, { accepted: n });
  }

  private tool(name: string, body: Buffer, req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    let args: unknown = body.toString('utf8');
    try {
      args = JSON.parse(args as string);
    } catch {
      /* recorded raw */
    }
    const b = GATEWAY_BUDGETS.toolCalls;
    args =
      this.budget.keep('tool call', args, b.each, b.totalBytes) ??
      `[arguments not kept: the run's ${b.totalBytes} byte budget for tool calls is spent]`;
    const declared = this.opts.tools?.find((t) => t.name === name);
    const error = declared
      ? {
          status: 501,
          code: 'tool_not_executable',
          message: `tool "${name}" is declared, but tool execution (simulated or passthrough) is not available in this version of gauntlet`,
        }
      : {
          status: 404,
          code: 'unknown_tool',
          message: `tool "${name}" is not declared on this agent; declare it under tools:`,
        };
    this.recordToolError(name, req, started, args, `${error.code}: ${error.message}`);
    send(res, error.status, { error: { type: error.code, message: error.message } });
  }

  private recordToolError(
    name: string,
    req: IncomingMessage,
    started: number,
    args: unknown,
    error: string,
  ) {
    const actor = req.headers['x-gauntlet-actor'];
    this.toolCalls.push({
      id: newId('tc_'),
      name,
      source: 'error',
      args,
      error,
      latency_ms: Date.now() - started,
      started_at: new Date(started).toISOString(),
      ...(actor ? { actor_id: String(actor).slice(0, 256) } : {}),
    });
  }

  /** A model call's kept content (previews, tool uses and results) within the run's budget. */
  private boundModelCall(call: ModelCall): ModelCall {
    const b = GATEWAY_BUDGETS.modelCalls;
    const { response_preview, tool_uses, tool_results, error } = call;
    const kept = this.budget.keep(
      'model call',
      { response_preview, tool_uses, tool_results, error },
      b.each,
      b.totalBytes,
    ) as Partial<ModelCall> | undefined;
    const out: ModelCall = {
      ...call,
      response_preview: undefined,
      tool_uses: undefined,
      tool_results: undefined,
      error: undefined,
    };
    if (kept) Object.assign(out, kept);
    else if (error !== undefined) out.error = error.slice(0, 200);
    for (const k of ['response_preview', 'tool_uses', 'tool_results', 'error'] as const)
      if (out[k] === undefined) delete out[k];
    return out;
  }
}

/** A turn's end as the in-sandbox harness posted it: its report file's text, when small. */
export interface TurnSignal {
  report?: string;
  /** How many posts came for the turn; the harness makes one. */
  posts: number;
}

const TOOL_ROUTE = /^\/tools\/([A-Za-z0-9_-]{1,64})$/;

/** Which provider a model request is for, from its path alone. */
function modelRoute(path: string): WireFormat | undefined {
  if (/^\/v1\/messages(\/count_tokens)?$/.test(path)) return 'anthropic';
  if (path === '/v1/chat/completions' || path === '/v1/responses') return 'openai';
  if (GEMINI_PATH.test(path)) return 'gemini';
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The body, or undefined as soon as it passes `cap` (declared or counted): nothing more is read. */
async function readBody(req: IncomingMessage, cap: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > cap) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > cap) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
