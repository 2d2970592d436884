import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { newId } from '../util/hash.js';
import type { ReplyBlock, Usage, WireFormat } from './wire.js';

/**
 * The scripted model: a real HTTP server speaking the Anthropic Messages API (streaming and
 * not) and OpenAI chat completions, answering from a script. Rules are matched against the
 * request, so concurrent conversations get deterministic answers regardless of order.
 */
export interface ScriptRule {
  /** Regexes, all of which must match: model, system prompt, last user text, whole request JSON. */
  when?: { model?: string; system?: string; last_user?: string; any?: string; turn?: number };
  reply?: ScriptReply;
  /** Consumed in order, one per matching call; once used up the rule stops matching. */
  replies?: ScriptReply[];
}

export interface ScriptReply {
  text?: string;
  thinking?: string;
  tool_use?: { name: string; input: Record<string, unknown> } | { name: string; input: Record<string, unknown> }[];
  error?: { status: number; type?: string; message?: string };
  usage?: Partial<Usage>;
  delay_ms?: number;
}

export interface Script {
  rules: ScriptRule[];
  /** Used when no rule matches; without it the server answers 404 with a clear error. */
  fallback?: ScriptReply;
}

export function loadScript(path: string): Script {
  const text = readFileSync(path, 'utf8');
  const data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (!data || !Array.isArray(data.rules)) throw new Error(`${path}: a script needs a top-level "rules" list`);
  return data as Script;
}

interface NormalisedRequest {
  format: WireFormat;
  model: string;
  stream: boolean;
  system: string;
  lastUser: string;
  turn: number;
  raw: string;
  includeUsage: boolean;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c === 'string' ? c : c?.text ?? (c?.type === 'tool_result' ? textOf(c.content) : ''))).join('\n');
  return '';
}

function normalise(format: WireFormat, body: any, raw: string): NormalisedRequest {
  const messages: any[] = body.messages ?? [];
  const system = format === 'anthropic' ? textOf(body.system) : messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n');
  const users = messages.filter((m) => m.role === 'user');
  return {
    format,
    model: String(body.model ?? ''),
    stream: body.stream === true,
    system,
    lastUser: textOf(users[users.length - 1]?.content),
    turn: messages.filter((m) => m.role === 'assistant').length,
    raw,
    includeUsage: body.stream_options?.include_usage === true,
  };
}

export class ScriptedModel {
  private readonly used = new Map<ScriptRule, number>();
  readonly requests: { format: WireFormat; model: string; body: unknown }[] = [];

  constructor(private readonly script: Script) {}

  /** The first matching rule's reply, with {{1}}.. filled from the last_user regex's groups. */
  pick(req: NormalisedRequest): ScriptReply | undefined {
    for (const rule of this.script.rules) {
      const w = rule.when ?? {};
      const groups = w.last_user === undefined ? [] : new RegExp(w.last_user, 's').exec(req.lastUser);
      const ok =
        groups !== null &&
        (w.model === undefined || new RegExp(w.model).test(req.model)) &&
        (w.system === undefined || new RegExp(w.system, 's').test(req.system)) &&
        (w.any === undefined || new RegExp(w.any, 's').test(req.raw)) &&
        (w.turn === undefined || w.turn === req.turn);
      if (!ok) continue;
      let reply: ScriptReply | undefined;
      if (rule.reply) reply = rule.reply;
      else {
        const n = this.used.get(rule) ?? 0;
        if (!rule.replies || n >= rule.replies.length) continue;
        this.used.set(rule, n + 1);
        reply = rule.replies[n];
      }
      return fill(reply, [...(groups ?? [])]);
    }
    return this.script.fallback;
  }

  handler() {
    return async (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'HEAD' || (req.method === 'GET' && path === '/')) return void res.writeHead(200).end();
      const format: WireFormat | undefined = path.endsWith('/messages') ? 'anthropic' : path.endsWith('/chat/completions') ? 'openai' : undefined;
      if (req.method !== 'POST' || !format) return json(res, 404, { error: { type: 'not_found_error', message: `the scripted model serves POST /v1/messages and /v1/chat/completions, not ${req.method} ${path}` } });
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return json(res, 400, { error: { type: 'invalid_request_error', message: 'body is not JSON' } });
      }
      this.requests.push({ format, model: body.model, body });
      const n = normalise(format, body, raw);
      const reply = this.pick(n);
      if (!reply) return json(res, 404, { error: { type: 'not_found_error', message: `no script rule matches this request (model ${n.model}, turn ${n.turn}); add a rule or a fallback` } });
      if (reply.delay_ms) await new Promise((r) => setTimeout(r, reply.delay_ms));
      if (reply.error) return json(res, reply.error.status, { type: 'error', error: { type: reply.error.type ?? 'api_error', message: reply.error.message ?? 'scripted error' } });
      const blocks = blocksOf(reply);
      const usage: Usage = {
        input_tokens: reply.usage?.input_tokens ?? Math.ceil(raw.length / 4),
        output_tokens: reply.usage?.output_tokens ?? Math.max(1, Math.ceil(JSON.stringify(blocks).length / 4)),
      };
      if (format === 'anthropic') return n.stream ? anthropicStream(res, n.model, blocks, usage) : json(res, 200, anthropicMessage(n.model, blocks, usage));
      return n.stream ? openaiStream(res, n.model, blocks, usage, n.includeUsage) : json(res, 200, openaiCompletion(n.model, blocks, usage));
    };
  }
}

function fill<T>(value: T, groups: string[]): T {
  if (!groups.length) return value;
  return JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === 'string' ? v.replace(/\{\{(\d+)\}\}/g, (_m, i) => groups[Number(i)] ?? '') : v));
}

function blocksOf(r: ScriptReply): ReplyBlock[] {
  const out: ReplyBlock[] = [];
  if (r.thinking) out.push({ type: 'thinking', thinking: r.thinking });
  if (r.text !== undefined) out.push({ type: 'text', text: r.text });
  const tools = r.tool_use ? (Array.isArray(r.tool_use) ? r.tool_use : [r.tool_use]) : [];
  for (const t of tools) out.push({ type: 'tool_use', id: `toolu_${newId()}`, name: t.name, input: t.input });
  return out;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${newId()}` }).end(JSON.stringify(body));
}

function anthropicContent(b: ReplyBlock) {
  if (b.type === 'thinking') return { type: 'thinking', thinking: b.thinking, signature: 'scripted' };
  return b;
}

function anthropicMessage(model: string, blocks: ReplyBlock[], usage: Usage) {
  return {
    id: `msg_${newId()}`, type: 'message', role: 'assistant', model,
    content: blocks.map(anthropicContent),
    stop_reason: blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage,
  };
}

function sse(res: ServerResponse, event: string | undefined, data: unknown) {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

function anthropicStream(res: ServerResponse, model: string, blocks: ReplyBlock[], usage: Usage) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${newId()}` });
  const msg = anthropicMessage(model, [], { input_tokens: usage.input_tokens, output_tokens: 1 });
  sse(res, 'message_start', { type: 'message_start', message: { ...msg, stop_reason: null } });
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      // Split in two deltas so clients exercise their accumulation code.
      const mid = Math.floor(b.text.length / 2);
      for (const part of [b.text.slice(0, mid), b.text.slice(mid)]) if (part) sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } });
    } else if (b.type === 'thinking') {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: b.thinking } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'scripted' } });
    } else {
      sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function openaiToolCalls(blocks: ReplyBlock[]) {
  return blocks.filter((b) => b.type === 'tool_use').map((b, i) => ({ index: i, id: (b as { id: string }).id.replace('toolu_', 'call_'), type: 'function', function: { name: (b as { name: string }).name, arguments: JSON.stringify((b as { input: unknown }).input) } }));
}

function openaiCompletion(model: string, blocks: ReplyBlock[], usage: Usage) {
  const text = blocks.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('');
  const calls = openaiToolCalls(blocks).map(({ index: _i, ...c }) => c);
  return {
    id: `chatcmpl-${newId()}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message: { role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) }, finish_reason: calls.length ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.input_tokens + usage.output_tokens },
  };
}

function openaiStream(res: ServerResponse, model: string, blocks: ReplyBlock[], usage: Usage, includeUsage: boolean) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = `chatcmpl-${newId()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: unknown, finish: string | null = null) => sse(res, undefined, { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  chunk({ role: 'assistant', content: '' });
  const text = blocks.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('');
  if (text) chunk({ content: text });
  const calls = openaiToolCalls(blocks);
  if (calls.length) chunk({ tool_calls: calls });
  chunk({}, calls.length ? 'tool_calls' : 'stop');
  if (includeUsage) sse(res, undefined, { id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.input_tokens + usage.output_tokens } });
  sse(res, undefined, '[DONE]');
  res.end();
}

/** Starts the scripted model on loopback; `url` is its base (clients add /v1/...). */
export async function serveScript(script: Script, port = 0, host = '127.0.0.1'): Promise<{ url: string; model: ScriptedModel; server: Server; close(): Promise<void> }> {
  const model = new ScriptedModel(script);
  const handle = model.handler();
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) json(res, 500, { error: { type: 'api_error', message: String(e) } });
      else res.end();
    });
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  const { port: p } = server.address() as AddressInfo;
  return { url: `http://${host}:${p}`, model, server, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
