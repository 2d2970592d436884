import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { ModelRelay } from '../models/relay.js';
import { GEMINI_PATH, type ModelCall, type WireFormat } from '../models/wire.js';
import type { ToolCallRecord, TraceEvent } from '../results/record.js';
import { MAX_DEPTH, nestingDepth } from '../util/bounded.js';
import { GATEWAY_BUDGETS, RunBudget } from './budget.js';
import { actorOf, drain, readBody, send, sendError } from './http.js';
import { NoTools, type ToolHandler } from './tool-handler.js';
import { acceptTraceEvents } from './trace-events.js';
import { TurnSignals, type TurnSignal } from './turn-signals.js';

export type { TurnSignal } from './turn-signals.js';

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
  /** The platform tools behind /tools; without one every tool is undeclared. */
  tools?: ToolHandler;
  /** The run's budget, shared with the tool handler when the session made one for both. */
  budget?: RunBudget;
  purpose?: ModelCall['purpose'];
  limits?: Partial<typeof GATEWAY_LIMITS>;
  /** Sees the body of the first model request (the tools-registered check). */
  onFirstModelRequest?: (format: WireFormat, body: Buffer) => void;
  /** Sees each model call once it is recorded (a run's live progress); must not throw. */
  onModelCall?: (call: ModelCall) => void;
}

/** A matched route: the handler and the parts of the path it named. */
interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  body: Buffer;
}

/**
 * One entry of the route table. Routes register here; dispatch never learns their names. A
 * route with a body says how large it may be and what to record when it is refused.
 */
interface Route {
  method: 'GET' | 'POST';
  /** The path's parameters when the path is this route's, else null. */
  match(path: string): string[] | null;
  /** The largest body read; 0 reads none. */
  bodyCap: number;
  refused?(req: IncomingMessage, params: string[], kept: string, error: string): void;
  handle(ctx: RouteContext): Promise<void> | void;
}

const exact =
  (p: string) =>
  (path: string): string[] | null =>
    path === p ? [] : null;
const pattern =
  (re: RegExp) =>
  (path: string): string[] | null =>
    re.exec(path)?.slice(1) ?? null;

const TOOL_ROUTE = /^\/tools\/([A-Za-z0-9_-]{1,64})$/;
const ROUTES_SERVED =
  '/v1/messages, /v1/chat/completions, /v1/responses, /v1beta/models/{model}:generateContent, ' +
  '/trace-events, /session/turn-done, GET /tools and POST /tools/{name}';

/** Which provider a model request is for, from its path alone. */
function modelRoute(path: string): WireFormat | undefined {
  if (/^\/v1\/messages(\/count_tokens)?$/.test(path)) return 'anthropic';
  if (path === '/v1/chat/completions' || path === '/v1/responses') return 'openai';
  if (GEMINI_PATH.test(path)) return 'gemini';
  return undefined;
}

/**
 * The sandbox's only door: model relay, trace events, session signals and platform tools,
 * behind a per-run bearer token that is revoked when the run ends. A transport and a route
 * table; the state it keeps is the run's records.
 */
export class Gateway {
  readonly modelCalls: ModelCall[] = [];
  readonly traceEvents: TraceEvent[] = [];
  readonly budget: RunBudget;
  readonly tools: ToolHandler;
  /** Connections accepted: the harness's first one proves the forwarder came up. */
  connections = 0;
  private readonly limits: typeof GATEWAY_LIMITS;
  private readonly signals = new TurnSignals();
  private readonly routes: Route[];
  private revoked = false;
  private sawModelRequest = false;
  private server?: Server;
  url = '';

  constructor(private readonly opts: GatewayOptions) {
    this.limits = { ...GATEWAY_LIMITS, ...opts.limits };
    this.budget = opts.budget ?? new RunBudget();
    this.tools = opts.tools ?? new NoTools();
    this.routes = this.routeTable();
  }

  /** Every tool call of the run, as ledger rows (the tool handler owns them). */
  get toolCalls(): ToolCallRecord[] {
    return this.tools.calls;
  }

  private routeTable(): Route[] {
    const small = this.limits.smallBodyBytes;
    return [
      {
        method: 'POST',
        match: (path) => (modelRoute(path) ? [] : null),
        bodyCap: this.limits.modelBodyBytes,
        handle: (c) => this.relayModel(c),
      },
      {
        method: 'POST',
        match: exact('/trace-events'),
        bodyCap: small,
        handle: ({ body, res }) => {
          const r = acceptTraceEvents(body, this.traceEvents, this.budget);
          if ('refused' in r) return sendError(res, 400, 'invalid_request', r.refused);
          send(res, 202, r);
        },
      },
      {
        method: 'POST',
        match: exact('/session/turn-done'),
        bodyCap: small,
        handle: ({ body, res }) => this.turnPosted(body, res),
      },
      {
        method: 'GET',
        match: exact('/tools'),
        bodyCap: 0,
        handle: ({ res }) => send(res, 200, { tools: this.tools.list() }),
      },
      {
        method: 'POST',
        match: pattern(TOOL_ROUTE),
        bodyCap: small,
        // A refused tool call is still a call: it gets its row, with why its arguments are missing.
        refused: (req, [name], kept, error) =>
          this.tools.refuse(name, actorOf(req), `[arguments not kept: ${kept}]`, error),
        handle: async ({ req, res, params: [name], body }) => {
          const ac = new AbortController();
          res.once('close', () => ac.abort());
          const a = await this.tools.call({ name, body, actor: actorOf(req), signal: ac.signal });
          send(res, a.status, a.body);
        },
      },
    ];
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
          sendError(res, 500, 'internal_error', String((e as Error).message ?? e));
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
    return this.signals.wait(n);
  }

  /** What was posted for turn `n` so far, if anything (the count keeps growing). */
  turnSignal(n: number): TurnSignal | undefined {
    return this.signals.get(n);
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

  /** Authenticate, find the route, read its body within bounds, hand over. */
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
    const onPath = this.routes.filter((r) => r.match(path) !== null);
    const route = onPath.find((r) => r.method === req.method);
    if (!route) {
      if (onPath.length)
        return sendError(res, 405, 'method_not_allowed', `${req.method} ${path} is not served`);
      return sendError(
        res,
        404,
        'not_found',
        `no route ${path}; the gateway serves ${ROUTES_SERVED}`,
      );
    }
    const params = route.match(path)!;
    const body = route.bodyCap ? await readBody(req, route.bodyCap) : Buffer.alloc(0);
    if (body === undefined) {
      const cap = route.bodyCap;
      this.budget.refusedBody();
      route.refused?.(
        req,
        params,
        `body over ${cap} bytes`,
        `request_too_large: body over ${cap} bytes`,
      );
      // Drained, not buffered, so the client can read the answer; the request timeout bounds it.
      await drain(req);
      return sendError(res, 413, 'request_too_large', `request body over ${cap} bytes`);
    }
    // JSON nested this deep breaks every recursive consumer after it (stringify, the
    // redactor, cassette keys): refuse it here, where the agent can still be told why.
    if (nestingDepth(body.toString('latin1')) > MAX_DEPTH) {
      this.budget.refusedNested();
      route.refused?.(
        req,
        params,
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
    await route.handle({ req, res, url, params, body });
  }

  private async relayModel({ req, res, url, body }: RouteContext) {
    const format = modelRoute(url.pathname)!;
    if (!this.sawModelRequest && !url.pathname.endsWith('/count_tokens')) {
      this.sawModelRequest = true;
      this.opts.onFirstModelRequest?.(format, body);
    }
    const call = await this.opts.relay.forward(
      format,
      url.pathname + url.search,
      body,
      req.headers,
      this.opts.purpose ?? 'agent',
      res,
    );
    const actor = actorOf(req);
    if (actor) call.actor_id = actor;
    const bounded = this.boundModelCall(call);
    this.modelCalls.push(bounded);
    try {
      this.opts.onModelCall?.(bounded);
    } catch {
      // A listener's failure is its own: the call is recorded and answered regardless.
    }
  }

  private turnPosted(body: Buffer, res: ServerResponse) {
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
      return sendError(res, 400, 'invalid_request', 'body must be {"turn": <positive integer>}');
    this.signals.post(turn as number, typeof report === 'string' ? report : undefined);
    send(res, 202, { accepted: turn });
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
