import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { newId } from '../util/hash.js';
import { GEMINI_PATH, type ReplyBlock, type Usage } from './wire.js';
import { anthropic } from './dialects/anthropic.js';
import { gemini } from './dialects/gemini.js';
import { openaiChat } from './dialects/openai-chat.js';
import { openaiResponses } from './dialects/openai-responses.js';
import type { Dialect, ScriptedRequest } from './dialects/types.js';

/**
 * The scripted model: a real HTTP server speaking the Anthropic Messages API, OpenAI chat
 * completions, the OpenAI Responses API and the Gemini API (each streaming and not; see
 * dialects/), answering from a script. Rules are matched against the
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
  tool_use?:
    | { name: string; input: Record<string, unknown> }
    | { name: string; input: Record<string, unknown> }[];
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
  if (!data || !Array.isArray(data.rules))
    throw new Error(`${path}: a script needs a top-level "rules" list`);
  return data as Script;
}

export class ScriptedModel {
  private readonly used = new Map<ScriptRule, number>();
  readonly requests: { format: Dialect['id']; model: string; body: unknown }[] = [];

  constructor(private readonly script: Script) {}

  /** The first matching rule's reply, with {{1}}.. filled from the last_user regex's groups. */
  pick(req: ScriptedRequest): ScriptReply | undefined {
    for (const rule of this.script.rules) {
      const w = rule.when ?? {};
      const groups =
        w.last_user === undefined ? [] : new RegExp(w.last_user, 's').exec(req.lastUser);
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
      if (req.method === 'HEAD' || (req.method === 'GET' && path === '/'))
        return void res.writeHead(200).end();
      const dialect = dialectFor(path);
      if (req.method !== 'POST' || !dialect)
        return anthropic.error(
          res,
          404,
          'not_found_error',
          `the scripted model serves POST /v1/messages, /v1/chat/completions, /v1/responses and /v1beta/models/{model}:generateContent, not ${req.method} ${path}`,
        );
      if (dialect.utility?.(res, path, raw)) return;
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return dialect.error(res, 400, 'invalid_request_error', 'body is not JSON');
      }
      const n = dialect.read(body, raw, path);
      this.requests.push({ format: dialect.id, model: n.model, body });
      const reply = this.pick(n);
      if (!reply)
        return dialect.error(
          res,
          404,
          'not_found_error',
          `no script rule matches this request (model ${n.model}, turn ${n.turn}); add a rule or a fallback`,
        );
      if (reply.delay_ms) await new Promise((r) => setTimeout(r, reply.delay_ms));
      if (reply.error)
        return dialect.error(
          res,
          reply.error.status,
          reply.error.type ?? 'api_error',
          reply.error.message ?? 'scripted error',
        );
      const blocks = blocksOf(reply);
      const usage: Usage = {
        input_tokens: reply.usage?.input_tokens ?? Math.ceil(raw.length / 4),
        output_tokens:
          reply.usage?.output_tokens ?? Math.max(1, Math.ceil(JSON.stringify(blocks).length / 4)),
      };
      dialect.reply(res, n, blocks, usage);
    };
  }
}

function dialectFor(path: string): Dialect | undefined {
  if (path.endsWith('/messages')) return anthropic;
  if (path.endsWith('/chat/completions')) return openaiChat;
  if (path.endsWith('/responses')) return openaiResponses;
  if (GEMINI_PATH.test(path)) return gemini;
  return undefined;
}

function fill<T>(value: T, groups: string[]): T {
  if (!groups.length) return value;
  return JSON.parse(JSON.stringify(value), (_k, v) =>
    typeof v === 'string' ? v.replace(/\{\{(\d+)\}\}/g, (_m, i) => groups[Number(i)] ?? '') : v,
  );
}

function blocksOf(r: ScriptReply): ReplyBlock[] {
  const out: ReplyBlock[] = [];
  if (r.thinking) out.push({ type: 'thinking', thinking: r.thinking });
  if (r.text !== undefined) out.push({ type: 'text', text: r.text });
  const tools = r.tool_use ? (Array.isArray(r.tool_use) ? r.tool_use : [r.tool_use]) : [];
  for (const t of tools)
    out.push({ type: 'tool_use', id: `toolu_${newId()}`, name: t.name, input: t.input });
  return out;
}

/** Starts the scripted model on loopback; `url` is its base (clients add /v1/...). */
export async function serveScript(
  script: Script,
  port = 0,
  host = '127.0.0.1',
): Promise<{ url: string; model: ScriptedModel; server: Server; close(): Promise<void> }> {
  const model = new ScriptedModel(script);
  const handle = model.handler();
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) anthropic.error(res, 500, 'api_error', String(e));
      else res.end();
    });
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  const { port: p } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${p}`,
    model,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
