import type { ServerResponse } from 'node:http';
import { newId } from '../../util/hash.js';
import type { ReplyBlock, Usage } from '../wire.js';
import { json, sse, startSse, textBlocks, textOf, toolBlocks, type Dialect } from './types.js';

function toolCalls(blocks: ReplyBlock[]) {
  return toolBlocks(blocks).map((b, i) => ({
    index: i,
    id: (b.id ?? '').replace('toolu_', 'call_'),
    type: 'function',
    function: { name: b.name, arguments: JSON.stringify(b.input) },
  }));
}

const usageOf = (u: Usage) => ({
  prompt_tokens: u.input_tokens,
  completion_tokens: u.output_tokens,
  total_tokens: u.input_tokens + u.output_tokens,
});

function completion(model: string, blocks: ReplyBlock[], usage: Usage) {
  const text = textBlocks(blocks);
  const calls = toolCalls(blocks).map(({ index: _i, ...c }) => c);
  return {
    id: `chatcmpl-${newId()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || null,
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        finish_reason: calls.length ? 'tool_calls' : 'stop',
      },
    ],
    usage: usageOf(usage),
  };
}

function stream(
  res: ServerResponse,
  model: string,
  blocks: ReplyBlock[],
  usage: Usage,
  includeUsage: boolean,
) {
  startSse(res);
  const id = `chatcmpl-${newId()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: unknown, finish: string | null = null) =>
    sse(res, undefined, {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
  chunk({ role: 'assistant', content: '' });
  const text = textBlocks(blocks);
  if (text) chunk({ content: text });
  const calls = toolCalls(blocks);
  if (calls.length) chunk({ tool_calls: calls });
  chunk({}, calls.length ? 'tool_calls' : 'stop');
  if (includeUsage)
    sse(res, undefined, {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [],
      usage: usageOf(usage),
    });
  sse(res, undefined, '[DONE]');
  res.end();
}

/** OpenAI chat completions (`POST /v1/chat/completions`), streaming and not. */
export const openaiChat: Dialect = {
  id: 'openai-chat',
  read(body, raw) {
    const messages: any[] = body.messages ?? [];
    const users = messages.filter((m) => m.role === 'user' || m.role === 'tool');
    return {
      model: String(body.model ?? ''),
      stream: body.stream === true,
      raw,
      customTools: new Set(),
      system: messages
        .filter((m) => m.role === 'system' || m.role === 'developer')
        .map((m) => textOf(m.content))
        .join('\n'),
      lastUser: textOf(users[users.length - 1]?.content),
      turn: messages.filter((m) => m.role === 'assistant').length,
      includeUsage: body.stream_options?.include_usage === true,
    };
  },
  reply(res, req, blocks, usage) {
    if (req.stream) stream(res, req.model, blocks, usage, req.includeUsage);
    else json(res, 200, completion(req.model, blocks, usage));
  },
  error(res, status, type, message) {
    json(res, status, { error: { type, message, code: type } });
  },
};
