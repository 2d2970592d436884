import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveScript, type Script } from './scripted.js';
import { parseResponse, requestToolResults } from './wire.js';

const script: Script = {
  rules: [
    {
      when: { last_user: 'weather in (\\w+)' },
      reply: { text: 'Sunny in {{1}}.', usage: { input_tokens: 11, output_tokens: 5 } },
    },
    {
      when: { last_user: 'use a tool' },
      reply: { tool_use: { name: 'lookup', input: { q: 'x' } } },
    },
    {
      when: { last_user: 'fail' },
      reply: { error: { status: 529, type: 'overloaded_error', message: 'busy' } },
    },
    { when: { last_user: 'count' }, replies: [{ text: 'one' }, { text: 'two' }] },
    {
      when: { last_user: 'patch it' },
      reply: {
        thinking: 'small fix',
        text: 'Patching.',
        tool_use: { name: 'apply_patch', input: { input: '*** Begin Patch\n*** End Patch' } },
      },
    },
    {
      when: { system: 'coder', turn: 1, last_user: 'exit 0' },
      reply: { text: 'done after {{0}}' },
    },
  ],
};

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('scripted model server', () => {
  let srv: Awaited<ReturnType<typeof serveScript>>;
  let client: Anthropic;
  beforeAll(async () => {
    srv = await serveScript(script);
    client = new Anthropic({ baseURL: srv.url, apiKey: 'test', maxRetries: 0 });
  });
  afterAll(() => srv.close());

  it('answers the Anthropic SDK, non-streaming, with captures filled', async () => {
    const m = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
    });
    expect(m.content).toEqual([{ type: 'text', text: 'Sunny in Paris.' }]);
    expect(m.usage).toMatchObject({ input_tokens: 11, output_tokens: 5 });
  });

  it('streams to the Anthropic SDK, including tool_use input deltas', async () => {
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'please use a tool' }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'lookup', input: { q: 'x' } });
  });

  it('returns scripted errors with their status', async () => {
    await expect(
      client.messages.create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'fail' }],
      }),
    ).rejects.toMatchObject({ status: 529 });
  });

  it('consumes `replies` in order', async () => {
    const ask = async () =>
      (
        await client.messages.create({
          model: 'm',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'count' }],
        })
      ).content[0];
    expect(await ask()).toMatchObject({ text: 'one' });
    expect(await ask()).toMatchObject({ text: 'two' });
    await expect(ask()).rejects.toMatchObject({ status: 404 });
  });

  it('speaks OpenAI chat completions, streaming with usage', async () => {
    const res = await fetch(`${srv.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'weather in Oslo' }],
      }),
    });
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const parsed = parseResponse('openai', 'text/event-stream', text);
    expect(parsed.text).toBe('Sunny in Oslo.');
    expect(parsed.usage).toEqual({ input_tokens: 11, output_tokens: 5 });
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('speaks OpenAI chat completions with tool calls, non-streaming', async () => {
    const res = await fetch(`${srv.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'use a tool' }],
      }),
    });
    const body = (await res.json()) as any;
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(JSON.parse(body.choices[0].message.tool_calls[0].function.arguments)).toEqual({
      q: 'x',
    });
  });

  it('speaks the OpenAI Responses API as Codex reads it: streamed items, custom tools, usage on response.completed', async () => {
    const tools = [
      { type: 'custom', name: 'apply_patch', format: { type: 'grammar' } },
      { type: 'function', name: 'exec_command', parameters: {} },
    ];
    const res = await post(`${srv.url}/v1/responses`, {
      model: 'gpt-5.1-codex',
      stream: true,
      tools,
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'patch it' }] },
      ],
    });
    const text = await res.text();
    const events = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    expect(events[0].type).toBe('response.created');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_e, i) => i));
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item);
    expect(done.map((i) => i.type)).toEqual(['reasoning', 'message', 'custom_tool_call']);
    expect(done[2]).toMatchObject({
      name: 'apply_patch',
      input: '*** Begin Patch\n*** End Patch',
      call_id: expect.stringMatching(/^call_/),
    });
    const deltas = events
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('');
    expect(deltas).toBe('Patching.');
    const parsed = parseResponse('openai', 'text/event-stream', text);
    expect(parsed).toMatchObject({
      model: 'gpt-5.1-codex',
      text: 'Patching.',
      tool_uses: [{ name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' }],
    });
    expect(parsed.usage.input_tokens).toBeGreaterThan(0);
  });

  it('reads Responses conversations: developer text is the system, tool outputs are the newest user input, turns count model calls', async () => {
    const input = [
      {
        type: 'message',
        role: 'developer',
        content: [{ type: 'input_text', text: 'You are a coder.' }],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running.' }] },
      { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'exit 0' },
    ];
    const body = (await (
      await post(`${srv.url}/v1/responses`, {
        model: 'gpt-5',
        input,
        tools: [{ type: 'function', name: 'exec_command' }],
      })
    ).json()) as any;
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'done after exit 0' }] }],
    });
    expect(requestToolResults('openai', { input }, '/v1/responses')).toEqual([
      { id: 'call_1', output: 'exit 0' },
    ]);
    expect(parseResponse('openai', 'application/json', JSON.stringify(body)).text).toBe(
      'done after exit 0',
    );
  });

  it('speaks the Gemini API as Gemini CLI reads it: model from the path, SSE chunks with usage on the last, errors in Google shape', async () => {
    const res = await post(
      `${srv.url}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`,
      {
        systemInstruction: { parts: [{ text: 'x' }] },
        contents: [{ role: 'user', parts: [{ text: 'please use a tool' }] }],
      },
    );
    const text = await res.text();
    const chunks = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    expect(chunks.at(-1)).toMatchObject({
      candidates: [
        {
          finishReason: 'STOP',
          content: {
            role: 'model',
            parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }],
          },
        },
      ],
      usageMetadata: { promptTokenCount: expect.any(Number) },
      modelVersion: 'gemini-2.5-pro',
    });
    expect(parseResponse('gemini', 'text/event-stream', text).tool_uses).toEqual([
      { name: 'lookup', input: { q: 'x' } },
    ]);
    const once = (await (
      await post(`${srv.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        contents: [{ role: 'user', parts: [{ text: 'weather in Rome' }] }],
      })
    ).json()) as any;
    expect(once.candidates[0].content.parts).toEqual([{ text: 'Sunny in Rome.' }]);
    expect(parseResponse('gemini', 'application/json', JSON.stringify(once))).toMatchObject({
      text: 'Sunny in Rome.',
      usage: { input_tokens: 11, output_tokens: 5 },
    });
    const failed = await post(`${srv.url}/v1beta/models/g:generateContent`, {
      contents: [{ role: 'user', parts: [{ text: 'fail' }] }],
    });
    expect(failed.status).toBe(529);
    expect(await failed.json()).toEqual({
      error: { code: 529, message: 'busy', status: 'UNKNOWN' },
    });
    expect(
      await (await post(`${srv.url}/v1beta/models/g:countTokens`, { contents: [] })).json(),
    ).toEqual({ totalTokens: expect.any(Number) });
    const results = requestToolResults('gemini', {
      contents: [
        { role: 'model', parts: [{ functionCall: { id: 'f1', name: 'run_shell_command' } }] },
        {
          role: 'user',
          parts: [
            {
              functionResponse: {
                id: 'f1',
                name: 'run_shell_command',
                response: { output: 'Exit Code: 2' },
              },
            },
          ],
        },
      ],
    });
    expect(results).toEqual([{ id: 'f1', name: 'run_shell_command', output: 'Exit Code: 2' }]);
  });
});
