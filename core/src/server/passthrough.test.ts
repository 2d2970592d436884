import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type Served } from '../test-support/serve.js';

let s: Served | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const hello = [{ role: 'user' as const, content: 'hello there' }];

describe('passthrough: a chat completion without a gauntlet block goes to the provider', () => {
  it('answers the official client, not streaming, and records the call without its content', async () => {
    s = await serve();
    const r = await s.client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0].message.content).toBe('Hello from the script');
    expect(r.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5 });
    const lines = (await s.server.flush(), await readFile(s.server.callLog, 'utf8'))
      .trim()
      .split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      stream: false,
      status: 200,
      input_tokens: 12,
      output_tokens: 5,
    });
    expect(entry.cost_usd).toBeCloseTo((12 * 0.15 + 5 * 0.6) / 1e6, 12);
    // What was said stays with the client: neither the question nor the answer is kept.
    expect(lines[0]).not.toMatch(/hello|Hello from the script/);
  });

  it('streams through to the official client, deltas and all', async () => {
    s = await serve();
    const stream = await s.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    expect(text).toBe('Hello from the script');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(5);
    const entry = JSON.parse(
      (await s.server.flush(), await readFile(s.server.callLog, 'utf8')).trim(),
    );
    expect(entry).toMatchObject({ stream: true, status: 200, output_tokens: 5 });
  });

  it('takes an explicit provider prefix and sends the provider the bare model name', async () => {
    s = await serve();
    const r = await s.client.chat.completions.create({
      model: 'openai/my-finetune',
      messages: hello,
    });
    expect(r.model).toBe('my-finetune');
    const entry = JSON.parse(
      (await s.server.flush(), await readFile(s.server.callLog, 'utf8')).trim(),
    );
    expect(entry).toMatchObject({ model: 'my-finetune', price_unknown: true });
  });

  it('sends the host key to the provider, never the client’s credentials', async () => {
    // A provider on loopback that answers like OpenAI and keeps the headers it was sent.
    const seen: Record<string, unknown>[] = [];
    const provider = createServer((req, res) => {
      seen.push({ ...req.headers });
      req.resume().on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 0,
            model: 'gpt-4o',
            choices: [
              { index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' },
            ],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        ),
      );
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    const port = (provider.address() as AddressInfo).port;
    try {
      s = await serve({
        files: {
          '.gauntlet/gauntlet.yaml': `providers:\n  openai:\n    base_url: http://127.0.0.1:${port}\n`,
        },
        env: { OPENAI_API_KEY: 'sk-host-key-0123456789' },
      });
      const client = new OpenAI({
        baseURL: `${s.server.url}/v1`,
        apiKey: 'sk-client-secret-0123456789',
        maxRetries: 0,
      });
      const r = await client.chat.completions.create({ model: 'gpt-4o', messages: hello });
      expect(r.choices[0].message.content).toBe('hi');
      expect(seen).toHaveLength(1);
      expect(seen[0].authorization).toBe('Bearer sk-host-key-0123456789');
      expect(JSON.stringify(seen[0])).not.toContain('sk-client-secret');
    } finally {
      provider.close();
    }
  });

  it('refuses a model no configured provider serves, naming the field', async () => {
    s = await serve();
    const e = await s.client.chat.completions
      .create({ model: 'claude-sonnet-4-6', messages: hello })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect(e.status).toBe(503);
    expect(e.error).toMatchObject({
      type: 'server_error',
      code: 'provider_not_configured',
      param: 'model',
    });
    expect(e.error.message).toMatch(/ANTHROPIC_API_KEY or providers\.anthropic/);
  });

  it('tells a client that named an agent without a block how to launch it', async () => {
    s = await serve();
    const e = await s.client.chat.completions
      .create({ model: 'claude-code', messages: hello })
      .catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({ code: 'model_is_agent', param: 'model' });
  });
});
