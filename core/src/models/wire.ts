/** Provider-neutral shapes that the scripted model renders into each wire format. */
export type WireFormat = 'anthropic' | 'openai';

export type ReplyBlock = { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> } | { type: 'thinking'; thinking: string };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

/** A model call as recorded for the trajectory, cost accounting and cassettes. */
export interface ModelCall {
  id: string;
  provider: WireFormat;
  model: string;
  stream: boolean;
  status: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number;
  started_at: string;
  /** Who made it: the agent (through the gateway) or the judge/simulator on the host. */
  purpose: 'agent' | 'judge' | 'simulator';
  error?: string;
  /** Short text of what the model answered, for the trajectory view. */
  response_preview?: string;
  tool_uses?: { name: string; input: unknown }[];
  actor_id?: string;
}

/** Reads usage and a preview from an Anthropic or OpenAI response body (JSON or SSE). */
export function parseResponse(format: WireFormat, contentType: string, body: string): { model?: string; usage: Usage; text: string; tool_uses: { name: string; input: unknown }[] } {
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
        usage.input_tokens = (o.message?.usage?.input_tokens ?? 0) + (o.message?.usage?.cache_read_input_tokens ?? 0) + (o.message?.usage?.cache_creation_input_tokens ?? 0);
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
          if (c.message) tool_uses.push({ name: tc.function?.name, input: safeJson(tc.function?.arguments) });
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
