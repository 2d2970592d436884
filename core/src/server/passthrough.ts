import { DEFAULT_KEY, modelFormat } from '../models/environment.js';
import type { WireFormat } from '../models/wire.js';
import { agentNames, type ServeContext } from './context.js';
import { ApiError, invalid } from './errors.js';
import type { RouteContext } from './routes.js';

/**
 * Where each provider answers OpenAI chat completions. OpenAI natively; Anthropic and Gemini
 * through their OpenAI-compatible endpoints; a scripted provider speaks every dialect at its
 * usual path.
 */
const CHAT_PATH: Record<WireFormat, string> = {
  openai: '/v1/chat/completions',
  anthropic: '/v1/chat/completions',
  gemini: '/v1beta/openai/chat/completions',
};

/**
 * The provider that serves a model name: `anthropic/…`, `openai/…`, `gemini/…` explicitly,
 * else by family (claude, gpt and o-series, gemini), else the only provider configured.
 */
export function providerOf(
  name: string,
  configured: WireFormat[],
): { format: WireFormat; model: string } | undefined {
  const g = /^gemini\/(.+)$/.exec(name);
  if (g) return { format: 'gemini', model: g[1] };
  const f = modelFormat(name);
  if (f) return f;
  if (/^gemini/i.test(name)) return { format: 'gemini', model: name };
  if (configured.length === 1) return { format: configured[0], model: name };
  return undefined;
}

/**
 * POST /v1/chat/completions without a `gauntlet` block: the request goes to the model's
 * provider through the model relay, which holds the provider key (the client's own
 * Authorization is never forwarded) and measures the call; streaming or not, the provider's
 * answer is relayed as it comes.
 */
export async function passthrough(ctx: ServeContext, rc: RouteContext) {
  const { body } = rc;
  const name = body!.model as string;
  if (agentNames(ctx).includes(name))
    throw invalid(
      `"${name}" is an agent, not a model: add a "gauntlet" block ({"runbook": true}) to ` +
        'launch a run with it, or name a model to pass through',
      'model',
      'model_is_agent',
    );
  const providers = ctx.models.providers;
  const configured = (Object.keys(providers) as WireFormat[]).filter((f) => providers[f]);
  const target = providerOf(name, configured);
  if (!target)
    throw invalid(
      `cannot tell which provider serves model "${name}": write it as openai/${name}, ` +
        `anthropic/${name} or gemini/${name}`,
      'model',
      'model_not_found',
    );
  const p = providers[target.format];
  if (!ctx.replaying && (!p || (!p.scripted && !p.apiKey)))
    throw new ApiError(
      503,
      'server_error',
      `model "${name}" needs the ${target.format} provider, which this server has no key for: ` +
        `set ${p?.keyName ?? DEFAULT_KEY[target.format]} or providers.${target.format} in ` +
        'gauntlet.yaml where gauntlet serve runs',
      'provider_not_configured',
      'model',
    );
  const path = p?.scripted ? '/v1/chat/completions' : CHAT_PATH[target.format];
  const raw = Buffer.from(JSON.stringify({ ...body, model: target.model }));
  // Watched from before the call, so flush() covers a call whose answer the client already has.
  await ctx.calls.watch(relayed(ctx, rc, target, path, raw));
}

async function relayed(
  ctx: ServeContext,
  { req, res, body, signal }: RouteContext,
  target: { format: WireFormat; model: string },
  path: string,
  raw: Buffer,
) {
  const started = Date.now();
  let call;
  try {
    call = await ctx.models.relay.forward(target.format, path, raw, req.headers, 'agent', res, {
      speaks: 'openai',
      signal,
    });
  } catch (e) {
    if (!signal.aborted) throw e;
    // The client went mid-answer: the upstream call was aborted with it.
    if (!res.writableEnded) res.destroy();
    await ctx.calls.record(
      {
        id: 'cancelled',
        provider: target.format,
        model: target.model,
        stream: body!.stream === true,
        status: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        latency_ms: Date.now() - started,
        started_at: new Date(started).toISOString(),
        purpose: 'agent',
      },
      true,
    );
    return;
  }
  await ctx.calls.record(call);
}
