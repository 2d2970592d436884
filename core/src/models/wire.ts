import type { ToolResult } from '../results/record.js';

// What the relay records (ModelCall, ToolResult) is a shape of the stored record schema.
export type { ModelCall, ToolResult } from '../results/record.js';

/** Provider-neutral shapes that the scripted model renders into each wire format. */
export type WireFormat = 'anthropic' | 'openai' | 'gemini';

/** Gemini puts the model and the method in the path: /v1beta/models/{model}:{method}. */
export const GEMINI_PATH =
  /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> }
  | { type: 'thinking'; thinking: string };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

const RESULT_CAP = 4000;

function resultText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v
      .map((c) => (typeof c === 'string' ? c : typeof c?.text === 'string' ? c.text : ''))
      .join('\n');
  return JSON.stringify(v ?? null);
}

/**
 * The tool results a request carries back to the model, newest turn only: CLIs show the model
 * more than they print (Gemini CLI's shell tool reports its exit code only to the model).
 */
export function requestToolResults(format: WireFormat, body: any, path = ''): ToolResult[] {
  const out: ToolResult[] = [];
  const push = (id: unknown, output: unknown, name?: unknown) => {
    const text = resultText(output);
    out.push({
      id: String(id ?? ''),
      ...(typeof name === 'string' ? { name } : {}),
      output: text.length > RESULT_CAP ? `…${text.slice(-RESULT_CAP)}` : text,
    });
  };
  if (format === 'anthropic') {
    const last = Array.isArray(body?.messages)
      ? body.messages[body.messages.length - 1]
      : undefined;
    if (last?.role === 'user' && Array.isArray(last.content))
      for (const c of last.content) if (c?.type === 'tool_result') push(c.tool_use_id, c.content);
  } else if (format === 'gemini') {
    const last = Array.isArray(body?.contents)
      ? body.contents[body.contents.length - 1]
      : undefined;
    if (last?.role !== 'model')
      for (const p of last?.parts ?? [])
        if (p?.functionResponse)
          push(
            p.functionResponse.id ?? p.functionResponse.name,
            p.functionResponse.response?.output ?? p.functionResponse.response,
            p.functionResponse.name,
          );
  } else {
    const list: any[] = path.endsWith('/responses')
      ? Array.isArray(body?.input)
        ? body.input
        : []
      : Array.isArray(body?.messages)
        ? body.messages
        : [];
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i];
      if (m?.role === 'tool') push(m.tool_call_id, m.content);
      else if (typeof m?.type === 'string' && m.type.endsWith('_call_output'))
        push(m.call_id, m.output);
      else break;
    }
    out.reverse();
  }
  return out;
}

/** Reads usage and a preview from an Anthropic, OpenAI (chat or Responses) or Gemini response body (JSON or SSE). */
export function parseResponse(
  format: WireFormat,
  contentType: string,
  body: string,
): { model?: string; usage: Usage; text: string; tool_uses: { name: string; input: unknown }[] } {
  const usage: Usage = { input_tokens: 0, output_tokens: 0 };
  let text = '';
  let model: string | undefined;
  const tool_uses: { name: string; input: unknown }[] = [];
  const objects: any[] = [];
  if (contentType.includes('text/event-stream')) {
    for (const line of body.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (!data || data === '[DONE]') continue;
      try {
        objects.push(JSON.parse(data));
      } catch {
        /* partial or non-JSON event lines are skipped */
      }
    }
  } else {
    try {
      objects.push(JSON.parse(body));
    } catch {
      return { usage, text: '', tool_uses };
    }
  }
  const partialTools = new Map<number, { name: string; json: string }>();
  for (const o of objects) {
    if (format === 'anthropic') {
      if (o.type === 'message') {
        model = o.model;
        usage.input_tokens = o.usage?.input_tokens ?? 0;
        usage.output_tokens = o.usage?.output_tokens ?? 0;
        for (const b of o.content ?? []) {
          if (b.type === 'text') text += b.text;
          if (b.type === 'tool_use') tool_uses.push({ name: b.name, input: b.input });
        }
      } else if (o.type === 'message_start') {
        model = o.message?.model;
        usage.input_tokens =
          (o.message?.usage?.input_tokens ?? 0) +
          (o.message?.usage?.cache_read_input_tokens ?? 0) +
          (o.message?.usage?.cache_creation_input_tokens ?? 0);
        usage.output_tokens = o.message?.usage?.output_tokens ?? 0;
      } else if (o.type === 'content_block_start' && o.content_block?.type === 'tool_use') {
        partialTools.set(o.index, { name: o.content_block.name, json: '' });
      } else if (o.type === 'content_block_delta') {
        if (o.delta?.type === 'text_delta') text += o.delta.text;
        if (o.delta?.type === 'input_json_delta') {
          const t = partialTools.get(o.index);
          if (t) t.json += o.delta.partial_json;
        }
      } else if (o.type === 'message_delta' && o.usage) {
        usage.output_tokens = o.usage.output_tokens ?? usage.output_tokens;
        if (o.usage.input_tokens) usage.input_tokens = o.usage.input_tokens;
      }
    } else if (format === 'gemini') {
      // Every chunk may carry usageMetadata; the last one holds the totals.
      for (const g of Array.isArray(o) ? o : [o]) {
        if (g.modelVersion) model = g.modelVersion;
        if (g.usageMetadata) {
          usage.input_tokens = g.usageMetadata.promptTokenCount ?? 0;
          usage.output_tokens =
            (g.usageMetadata.candidatesTokenCount ?? 0) + (g.usageMetadata.thoughtsTokenCount ?? 0);
        }
        for (const p of g.candidates?.[0]?.content?.parts ?? []) {
          if (typeof p.text === 'string' && !p.thought) text += p.text;
          if (p.functionCall)
            tool_uses.push({ name: p.functionCall.name, input: p.functionCall.args ?? {} });
        }
      }
    } else if (o.object === 'response' || String(o.type ?? '').startsWith('response.')) {
      // OpenAI Responses: the final response object (JSON, or in response.completed) has it all.
      const r =
        o.object === 'response'
          ? o
          : o.type === 'response.completed' ||
              o.type === 'response.incomplete' ||
              o.type === 'response.failed'
            ? o.response
            : undefined;
      if (!r) continue;
      model = r.model ?? model;
      usage.input_tokens = r.usage?.input_tokens ?? 0;
      usage.output_tokens = r.usage?.output_tokens ?? 0;
      for (const item of r.output ?? []) {
        if (item.type === 'message') for (const c of item.content ?? []) text += c.text ?? '';
        if (item.type === 'function_call')
          tool_uses.push({ name: item.name, input: safeJson(item.arguments) });
        if (item.type === 'custom_tool_call')
          tool_uses.push({ name: item.name, input: item.input });
      }
    } else {
      if (o.model) model = o.model;
      if (o.usage) {
        usage.input_tokens = o.usage.prompt_tokens ?? o.usage.input_tokens ?? 0;
        usage.output_tokens = o.usage.completion_tokens ?? o.usage.output_tokens ?? 0;
      }
      for (const c of o.choices ?? []) {
        const m = c.message ?? c.delta ?? {};
        if (typeof m.content === 'string') text += m.content;
        for (const tc of m.tool_calls ?? []) {
          if (c.message)
            tool_uses.push({ name: tc.function?.name, input: safeJson(tc.function?.arguments) });
          else {
            const t = partialTools.get(tc.index ?? 0) ?? { name: '', json: '' };
            if (tc.function?.name) t.name = tc.function.name;
            t.json += tc.function?.arguments ?? '';
            partialTools.set(tc.index ?? 0, t);
          }
        }
      }
    }
  }
  for (const t of partialTools.values()) tool_uses.push({ name: t.name, input: safeJson(t.json) });
  return { model, usage, text, tool_uses };
}

function safeJson(s: string | undefined): unknown {
  try {
    return s ? JSON.parse(s) : {};
  } catch {
    return s;
  }
}
