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
