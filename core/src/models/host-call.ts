import Anthropic from '@anthropic-ai/sdk';
import { newId } from '../util/hash.js';
import type { ModelTarget } from './target.js';
import type { ModelCall } from './wire.js';

/**
 * The record of one call the host makes on its own behalf (the user or tool simulator), opened
 * before the call and filled in by `settleHostCall` once it answers.
 */
export function openHostCall(t: ModelTarget, purpose: ModelCall['purpose']): ModelCall {
  const call: ModelCall = {
    id: newId('mc_'),
    provider: t.format,
    model: t.model,
    stream: false,
    status: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    latency_ms: 0,
    started_at: new Date().toISOString(),
    purpose,
  };
  if (!t.prices.knows(t.model)) call.price_unknown = true;
  return call;
}

/** Fills in an answered call: status, latency, tokens and cost. */
export function settleHostCall(
  t: ModelTarget,
  call: ModelCall,
  usage: { input: number; output: number },
) {
  call.status = 200;
  call.latency_ms = Date.now() - Date.parse(call.started_at);
  call.input_tokens = usage.input;
  call.output_tokens = usage.output;
  call.cost_usd = t.prices.cost(t.model, usage.input, usage.output);
}

/**
 * One forced tool call to a model the host calls on its own behalf (the judge, the user and
 * tool simulators, the ledger draft), in its wire format, through the host relay.
 */
export async function callTool(
  t: ModelTarget,
  system: string,
  prompt: string,
  tool: { name: string; description: string; input_schema: object },
  maxTokens = 1024,
): Promise<{ args: unknown; input: number; output: number }> {
  prompt = t.redact ? t.redact(prompt) : prompt;
  if (t.format === 'anthropic') {
    const client = new Anthropic({
      baseURL: t.baseUrl,
      apiKey: t.token,
      maxRetries: 2,
      timeout: 120_000,
    });
    const msg = await client.messages.create({
      model: t.model,
      max_tokens: maxTokens,
      system,
      messages: [{ role: 'user', content: prompt }],
      tools: [tool as unknown as Anthropic.Tool],
      tool_choice: { type: 'tool', name: tool.name },
    });
    const use = msg.content.find((b) => b.type === 'tool_use');
    return {
      args: use && 'input' in use ? use.input : undefined,
      input: msg.usage.input_tokens,
      output: msg.usage.output_tokens,
    };
  }
  const res = await fetch(`${t.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
    body: JSON.stringify({
      model: t.model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: prompt },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: tool.name,
            description: tool.description,
            parameters: tool.input_schema,
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: tool.name } },
    }),
    signal: AbortSignal.timeout(120_000),
  });
  if (!res.ok)
    throw new Error(`judge model answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as any;
  const call = body.choices?.[0]?.message?.tool_calls?.[0];
  let args: unknown;
  try {
    args = call ? JSON.parse(call.function.arguments) : undefined;
  } catch {
    args = undefined;
  }
  return {
    args,
    input: body.usage?.prompt_tokens ?? 0,
    output: body.usage?.completion_tokens ?? 0,
  };
}
