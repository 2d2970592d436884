import type { ServerResponse } from 'node:http';
import type { ReplyBlock, Usage } from '../wire.js';

/** A request as the scripted model's rules see it, whatever wire format it came in. */
export interface ScriptedRequest {
  model: string;
  stream: boolean;
  /** System prompt text (Anthropic system, OpenAI system/developer messages, Gemini systemInstruction). */
  system: string;
  /** The newest user-side input: a user message, or the tool results that came back. */
  lastUser: string;
  /** Model turns so far in the conversation. */
  turn: number;
  raw: string;
  includeUsage: boolean;
  /** Tools the client declared as free-form (OpenAI Responses `custom`): called with a string. */
  customTools: Set<string>;
}

/** One wire format the scripted model speaks: how to read a request and render a reply. */
export interface Dialect {
  id: 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';
  read(body: any, raw: string, path: string): ScriptedRequest;
  reply(res: ServerResponse, req: ScriptedRequest, blocks: ReplyBlock[], usage: Usage): void;
  error(res: ServerResponse, status: number, type: string, message: string): void;
  /** Requests answered without the script (token counting). */
  utility?(res: ServerResponse, path: string, raw: string): boolean;
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify(body));
}

export function sse(res: ServerResponse, event: string | undefined, data: unknown) {
  res.write(
    `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
  );
}

export function startSse(res: ServerResponse, headers: Record<string, string> = {}) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    ...headers,
  });
}

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((c) =>
        typeof c === 'string'
          ? c
          : (c?.text ?? (c?.type === 'tool_result' ? textOf(c.content) : '')),
      )
      .join('\n');
  return '';
}

/** Splits text in two so clients exercise their delta accumulation. */
export function halves(text: string): string[] {
  const mid = Math.floor(text.length / 2);
  return [text.slice(0, mid), text.slice(mid)].filter(Boolean);
}

export const textBlocks = (blocks: ReplyBlock[]) =>
  blocks
    .filter((b) => b.type === 'text')
    .map((b) => (b as { text: string }).text)
    .join('');
export const toolBlocks = (blocks: ReplyBlock[]) =>
  blocks.filter((b): b is Extract<ReplyBlock, { type: 'tool_use' }> => b.type === 'tool_use');
