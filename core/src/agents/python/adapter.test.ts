import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceTable } from '../../models/prices.js';
import { ModelRelay } from '../../models/relay.js';
import { serveScript } from '../../models/scripted.js';
import { DockerDriver } from '../../sandbox/docker.js';
import { Session } from '../../session/session.js';
import type { ChatMessage, MemoryMode, TurnInput } from '../../session/types.js';
import { dockerReady } from '../../test-support/docker.js';
import { PythonAdapter } from './adapter.js';
import { packCode } from './source.js';

const KEY = 'sk-ant-provider-key-never-in-sandbox';
let model: Awaited<ReturnType<typeof serveScript>>;
let relay: ModelRelay;

beforeAll(async () => {
  model = await serveScript({
    rules: [{ reply: { text: 'pong', usage: { input_tokens: 3, output_tokens: 1 } } }],
  });
  relay = new ModelRelay(
    { anthropic: { format: 'anthropic', baseUrl: model.url, apiKey: KEY } },
    new PriceTable(),
  );
});
afterAll(() => model?.close());

async function agentOf(source: string, timeoutMs = 30_000) {
  const dir = await mkdtemp(join(tmpdir(), 'code-'));
  await writeFile(join(dir, 'main.py'), source);
  await packCode(dir, join(dir, 'pack'));
  return new PythonAdapter({
    name: 'a',
    image: 'gauntlet-base:latest',
    code: {
      root: dir,
      dir,
      packDir: join(dir, 'pack'),
      entrypoint: 'run',
      entrypointFile: 'main.py',
      hash: 'h',
      provenance: {},
    },
    env: {},
    timeoutMs,
    memoryMb: 256,
  });
}

async function open(agent: PythonAdapter, tag: string) {
  return Session.open({
    runId: `t-${tag}-${process.pid}-${Date.now()}`,
    token: 'gt_token_for_test_0123456789',
    relay,
    sandbox: {
      driver: new DockerDriver(),
      image: agent.image,
      limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
      mounts: Session.mountsFor([agent]),
    },
  });
}

const input = (turn: number, messages: ChatMessage[], memory: MemoryMode): TurnInput => ({
  turn,
  message: messages[messages.length - 1].content,
  messages,
  memory,
  task: { id: 't', behavior_instructions: null, initial_state: null },
});

describe.skipIf(!dockerReady())('python agent in a session', () => {
  it('reaches the model only through the gateway, and never sees the provider key', async () => {
    const agent = await agentOf(`
import json, os, urllib.request
def run(task_input, *, proxy_url, run_token):
    req = urllib.request.Request(os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages", data=json.dumps({"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "ping"}]}).encode(),
        headers={"x-api-key": os.environ["ANTHROPIC_API_KEY"], "content-type": "application/json", "anthropic-version": "2023-06-01"})
    reply = json.load(urllib.request.urlopen(req))["content"][0]["text"]
    env = "\\n".join(f"{k}={v}" for k, v in os.environ.items())
    try:
        urllib.request.urlopen("http://1.1.1.1", timeout=2)
        net = "egress!"
    except Exception as e:
        net = "no-egress"
    return json.dumps({"reply": reply, "env": env, "net": net, "alias": os.environ["PIPELINES_ODYSSEY_PROXY_URL"] == proxy_url})
`);
    const s = await open(agent, 'key');
    try {
      const t = await s.turn(agent, input(1, [{ role: 'user', content: 'x' }], 'replay'));
      expect(t.outcome.error).toBeNull();
      const r = JSON.parse(t.outcome.final_response!);
      expect(r.reply).toBe('pong');
      expect(r.env).not.toContain(KEY);
      expect(r.env).toContain('ANTHROPIC_API_KEY=gt_token_for_test_0123456789');
      expect(r.net).toBe('no-egress');
      expect(r.alias).toBe(true);
      expect(t.model_calls).toHaveLength(1);
      expect(t.model_calls[0]).toMatchObject({ input_tokens: 3, output_tokens: 1 });
    } finally {
      await s.close([agent]);
    }
  });

  // One container, one process: the module's globals are the agent's memory across ten turns.
  const COUNTER = `
import os
seen = []
def run(task_input, *, proxy_url, run_token):
    seen.append(task_input["user_instruction"])
    return f"pid={os.getpid()} n={len(seen)} msgs={len(task_input['messages'])} sid={task_input['session_id']} last={seen[-1]}"
`;

  it('stateful: ten turns in one container and one process; module state survives', async () => {
    const agent = await agentOf(COUNTER);
    const s = await open(agent, 'stateful');
    try {
      const replies: string[] = [];
      const messages: ChatMessage[] = [];
      for (let n = 1; n <= 10; n++) {
        messages.push({ role: 'user', content: `m${n}` });
        const t = await s.turn(agent, input(n, [...messages], 'stateful'));
        expect(t.outcome.error).toBeNull();
        replies.push(t.outcome.final_response!);
        messages.push({ role: 'assistant', content: t.outcome.final_response! });
      }
      const pids = new Set(replies.map((r) => /pid=(\d+)/.exec(r)![1]));
      expect(pids.size).toBe(1);
      expect(replies[9]).toContain('n=10 msgs=1');
      expect(replies[9]).toContain(`sid=${s.runId} last=m10`);
      expect(s.turns.map((t) => t.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      await s.close([agent]);
    }
  });

  it('replay: a fresh process each turn, which sees the whole transcript', async () => {
    const agent = await agentOf(COUNTER);
    const s = await open(agent, 'replay');
    try {
      const messages: ChatMessage[] = [{ role: 'user', content: 'm1' }];
      const t1 = await s.turn(agent, input(1, [...messages], 'replay'));
      messages.push({ role: 'assistant', content: t1.outcome.final_response! });
      messages.push({ role: 'user', content: 'm2' });
      const t2 = await s.turn(agent, input(2, [...messages], 'replay'));
      expect(t1.outcome.final_response).toContain('n=1 msgs=1');
      expect(t2.outcome.final_response).toContain('n=1 msgs=3');
    } finally {
      await s.close([agent]);
    }
  });

  it('stateful: a turn past its timeout is agent_timeout, and the process is gone after', async () => {
    const agent = await agentOf(
      `
import time
def run(task_input, *, proxy_url, run_token):
    if task_input["turn"] == 2:
        time.sleep(60)
    return "ok"
`,
      3000,
    );
    const s = await open(agent, 'timeout');
    try {
      const m: ChatMessage[] = [{ role: 'user', content: 'a' }];
      expect((await s.turn(agent, input(1, m, 'stateful'))).outcome.error).toBeNull();
      const t2 = await s.turn(agent, input(2, m, 'stateful'));
      expect(t2.outcome).toMatchObject({ status: 'failed', timedOut: true });
      expect(t2.outcome.error?.code).toBe('agent_timeout');
      const t3 = await s.turn(agent, input(3, m, 'stateful'));
      expect(t3.outcome.error?.code).toBe('agent_process_died');
    } finally {
      await s.close([agent]);
    }
  });
});
