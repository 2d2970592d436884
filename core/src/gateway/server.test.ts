import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PriceTable } from '../models/prices.js';
import { ModelRelay } from '../models/relay.js';
import { serveScript } from '../models/scripted.js';
import { Gateway } from './server.js';
import type { ToolCallRequest, ToolHandler } from './tool-handler.js';

const TOKEN = 'gt_run_token_abcdef';
const KEY = 'sk-ant-real-provider-key';

/** A fake provider on loopback that remembers the headers it was sent. */
async function provider() {
  const seen: IncomingHttpHeaders[] = [];
  const srv = createServer((req, res) => {
    seen.push(req.headers);
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          type: 'message',
          model: 'claude-haiku-4-5',
          content: [{ type: 'text', text: 'hi' }],
          usage: { input_tokens: 1000, output_tokens: 200 },
        }),
      );
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    seen,
    close: () => srv.close(),
  };
}

/** Talks to the gateway over its unix socket, the way the in-sandbox forwarder does. */
function call(
  socket: string,
  path: string,
  headers: Record<string, string>,
  body = '{}',
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(
      {
        socketPath: socket,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (r) => {
        let b = '';
        r.on('data', (c) => (b += c)).on('end', () => res({ status: r.statusCode!, body: b }));
      },
    );
    req.on('error', rej);
    req.end(body);
  });
}

function get(socket: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((res, rej) => {
    request({ socketPath: socket, path, method: 'GET', headers }, (r) => {
      let b = '';
      r.on('data', (c) => (b += c)).on('end', () => res({ status: r.statusCode!, body: b }));
    })
      .on('error', rej)
      .end();
  });
}

describe('gateway', () => {
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  async function setup(tools?: ToolHandler) {
    const p = await provider();
    closers.push(p.close);
    const relay = new ModelRelay(
      { anthropic: { format: 'anthropic', baseUrl: p.url, apiKey: KEY } },
      new PriceTable(),
    );
    const socket = join(mkdtempSync(join(tmpdir(), 'gw-')), 'gw.sock');
    const gw = await new Gateway({
      listen: { socket },
      token: TOKEN,
      relay,
      tools,
    }).start();
    closers.push(() => gw.close());
    return { p, gw, socket };
  }

  it('swaps the run token for the provider key and records the call with cost', async () => {
    const { p, gw, socket } = await setup();
    const r = await call(
      socket,
      '/v1/messages?beta=true',
      { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' },
      JSON.stringify({ model: 'claude-haiku-4-5', messages: [] }),
    );
    expect(r.status).toBe(200);
    expect(p.seen[0]['x-api-key']).toBe(KEY);
    expect(JSON.stringify(p.seen[0])).not.toContain(TOKEN);
    expect(gw.modelCalls[0]).toMatchObject({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      input_tokens: 1000,
      output_tokens: 200,
      status: 200,
    });
    expect(gw.modelCalls[0].cost_usd).toBeCloseTo((1000 * 1 + 200 * 5) / 1e6);
  });

  it('refuses a missing or wrong token, and every request after revocation', async () => {
    const { p, gw, socket } = await setup();
    expect((await call(socket, '/v1/messages', {})).status).toBe(401);
    expect((await call(socket, '/v1/messages', { authorization: 'Bearer nope' })).status).toBe(401);
    gw.revoke();
    const r = await call(
      socket,
      '/trace-events',
      { authorization: `Bearer ${TOKEN}` },
      JSON.stringify({ type: 'custom' }),
    );
    expect(r.status).toBe(401);
    expect(r.body).toContain('revoked');
    expect(p.seen).toHaveLength(0);
  });

  it('records trace events with __occurred_at and actor_id, and rejects unknown types', async () => {
    const { gw, socket } = await setup();
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(
      (
        await call(
          socket,
          '/trace-events',
          auth,
          JSON.stringify([
            {
              type: 'thinking',
              text: 'hmm',
              actor_id: 'planner',
              __occurred_at: '2026-01-01T00:00:00Z',
            },
          ]),
        )
      ).status,
    ).toBe(202);
    expect(
      (await call(socket, '/trace-events', auth, JSON.stringify({ type: 'bogus' }))).status,
    ).toBe(400);
    expect(gw.traceEvents).toEqual([
      expect.objectContaining({
        type: 'thinking',
        actor_id: 'planner',
        occurred_at: '2026-01-01T00:00:00.000Z',
        data: { text: 'hmm' },
      }),
    ]);
  });

  it('routes GET /tools and POST /tools/{name} to the tool handler, with the actor', async () => {
    const seen: ToolCallRequest[] = [];
    const handler: ToolHandler = {
      calls: [],
      list: () => [{ name: 'get_order', input_schema: { type: 'object' } }],
      call: async (r) => (seen.push(r), { status: 200, body: { order_id: '4521' } }),
      refuse: (name, actor, kept, error) =>
        handler.calls.push({
          id: 'x',
          name,
          source: 'error',
          args: kept,
          error,
          latency_ms: 0,
          started_at: '',
          ...(actor ? { actor_id: actor } : {}),
        }),
    };
    const { gw, socket } = await setup(handler);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const list = await get(socket, '/tools', auth);
    expect(JSON.parse(list.body).tools.map((t: { name: string }) => t.name)).toEqual(['get_order']);
    const r = await call(
      socket,
      '/tools/get_order',
      { ...auth, 'x-gauntlet-actor': 'a/b' },
      '{"order_id":"4521"}',
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ order_id: '4521' });
    expect(seen[0]).toMatchObject({ name: 'get_order', actor: 'a/b' });
    expect(seen[0].body.toString()).toBe('{"order_id":"4521"}');
    // A body refused before the handler sees it is still the handler's row.
    const deep = '['.repeat(80) + ']'.repeat(80);
    expect((await call(socket, '/tools/get_order', auth, deep)).status).toBe(400);
    expect(gw.toolCalls[0].error).toMatch(/nested deeper/);
    // The route exists for POST and GET only where declared.
    expect((await get(socket, '/tools/get_order', auth)).status).toBe(405);
    expect((await get(socket, '/nowhere', auth)).status).toBe(404);
  });

  it('answers every tool as undeclared when the run has none, recording each call', async () => {
    const { gw, socket } = await setup();
    const auth = { authorization: `Bearer ${TOKEN}` };
    const r = await call(socket, '/tools/get_order', auth, JSON.stringify({ order_id: '4521' }));
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error.type).toBe('unknown_tool');
    expect(gw.toolCalls.map((t) => [t.name, t.source, t.fault])).toEqual([
      ['get_order', 'error', 'agent'],
    ]);
  });

  it("relays Codex (Responses API) and Gemini CLI traffic with each provider's key, recording model, tokens and tool results", async () => {
    const scripted = await serveScript({
      rules: [],
      fallback: { text: 'ok', usage: { input_tokens: 120, output_tokens: 7 } },
    });
    closers.push(scripted.close);
    const seen: IncomingHttpHeaders[] = [];
    // A loopback hop in front of the scripted model shows which key the relay sent.
    const hop = createServer((req, res) => {
      seen.push(req.headers);
      const up = request(
        scripted.url + req.url,
        { method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode!, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => hop.listen(0, '127.0.0.1', r));
    closers.push(() => hop.close());
    const url = `http://127.0.0.1:${(hop.address() as AddressInfo).port}`;
    const relay = new ModelRelay(
      {
        openai: { format: 'openai', baseUrl: url, apiKey: 'sk-openai-real' },
        gemini: { format: 'gemini', baseUrl: url, apiKey: 'AIza-real' },
      },
      new PriceTable(),
    );
    const socket = join(mkdtempSync(join(tmpdir(), 'gw-')), 'gw.sock');
    const gw = await new Gateway({ listen: { socket }, token: TOKEN, relay }).start();
    closers.push(() => gw.close());

    const codex = await call(
      socket,
      '/v1/responses',
      { authorization: `Bearer ${TOKEN}` },
      JSON.stringify({
        model: 'gpt-5.1-codex',
        stream: true,
        input: [
          { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'done' },
        ],
      }),
    );
    expect(codex.status).toBe(200);
    expect(seen[0].authorization).toBe('Bearer sk-openai-real');
    const gemini = await call(
      socket,
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
      { 'x-goog-api-key': TOKEN },
      JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    );
    expect(gemini.status).toBe(200);
    expect(seen[1]['x-goog-api-key']).toBe('AIza-real');
    expect(JSON.stringify(seen)).not.toContain(TOKEN);
    expect(
      gw.modelCalls.map((c) => [
        c.provider,
        c.model,
        c.stream,
        c.input_tokens,
        c.output_tokens,
        c.response_preview,
      ]),
    ).toEqual([
      ['openai', 'gpt-5.1-codex', true, 120, 7, 'ok'],
      ['gemini', 'gemini-2.5-pro', true, 120, 7, 'ok'],
    ]);
    expect(gw.modelCalls[0].tool_results).toEqual([{ id: 'c1', output: 'done' }]);
    expect(gw.modelCalls[0].cost_usd).toBeGreaterThan(0);
    // A wrong Gemini key is refused like any other.
    expect(
      (await call(socket, '/v1beta/models/g:generateContent', { 'x-goog-api-key': 'nope' })).status,
    ).toBe(401);
  });
});
