import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { newId } from '../util/hash.js';
import type { Cassette } from './cassette.js';
import type { PriceTable } from './prices.js';
import {
  GEMINI_PATH,
  parseResponse,
  requestToolResults,
  type ModelCall,
  type WireFormat,
} from './wire.js';

export interface Provider {
  format: WireFormat;
  /** Without the /v1 suffix, e.g. https://api.anthropic.com */
  baseUrl: string;
  apiKey?: string;
}

const FORWARD_HEADERS = [
  'content-type',
  'accept',
  'anthropic-version',
  'anthropic-beta',
  'openai-beta',
  'x-goog-api-client',
  'user-agent',
];

/**
 * Forwards model requests to the real provider with the real key (which never leaves the
 * host), records each call's tokens, cost and latency, and records or replays cassettes.
 * The per-run gateways and the host-side judge share one relay.
 */
export class ModelRelay {
  constructor(
    private readonly providers: Partial<Record<WireFormat, Provider>>,
    readonly prices: PriceTable,
    private readonly cassette?: Cassette,
  ) {}

  provider(format: WireFormat): Provider | undefined {
    return this.providers[format];
  }

  async forward(
    format: WireFormat,
    path: string,
    raw: Buffer,
    headers: IncomingHttpHeaders,
    purpose: ModelCall['purpose'],
    res: ServerResponse,
    opts: {
      /**
       * The wire format of the bodies when it is not the provider's own: a provider's
       * OpenAI-compatible endpoint (gauntlet serve's passthrough) is keyed as its provider and
       * read as OpenAI chat.
       */
      speaks?: WireFormat;
      /** Aborts the upstream call (the client went). */
      signal?: AbortSignal;
    } = {},
  ): Promise<ModelCall> {
    const started = Date.now();
    const speaks = opts.speaks ?? format;
    let body: any = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      /* forwarded as-is; the provider reports the error */
    }
    const call: ModelCall = {
      id: newId('mc_'),
      provider: format,
      status: 0,
      ...(speaks === 'gemini'
        ? {
            model: GEMINI_PATH.exec(path.split('?')[0])?.[2] ?? '',
            stream: /:streamGenerateContent/.test(path),
          }
        : { model: String(body.model ?? ''), stream: body.stream === true }),
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      latency_ms: 0,
      started_at: new Date(started).toISOString(),
      purpose,
    };
    const results = requestToolResults(speaks, body, path.split('?')[0]);
    if (results.length) call.tool_results = results;
    const finish = (status: number, contentType: string, text: string) => {
      call.status = status;
      call.latency_ms = Date.now() - started;
      const parsed = parseResponse(speaks, contentType, text);
      if (parsed.model) call.model = call.model || parsed.model;
      call.input_tokens = parsed.usage.input_tokens;
      call.output_tokens = parsed.usage.output_tokens;
      call.cost_usd = this.prices.cost(call.model, call.input_tokens, call.output_tokens);
      if (call.model && !this.prices.knows(call.model)) call.price_unknown = true;
      call.response_preview = parsed.text.slice(0, 2000);
      if (parsed.tool_uses.length) call.tool_uses = parsed.tool_uses;
      if (status >= 400) call.error = text.slice(0, 500);
      return call;
    };
    const key = this.cassette ? this.cassette.keyOf(format, path, body) : '';
    if (this.cassette?.mode === 'replay') {
      const hit = this.cassette.find(key);
      if (!hit) {
        const msg = `no cassette entry for this ${format} request (model ${call.model}); re-record the cassette`;
        res
          .writeHead(599, { 'content-type': 'application/json' })
          .end(JSON.stringify({ type: 'error', error: { type: 'cassette_miss', message: msg } }));
        return finish(599, 'application/json', JSON.stringify({ error: msg }));
      }
      res.writeHead(hit.status, { 'content-type': hit.content_type }).end(hit.body);
      return finish(hit.status, hit.content_type, hit.body);
    }
    const provider = this.providers[format];
    if (!provider) {
      const msg = `no ${format} provider is configured; set providers.${format} in gauntlet.yaml`;
      res
        .writeHead(502, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ type: 'error', error: { type: 'proxy_misconfigured', message: msg } }),
        );
      return finish(502, 'application/json', JSON.stringify({ error: msg }));
    }
    const out: Record<string, string> = {};
    for (const h of FORWARD_HEADERS)
      if (typeof headers[h] === 'string') out[h] = headers[h] as string;
    if (provider.apiKey) {
      if (format === 'anthropic') out['x-api-key'] = provider.apiKey;
      else if (format === 'gemini') out['x-goog-api-key'] = provider.apiKey;
      else out.authorization = `Bearer ${provider.apiKey}`;
    }
    let upstream: Response;
    try {
      upstream = await fetch(provider.baseUrl.replace(/\/$/, '') + path, {
        method: 'POST',
        headers: out,
        body: new Uint8Array(raw),
        signal: opts.signal,
      });
    } catch (e) {
      const msg = `provider unreachable: ${(e as Error).message}`;
      res
        .writeHead(502, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'error', error: { type: 'transport_error', message: msg } }));
      return finish(502, 'application/json', JSON.stringify({ error: msg }));
    }
    const contentType = upstream.headers.get('content-type') ?? 'application/json';
    res.writeHead(upstream.status, {
      'content-type': contentType,
      ...(upstream.headers.get('request-id')
        ? { 'request-id': upstream.headers.get('request-id')! }
        : {}),
    });
    const chunks: Buffer[] = [];
    if (upstream.body) {
      for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
        const b = Buffer.from(chunk);
        chunks.push(b);
        res.write(b);
      }
    }
    res.end();
    const text = Buffer.concat(chunks).toString('utf8');
    this.cassette?.mode === 'record' &&
      this.cassette.record({
        key,
        format,
        path,
        request: body,
        status: upstream.status,
        content_type: contentType,
        body: text,
      });
    return finish(upstream.status, contentType, text);
  }
}
