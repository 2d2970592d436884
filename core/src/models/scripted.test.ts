import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveScript, type Script } from './scripted.js';
import { parseResponse } from './wire.js';

const script: Script = {
  rules: [
    { when: { last_user: 'weather in (\\w+)' }, reply: { text: 'Sunny in {{1}}.', usage: { input_tokens: 11, output_tokens: 5 } } },
    { when: { last_user: 'use a tool' }, reply: { tool_use: { name: 'lookup', input: { q: 'x' } } } },
    { when: { last_user: 'fail' }, reply: { error: { status: 529, type: 'overloaded_error', message: 'busy' } } },
    { when: { last_user: 'count' }, replies: [{ text: 'one' }, { text: 'two' }] },
  ],
};

describe('scripted model server', () => {
  let srv: Awaited<ReturnType<typeof serveScript>>;
  let client: Anthropic;
  beforeAll(async () => {
    srv = await serveScript(script);
    client = new Anthropic({ baseURL: srv.url, apiKey: 'test', maxRetries: 0 });
  });
  afterAll(() => srv.close());

  it('answers the Anthropic SDK, non-streaming, with captures filled', async () => {
    const m = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'weather in Paris?' }] });
    expect(m.content).toEqual([{ type: 'text', text: 'Sunny in Paris.' }]);
    expect(m.usage).toMatchObject({ input_tokens: 11, output_tokens: 5 });
  });

  it('streams to the Anthropic SDK, including tool_use input deltas', async () => {
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'please use a tool' }] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'lookup', input: { q: 'x' } });
  });

  it('returns scripted errors with their status', async () => {
    await expect(client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'fail' }] })).rejects.toMatchObject({ status: 529 });
  });

  it('consumes `replies` in order', async () => {
    const ask = async () => (await client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'count' }] })).content[0];
    expect(await ask()).toMatchObject({ text: 'one' });
    expect(await ask()).toMatchObject({ text: 'two' });
    await expect(ask()).rejects.toMatchObject({ status: 404 });
  });

  it('speaks OpenAI chat completions, streaming with usage', async () => {
    const res = await fetch(`${srv.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'weather in Oslo' }] }),
    });
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const parsed = parseResponse('openai', 'text/event-stream', text);
    expect(parsed.text).toBe('Sunny in Oslo.');
    expect(parsed.usage).toEqual({ input_tokens: 11, output_tokens: 5 });
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('speaks OpenAI chat completions with tool calls, non-streaming', async () => {
    const res = await fetch(`${srv.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'use a tool' }] }) });
    const body = (await res.json()) as any;
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(JSON.parse(body.choices[0].message.tool_calls[0].function.arguments)).toEqual({ q: 'x' });
  });
});
