import { mkdtemp, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import type { LaunchEvent, Launcher } from './launch.js';
import { LauncherDouble, serve, type Served } from '../test-support/serve.js';

let s: Served | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

type Body = Record<string, unknown>;
const MISSION = '# Mission\nRead the uploaded CSV and write a report.';
const request = (gauntlet: unknown, extra: Body = {}): Body => ({
  model: 'claude-code',
  messages: [
    { role: 'system', content: MISSION },
    { role: 'user', content: 'Analyse the dataset' },
  ],
  gauntlet,
  ...extra,
});

/** The client's create() with the vendor block (not in its types). */
const create = (client: OpenAI, body: Body) =>
  client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
const createStream = (client: OpenAI, body: Body) =>
  client.chat.completions.create({
    ...body,
    stream: true,
  } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);

const EVENTS: LaunchEvent[] = [
  { type: 'suite_start', suite: 'runbook', suiteRunId: 's1', runs: 1, concurrency: 1 },
  { type: 'run_start', runId: 'r-run1', task: 'analyze', agent: 'claude-code', trial: 1 },
  {
    type: 'progress',
    runId: 'r-run1',
    phase: 'agent',
    step: { type: 'shell', summary: '$ python3 report.py → exit 0' },
    message: 'ran python3 report.py',
  },
];

const DONE = {
  final_response: 'The report is in /app/results/report.md',
  artifacts: [
    {
      path: 'report.md',
      size: 9,
      sha256: 'a'.repeat(64),
      content_type: 'text/markdown',
      stored: true,
    },
    {
      path: 'big.csv',
      size: 2e7,
      sha256: 'b'.repeat(64),
      content_type: 'text/csv',
      stored: false,
      note: 'over the 10 MB cap',
    },
  ],
  trajectory: {
    steps: [],
    model_calls: [
      { input_tokens: 100, output_tokens: 20 },
      { input_tokens: 200, output_tokens: 30 },
    ] as never,
    tool_calls: [],
    trace_events: [],
    dropped_steps: 0,
  },
  cost: { agent_usd: 0.02, judge_usd: 0, simulator_usd: 0, total_usd: 0.02 },
};

describe('a gauntlet block launches a runbook run', () => {
  it('streams progress, the final response, stop, usage and the record link to the official client', async () => {
    const double = new LauncherDouble({ events: EVENTS, record: DONE });
    s = await serve({ launch: double.launch });
    const stream = await createStream(
      s.client,
      request({ runbook: true, task: 'analyze', files: ['data/sales.csv'], suite: 'sales' }),
    );
    const chunks: any[] = [];
    for await (const c of stream) chunks.push(c);
    // The run got what the request said: the system message as mission, the user's as instruction.
    expect(double.calls[0]).toMatchObject({
      root: s.root,
      runbook: MISSION,
      instruction: 'Analyse the dataset',
      agent: 'claude-code',
      task: 'analyze',
      suite: 'sales',
      files: ['data/sales.csv'],
      resultsDir: s.server.resultsDir,
    });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const reasoning = chunks.map((c) => c.choices[0]?.delta?.reasoning_content ?? '').join('');
    expect(reasoning).toContain('run r-run1: claude-code on task analyze');
    expect(reasoning).toContain('[agent] ran python3 report.py');
    const progress = chunks.find((c) => c.gauntlet?.event?.type === 'progress');
    expect(progress.gauntlet.event).toEqual({
      type: 'progress',
      run_id: 'r-run1',
      phase: 'agent',
      step: { type: 'shell', summary: '$ python3 report.py → exit 0' },
      message: 'ran python3 report.py',
    });
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(content).toBe('The report is in /app/results/report.md');
    const stop = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(stop.choices[0].finish_reason).toBe('stop');
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 300, completion_tokens: 50, total_tokens: 350 });
    expect(last.gauntlet).toMatchObject({
      cost_usd: 0.02,
      run: {
        run_id: 'r-run1',
        path: '/v1/runs/r-run1',
        url: `${s.server.url}/v1/runs/r-run1`,
        status: 'completed',
        // Where to fetch each stored file; why the others were not kept.
        artifacts: [
          {
            path: 'report.md',
            size: 9,
            content_type: 'text/markdown',
            stored: true,
            href: '/v1/runs/r-run1/artifacts/report.md',
            url: `${s.server.url}/v1/runs/r-run1/artifacts/report.md`,
          },
          {
            path: 'big.csv',
            size: 2e7,
            content_type: 'text/csv',
            stored: false,
            note: 'over the 10 MB cap',
          },
        ],
      },
    });
    expect(stop.gauntlet.run.path).toBe('/v1/runs/r-run1');
  });

  it('answers one chat.completion when not streaming, progress as reasoning_content', async () => {
    const double = new LauncherDouble({ events: EVENTS, record: DONE });
    s = await serve({ launch: double.launch });
    const r: any = await create(s.client, request({ runbook: true }));
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'The report is in /app/results/report.md' },
    });
    expect(r.choices[0].message.reasoning_content).toContain('[agent] ran python3 report.py');
    expect(r.usage.total_tokens).toBe(350);
    expect(r.gauntlet.run).toMatchObject({ path: '/v1/runs/r-run1', status: 'completed' });
  });

  it('reads a runbook file under ROOT, and the model may name the agent', async () => {
    const double = new LauncherDouble({ record: DONE });
    s = await serve({ launch: double.launch });
    await create(s.client, request({ runbook: 'runbooks/sales.md' }, { model: 'analyst' }));
    expect(double.calls[0]).toMatchObject({
      runbook: '# Mission\nRead the CSV and write /app/results/report.md.\n',
      runbookName: 'runbooks/sales.md',
      agent: 'analyst',
    });
  });

  it('says in text when the run did not complete', async () => {
    const double = new LauncherDouble({
      record: {
        ...DONE,
        final_response: null,
        status: 'failed',
        error: { class: 'agent_timeout', message: 'the agent ran past 600 s' },
      },
    });
    s = await serve({ launch: double.launch });
    const r: any = await create(s.client, request({ runbook: true }));
    expect(r.choices[0].message.content).toBe('');
    expect(r.choices[0].message.reasoning_content).toContain(
      'run failed: agent_timeout: the agent ran past 600 s',
    );
    expect(r.gauntlet.run).toMatchObject({ status: 'failed', error: { class: 'agent_timeout' } });
  });

  it('a client that disconnects mid-run aborts the run and gives its slot back', async () => {
    const double = new LauncherDouble({ events: EVENTS, hold: true, record: DONE });
    s = await serve({ launch: double.launch, maxRuns: 1 });
    const stream = await createStream(s.client, request({ runbook: true }));
    const opts = await double.started;
    const aborted = new Promise((r) => opts.signal!.addEventListener('abort', r));
    await (async () => {
      for await (const c of stream)
        if (c.choices[0]?.delta?.reasoning_content) stream.controller.abort();
    })().catch(() => {});
    await aborted;
    expect(opts.signal!.aborted).toBe(true);
    // The run ended cancelled and freed the one slot: the next request runs.
    const r: any = await create(s.client, request({ runbook: true }));
    expect(r.gauntlet.run.status).toBe('completed');
    expect(double.calls).toHaveLength(2);
  });
});

describe('closing the server (Ctrl-C) while a run is in flight', () => {
  it('cancels the run and resolves only once its teardown is done', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let tornDown = false;
    const slow = new LauncherDouble({ record: DONE });
    const launch: Launcher = async (o) => {
      started();
      await new Promise((r) => o.signal!.addEventListener('abort', r));
      // Removing a container takes a while; the record says cancelled once it is gone.
      await new Promise((r) => setTimeout(r, 100));
      tornDown = true;
      return slow.launch({ ...o, signal: undefined });
    };
    const served = await serve({ launch });
    const pending = createStream(served.client, request({ runbook: true })).catch((x) => x);
    await running;
    await served.server.close();
    expect(tornDown).toBe(true);
    await pending;
  });
});

describe('errors: plain HTTP before the stream, one error chunk after', () => {
  it('a launch refused at once is a plain 400 naming the config problem', async () => {
    const bad = new ConfigError([
      {
        file: 'x.yaml',
        line: 1,
        column: 1,
        code: 'unknown_agent',
        field: 'agent',
        message: 'no agent',
        fix: 'declare it',
      },
    ]);
    s = await serve({ launch: new LauncherDouble({ error: bad }).launch });
    const e = await createStream(s.client, request({ runbook: true })).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.error).toMatchObject({ code: 'config_error', type: 'invalid_request_error' });
  });

  it('a failure after progress was streamed is one error chunk, which the client raises', async () => {
    s = await serve({
      launch: new LauncherDouble({ events: EVENTS, error: new Error('docker engine went away') })
        .launch,
    });
    const stream = await createStream(s.client, request({ runbook: true }));
    const seen: any[] = [];
    const e = await (async () => {
      for await (const c of stream) seen.push(c);
    })().catch((x) => x);
    expect(seen.length).toBeGreaterThan(0);
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect(e.error).toMatchObject({ type: 'server_error', code: 'run_failed' });
    expect(e.message).toMatch(/docker engine went away/);
  });

  it('429 when the runbook runs in flight are at their cap', async () => {
    const double = new LauncherDouble({ hold: true, record: DONE });
    s = await serve({ launch: double.launch, maxRuns: 1 });
    const first = create(s.client, request({ runbook: true }));
    await double.started;
    const e = await create(s.client, request({ runbook: true })).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.error.message).toMatch(/1 runbook run\(s\) already in flight/);
    double.release();
    await first;
  });
});

describe('the block is validated, every error naming its field', () => {
  const cases: [string, Body, string, RegExp][] = [
    [
      'no runbook',
      request({ agent: 'codex' }),
      'gauntlet.runbook',
      /gauntlet\.runbook is required/,
    ],
    [
      'runbook false',
      request({ runbook: false }),
      'gauntlet.runbook',
      /must be true \(the request/,
    ],
    [
      'a typo',
      request({ runbook: true, agnet: 'codex' }),
      'gauntlet.agnet',
      /did you mean "agent"/,
    ],
    [
      'files not a list',
      request({ runbook: true, files: 'a.csv' }),
      'gauntlet.files',
      /files under ROOT/,
    ],
    [
      'an absolute file',
      request({ runbook: true, files: ['/etc/passwd'] }),
      'gauntlet.files.0',
      /relative to the served ROOT/,
    ],
    [
      'a bad suite name',
      request({ runbook: true, suite: 'Sales Q3' }),
      'gauntlet.suite',
      /lower-case letters/,
    ],
    ['a bad task id', request({ runbook: true, task: 'a/b' }), 'gauntlet.task', /at most 64/],
    ['the block not an object', request('yes'), 'gauntlet', /gauntlet: must be/],
    [
      'no messages',
      { model: 'x', gauntlet: { runbook: true } },
      'messages',
      /messages is required/,
    ],
    [
      'an unknown agent',
      request({ runbook: true, agent: 'claude-cod' }),
      'gauntlet.agent',
      /did you mean "claude-code"/,
    ],
    [
      'no agent at all',
      request({ runbook: true }, { model: 'gpt-4o' }),
      'gauntlet.agent',
      /gauntlet\.agent is required/,
    ],
    [
      'no system message',
      request({ runbook: true }, { messages: [{ role: 'user', content: 'x' }] }),
      'messages',
      /has none: add a system message/,
    ],
    [
      'no user message',
      request({ runbook: true }, { messages: [{ role: 'system', content: 'x' }] }),
      'messages',
      /no user message/,
    ],
    [
      'a missing upload',
      request({ runbook: true, files: ['data/nope.csv'] }),
      'gauntlet.files.0',
      /no file "data\/nope.csv"/,
    ],
    [
      'an escaping upload',
      request({ runbook: true, files: ['../../etc/passwd'] }),
      'gauntlet.files.0',
      /outside the served root/,
    ],
    [
      'a runbook that is not markdown (any file under ROOT is not a mission)',
      request({ runbook: '.gauntlet/gauntlet.yaml' }),
      'gauntlet.runbook',
      /not a markdown file/,
    ],
    [
      'a directory as runbook',
      request({ runbook: 'runbooks' }),
      'gauntlet.runbook',
      /not a regular file/,
    ],
  ];
  it.each(cases)('%s', async (_name, body, param, message) => {
    const double = new LauncherDouble({ record: DONE });
    s = await serve({ launch: double.launch });
    const e = await create(s.client, body).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.error.type).toBe('invalid_request_error');
    expect(e.error.param).toBe(param);
    expect(e.error.message).toMatch(message);
    expect(double.calls).toHaveLength(0);
  });

  it('refuses a runbook over the YAML cap from its size, before reading it', async () => {
    const double = new LauncherDouble({ record: DONE });
    s = await serve({ launch: double.launch });
    // Sparse: a size the server must never read into memory (readFile would throw on it).
    await truncate(join(s.root, 'runbooks/sales.md'), 3 * 2 ** 30);
    const e = await create(s.client, request({ runbook: 'runbooks/sales.md' })).catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({ param: 'gauntlet.runbook', code: 'runbook_too_large' });
    expect(e.error.message).toMatch(/at most 262144/);
    expect(double.calls).toHaveLength(0);
  });

  it('refuses a runbook or upload that is a symlink out of ROOT', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'serve-outside-'));
    await writeFile(join(outside, 'secret.md'), 'not yours');
    const double = new LauncherDouble({ record: DONE });
    s = await serve({ launch: double.launch });
    await symlink(join(outside, 'secret.md'), join(s.root, 'runbooks/link.md'));
    for (const block of [
      { runbook: 'runbooks/link.md' },
      { runbook: true, files: ['runbooks/link.md'] },
    ]) {
      const e = await create(s.client, request(block)).catch((x) => x);
      expect(e.status).toBe(400);
      expect(e.error.code).toBe('path_outside_root');
    }
    expect(double.calls).toHaveLength(0);
  });
});
