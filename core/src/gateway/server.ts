import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { ToolDecl } from '../config/types.js';
import type { ModelRelay } from '../models/relay.js';
import { GEMINI_PATH, type ModelCall, type WireFormat } from '../models/wire.js';
import { newId } from '../util/hash.js';
import type { ToolCallRecord, TraceEvent } from './types.js';

const MAX_BODY = 32 * 1024 * 1024;
const EVENT_TYPES = new Set(['assistant_message', 'thinking', 'system_prompt', 'custom', 'handoff']);
const MAX_EVENTS = 5000;

export interface GatewayOptions {
  /** A unix socket path (per-run gateway, bind-mounted into the sandbox) or loopback TCP. */
  listen: { socket: string } | { host: '127.0.0.1'; port: number };
  token: string;
  relay: ModelRelay;
  tools?: ToolDecl[];
  purpose?: ModelCall['purpose'];
}

/**
 * The sandbox's only door: model relay, trace events and platform tools, behind a per-run
 * bearer token that is revoked when the run ends.
 */
export class Gateway {
  readonly modelCalls: ModelCall[] = [];
  readonly traceEvents: TraceEvent[] = [];
  readonly toolCalls: ToolCallRecord[] = [];
  droppedEvents = 0;
  private revoked = false;
  private server?: Server;
  url = '';

  constructor(private readonly opts: GatewayOptions) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) send(res, 500, { error: { type: 'internal_error', message: String((e as Error).message ?? e) } });
        else res.end();
      });
    });
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
    const presented = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : ['x-api-key', 'api-key', 'x-goog-api-key'].map((h) => req.headers[h]).find((v): v is string => typeof v === 'string');
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const path = url.pathname;
    // Claude Code probes HEAD / before authenticating; answer it without revealing anything.
    if (req.method === 'HEAD' || (req.method === 'GET' && path === '/health')) return void res.writeHead(200).end();
    if (!this.authorised(req)) return send(res, 401, { type: 'error', error: { type: 'authentication_error', message: this.revoked ? 'run token revoked: the run has ended' : 'missing or invalid run token' } });
    if (req.method !== 'POST') return send(res, 405, { error: { type: 'method_not_allowed', message: `${req.method} ${path} is not served` } });
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: { type: 'request_too_large', message: `request body over ${MAX_BODY} bytes` } });

    const format = modelRoute(path);
    if (format) {
      const call = await this.opts.relay.forward(format, path + url.search, body, req.headers, this.opts.purpose ?? 'agent', res);
      if (req.headers['x-gauntlet-actor']) call.actor_id = String(req.headers['x-gauntlet-actor']);
      this.modelCalls.push(call);
      return;
    }
    if (path === '/trace-events') return this.traceEvent(body, res);
    const tool = /^\/tools\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (tool) return this.tool(tool[1], body, req, res);
    send(res, 404, { error: { type: 'not_found', message: `no route ${path}; the gateway serves /v1/messages, /v1/chat/completions, /v1/responses, /v1beta/models/{model}:generateContent, /trace-events and /tools/{name}` } });
  }

  private traceEvent(body: Buffer, res: ServerResponse) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: { type: 'invalid_request', message: 'trace event body must be JSON' } });
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const now = new Date().toISOString();
    for (const e of list) {
      if (!e || typeof e !== 'object' || !EVENT_TYPES.has((e as { type?: string }).type ?? '')) {
        return send(res, 400, { error: { type: 'invalid_request', message: `each event needs type: ${[...EVENT_TYPES].join(' | ')}` } });
      }
    }
    for (const e of list as Record<string, unknown>[]) {
      if (this.traceEvents.length >= MAX_EVENTS) {
        this.droppedEvents++;
        continue;
      }
      const { type, __occurred_at, actor_id, ...data } = e;
      const occurred = typeof __occurred_at === 'string' && !Number.isNaN(Date.parse(__occurred_at)) ? new Date(__occurred_at).toISOString() : now;
      this.traceEvents.push({ type: type as TraceEvent['type'], occurred_at: occurred, received_at: now, ...(typeof actor_id === 'string' ? { actor_id } : {}), data });
    }
    send(res, 202, { accepted: list.length });
  }

  private tool(name: string, body: Buffer, req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    let args: unknown = body.toString('utf8');
    try {
      args = JSON.parse(args as string);
    } catch {
      /* recorded raw */
    }
    const declared = this.opts.tools?.find((t) => t.name === name);
    const error = declared
      ? { status: 501, code: 'tool_not_executable', message: `tool "${name}" is declared, but tool execution (simulated or passthrough) is not available in this version of gauntlet` }
      : { status: 404, code: 'unknown_tool', message: `tool "${name}" is not declared on this agent; declare it under tools:` };
    this.toolCalls.push({
      id: newId('tc_'), name, source: 'error', args, error: `${error.code}: ${error.message}`, latency_ms: Date.now() - started,
      started_at: new Date(started).toISOString(), ...(req.headers['x-gauntlet-actor'] ? { actor_id: String(req.headers['x-gauntlet-actor']) } : {}),
    });
    send(res, error.status, { error: { type: error.code, message: error.message } });
  }
}

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

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
