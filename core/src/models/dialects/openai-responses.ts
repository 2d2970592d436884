import type { ServerResponse } from 'node:http';
import { newId } from '../../util/hash.js';
import type { ReplyBlock, Usage } from '../wire.js';
import { halves, json, sse, startSse, type Dialect, type ScriptedRequest } from './types.js';

/**
 * OpenAI Responses API (`POST /v1/responses`), the wire Codex speaks. Output items are
 * reasoning, message, function_call, and custom_tool_call for tools the client declared as
 * free-form (the scripted tool_use then carries its text in `input.input`).
 */

function partText(p: any): string {
  if (typeof p === 'string') return p;
  return typeof p?.text === 'string' ? p.text : '';
}

function itemText(item: any): string {
  if (typeof item?.content === 'string') return item.content;
  if (Array.isArray(item?.content)) return item.content.map(partText).join('\n');
  if (typeof item?.output === 'string') return item.output;
  if (Array.isArray(item?.output)) return item.output.map(partText).join('\n');
  return '';
}

const CALLS = new Set(['function_call', 'custom_tool_call', 'local_shell_call']);
const RESULTS = new Set([
  'function_call_output',
  'custom_tool_call_output',
  'local_shell_call_output',
]);

/** Free-form tool names, including those nested in namespaces and `additional_tools` items. */
function customTools(body: any): Set<string> {
  const out = new Set<string>();
  const walk = (tools: any[]) => {
    for (const t of tools ?? []) {
      if (t?.type === 'custom' && typeof t.name === 'string') out.add(t.name);
      if (t?.type === 'namespace') walk(t.tools);
    }
  };
  walk(body.tools);
  for (const it of Array.isArray(body.input) ? body.input : [])
    if (it?.type === 'additional_tools') walk(it.tools);
  return out;
}

type Item = Record<string, unknown> & { type: string; id: string };

function items(blocks: ReplyBlock[], req: ScriptedRequest): Item[] {
  const out: Item[] = [];
  for (const b of blocks) {
    if (b.type === 'thinking')
      out.push({
        type: 'reasoning',
        id: `rs_${newId()}`,
        summary: [{ type: 'summary_text', text: b.thinking }],
      });
    else if (b.type === 'text')
      out.push({
        type: 'message',
        id: `msg_${newId()}`,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: b.text, annotations: [] }],
      });
    else if (req.customTools.has(b.name)) {
      const input = typeof b.input.input === 'string' ? b.input.input : JSON.stringify(b.input);
      out.push({
        type: 'custom_tool_call',
        id: `ctc_${newId()}`,
        status: 'completed',
        call_id: `call_${newId()}`,
        name: b.name,
        input,
      });
    } else
      out.push({
        type: 'function_call',
        id: `fc_${newId()}`,
        status: 'completed',
        call_id: `call_${newId()}`,
        name: b.name,
        arguments: JSON.stringify(b.input),
      });
  }
  return out;
}

function response(id: string, model: string, status: string, output: Item[], usage?: Usage) {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model,
    output,
    parallel_tool_calls: false,
    tool_choice: 'auto',
    tools: [],
    error: null,
    incomplete_details: null,
    usage: usage
      ? {
          input_tokens: usage.input_tokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: usage.output_tokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.input_tokens + usage.output_tokens,
        }
      : null,
  };
}

function stream(res: ServerResponse, req: ScriptedRequest, output: Item[], usage: Usage) {
  startSse(res, { 'x-request-id': `req_${newId()}` });
  const id = `resp_${newId()}`;
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    sse(res, type, { type, sequence_number: seq++, ...data });
  ev('response.created', { response: response(id, req.model, 'in_progress', []) });
  ev('response.in_progress', { response: response(id, req.model, 'in_progress', []) });
  output.forEach((item, output_index) => {
    const base = { item_id: item.id, output_index };
    if (item.type === 'reasoning') {
      const text = (item.summary as { text: string }[])[0].text;
      ev('response.output_item.added', { output_index, item: { ...item, summary: [] } });
      ev('response.reasoning_summary_part.added', {
        ...base,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
      for (const delta of halves(text))
        ev('response.reasoning_summary_text.delta', { ...base, summary_index: 0, delta });
      ev('response.reasoning_summary_text.done', { ...base, summary_index: 0, text });
      ev('response.reasoning_summary_part.done', {
        ...base,
        summary_index: 0,
        part: { type: 'summary_text', text },
      });
    } else if (item.type === 'message') {
      const text = (item.content as { text: string }[])[0].text;
      ev('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      ev('response.content_part.added', {
        ...base,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      });
      for (const delta of halves(text))
        ev('response.output_text.delta', { ...base, content_index: 0, delta });
      ev('response.output_text.done', { ...base, content_index: 0, text });
      ev('response.content_part.done', {
        ...base,
        content_index: 0,
        part: { type: 'output_text', text, annotations: [] },
      });
    } else if (item.type === 'function_call') {
      ev('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      ev('response.function_call_arguments.delta', { ...base, delta: item.arguments });
      ev('response.function_call_arguments.done', { ...base, arguments: item.arguments });
    } else {
      ev('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', input: '' },
      });
      ev('response.custom_tool_call_input.delta', { ...base, delta: item.input });
      ev('response.custom_tool_call_input.done', { ...base, input: item.input });
    }
    ev('response.output_item.done', { output_index, item });
  });
  ev('response.completed', { response: response(id, req.model, 'completed', output, usage) });
  res.end();
}

export const openaiResponses: Dialect = {
  id: 'openai-responses',
  read(body, raw) {
    const input: any[] =
      typeof body.input === 'string'
        ? [{ type: 'message', role: 'user', content: body.input }]
        : Array.isArray(body.input)
          ? body.input
          : [];
    const system = [
      typeof body.instructions === 'string' ? body.instructions : '',
      ...input
        .filter(
          (i) =>
            (i.type === 'message' || !i.type) && (i.role === 'system' || i.role === 'developer'),
        )
        .map(itemText),
    ]
      .filter(Boolean)
      .join('\n');
    const userSide = input.filter(
      (i) => ((i.type === 'message' || !i.type) && i.role === 'user') || RESULTS.has(i.type),
    );
    // A model turn is a tool call, or an assistant message not followed by its own tool call.
    let turn = 0;
    input.forEach((i, n) => {
      if (CALLS.has(i.type)) turn++;
      else if (
        (i.type === 'message' || !i.type) &&
        i.role === 'assistant' &&
        !CALLS.has(input[n + 1]?.type)
      )
        turn++;
    });
    return {
      model: String(body.model ?? ''),
      stream: body.stream === true,
      system,
      lastUser: itemText(userSide[userSide.length - 1]),
      turn,
      raw,
      includeUsage: true,
      customTools: customTools(body),
    };
  },
  reply(res, req, blocks, usage) {
    const output = items(blocks, req);
    if (req.stream) stream(res, req, output, usage);
    else json(res, 200, response(`resp_${newId()}`, req.model, 'completed', output, usage));
  },
  error(res, status, type, message) {
    json(res, status, { error: { type, message, code: type, param: null } });
  },
};
