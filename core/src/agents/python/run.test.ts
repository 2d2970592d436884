import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../models/prices.js';
import { ModelRelay } from '../../models/relay.js';
import { serveScript } from '../../models/scripted.js';
import { DockerDriver } from '../../sandbox/docker.js';
import { dockerReady } from '../../test-support/docker.js';
import { runPythonAgent } from './run.js';
import { packCode } from './source.js';

describe.skipIf(!dockerReady())('python agent in the sandbox', () => {
  it('reaches the model only through the gateway, and never sees the provider key', async () => {
    const KEY = 'sk-ant-provider-key-never-in-sandbox';
    const model = await serveScript({
      rules: [{ reply: { text: 'pong', usage: { input_tokens: 3, output_tokens: 1 } } }],
    });
    const relay = new ModelRelay(
      { anthropic: { format: 'anthropic', baseUrl: model.url, apiKey: KEY } },
      new PriceTable(),
    );
    const dir = await mkdtemp(join(tmpdir(), 'code-'));
    await writeFile(
      join(dir, 'main.py'),
      `
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
`,
    );
    await packCode(dir, join(dir, 'pack'));
    try {
      const out = await runPythonAgent(
        {
          runId: `t-key-${process.pid}`,
          token: 'gt_token_for_test_0123456789',
          image: 'gauntlet-base:latest',
          driver: new DockerDriver(),
          relay,
          limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
          timeoutMs: 30_000,
          env: {},
          tools: [],
        },
        {
          root: dir,
          dir,
          packDir: join(dir, 'pack'),
          entrypoint: 'run',
          entrypointFile: 'main.py',
          hash: 'h',
          provenance: {},
        },
        {
          user_instruction: 'x',
          behavior_instructions: null,
          initial_state: null,
          task_id: 't',
          session_id: 's',
          messages: [],
        },
      );
      expect(out.error).toBeNull();
      const r = JSON.parse(out.final_response!);
      expect(r.reply).toBe('pong');
      expect(r.env).not.toContain(KEY);
      expect(r.env).toContain('ANTHROPIC_API_KEY=gt_token_for_test_0123456789');
      expect(r.net).toBe('no-egress');
      expect(r.alias).toBe(true);
      expect(out.model_calls).toHaveLength(1);
      expect(out.model_calls[0]).toMatchObject({
        model: 'claude-haiku-4-5',
        input_tokens: 3,
        output_tokens: 1,
      });
    } finally {
      await model.close();
    }
  });
});
