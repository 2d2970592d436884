import type { ServerResponse } from 'node:http';
import { newId } from '../../util/hash.js';
import type { ReplyBlock, Usage } from '../wire.js';
import { json, sse, startSse, halves, textOf, type Dialect } from './types.js';

function content(b: ReplyBlock) {
  if (b.type === 'thinking')
    return { type: 'thinking', thinking: b.thinking, signature: 'scripted' };
  return b;
}

const stopReason = (blocks: ReplyBlock[]) =>
  blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';

function message(model: string, blocks: ReplyBlock[], usage: Usage) {
  return {
    id: `msg_${newId()}`,
    type: 'message',
    role: 'assistant',
    model,
    content: blocks.map(content),
    stop_reason: stopReason(blocks),
    stop_sequence: null,
    usage,
  };
}

function stream(res: ServerResponse, model: string, blocks: ReplyBlock[], usage: Usage) {
  startSse(res, { 'request-id': `req_${newId()}` });
  const msg = message(model, [], { input_tokens: usage.input_tokens, output_tokens: 1 });
  sse(res, 'message_start', { type: 'message_start', message: { ...msg, stop_reason: null } });
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      for (const part of halves(b.text))
        sse(res, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: part },
        });
    } else if (b.type === 'thinking') {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'thinking_delta', thinking: b.thinking },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'signature_delta', signature: 'scripted' },
      });
    } else {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) },
      });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason(blocks), stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** Anthropic Messages API (`POST /v1/messages`), streaming and not. */
export const anthropic: Dialect = {
  id: 'anthropic',
  read(body, raw) {
    const messages: any[] = body.messages ?? [];
    const users = messages.filter((m) => m.role === 'user');
    return {
      model: String(body.model ?? ''),
      stream: body.stream === true,
      system: textOf(body.system),
      raw,
      includeUsage: false,
      customTools: new Set(),
      lastUser: textOf(users[users.length - 1]?.content),
      turn: messages.filter((m) => m.role === 'assistant').length,
    };
  },
  reply(res, req, blocks, usage) {
    if (req.stream) stream(res, req.model, blocks, usage);
    else json(res, 200, message(req.model, blocks, usage), { 'request-id': `req_${newId()}` });
  },
  error(res, status, type, message) {
    json(res, status, { type: 'error', error: { type, message } });
  },
};
