import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, pythonAgent, suite } from '../test-support/tree.js';
import { runSuites } from './run-suite.js';

const SECRET = 'hush-Value/42+never-stored';
const forms = [
  SECRET,
  Buffer.from(SECRET).toString('hex'),
  Buffer.from(SECRET).toString('hex').toUpperCase(),
  Buffer.from(SECRET).toString('base64').slice(0, 20),
];

// The agent sends its secret to the model (raw) and puts it in its answer in three encodings;
// a judge rule fails the run if the secret (in any form) ever reaches the judge's prompt.
const AGENT = `import base64, json, os, urllib.request
def run(task_input, *, proxy_url, run_token):
    s = os.environ["MY_SECRET"]
    body = {"model": "claude-haiku-4-5", "max_tokens": 50,
            "messages": [{"role": "user", "content": "remember " + s}]}
    req = urllib.request.Request(proxy_url + "/v1/messages", data=json.dumps(body).encode(),
        headers={"x-api-key": run_token, "content-type": "application/json", "anthropic-version": "2023-06-01"})
    reply = json.loads(urllib.request.urlopen(req).read())["content"][0]["text"]
    return f"{reply} raw={s} hex={s.encode().hex()} b64={base64.b64encode(s.encode()).decode()}"
`;

const files = () => ({
  '.gauntlet/gauntlet.yaml':
    'judge_model: claude-sonnet-4-6\nproviders:\n  anthropic:\n    script: models/script.yaml\n',
  '.gauntlet/models/script.yaml': `rules:
  - when: { system: "judge of an AI agent", any: "${forms.map((f) => f.replace(/[+/]/g, '.')).join('|')}" }
    reply:
      tool_use: { name: record_verdict, input: { task_completion: 1, instruction_adherence: null, efficiency: 1, verdict: FAIL, failure_mode: saw_secret, reasoning: "the secret reached the judge" } }
  - when: { system: "judge of an AI agent" }
    reply:
      tool_use: { name: record_verdict, input: { task_completion: 5, instruction_adherence: null, efficiency: 5, verdict: PASS, failure_mode: null, reasoning: "ok" } }
  - reply: { text: "noted" }
`,
  ...pythonAgent('a', AGENT, 'env:\n  MY_SECRET: { secret: MY_SECRET }\n'),
  ...suite('s', 'a', ['go']),
});

describe.skipIf(!dockerReady())(
  'secrets stay out of everything stored, and out of the judge',
  () => {
    it('redacts cassettes and the judge prompt; a redacted cassette still replays', async () => {
      const root = await makeTree(files());
      const file = join(root, 'cassette.jsonl');
      const env = { ...process.env, MY_SECRET: SECRET };
      const [live] = await runSuites({ root, env, cassette: { mode: 'record', file } });
      expect(live.records[0].error).toBeNull();
      expect(live.records[0]).toMatchObject({ status: 'completed', verdict: 'PASS' });
      expect(live.records[0].final_response).toMatch(/^noted raw=\*\*\* hex=\*\*\* b64=\*\*\*$/);
      const tape = readFileSync(file, 'utf8');
      expect(tape).toContain('remember ***');
      for (const f of forms) expect(tape).not.toContain(f);
      const [replayed] = await runSuites({ root, env, cassette: { mode: 'replay', file } });
      expect(replayed.records[0]).toMatchObject({ status: 'completed', verdict: 'PASS' });
      expect(replayed.records[0].final_response).toMatch(/^noted /);
    });
  },
);

describe.skipIf(!dockerReady())('secrets stay out of the live progress events', () => {
  it('redacts a model reply holding a secret in the progress step sent to onEvent', async () => {
    const echo = `def run(task_input, *, proxy_url, run_token):
    import json, urllib.request
    body = {"model": "claude-haiku-4-5", "max_tokens": 50,
            "messages": [{"role": "user", "content": "hi"}]}
    req = urllib.request.Request(proxy_url + "/v1/messages", data=json.dumps(body).encode(),
        headers={"x-api-key": run_token, "content-type": "application/json", "anthropic-version": "2023-06-01"})
    return json.loads(urllib.request.urlopen(req).read())["content"][0]["text"]
`;
    const root = await makeTree({
      '.gauntlet/gauntlet.yaml':
        'judge_model: claude-sonnet-4-6\nproviders:\n  anthropic:\n    script: models/script.yaml\n',
      '.gauntlet/models/script.yaml': `rules:
  - when: { system: "judge of an AI agent" }
    reply:
      tool_use: { name: record_verdict, input: { task_completion: 5, instruction_adherence: null, efficiency: 5, verdict: PASS, failure_mode: null, reasoning: "ok" } }
  - reply: { text: "the key is ${SECRET}" }
`,
      ...pythonAgent('a', echo, 'env:\n  MY_SECRET: { secret: MY_SECRET }\n'),
      ...suite('s', 'a', ['go']),
    });
    const events: unknown[] = [];
    const env = { ...process.env, MY_SECRET: SECRET };
    const [r] = await runSuites({ root, env, onEvent: (e) => events.push(e) });
    expect(r.records[0].error).toBeNull();
    const steps = events.filter(
      (e) => (e as { type: string; step?: unknown }).type === 'progress' && (e as any).step,
    );
    expect(JSON.stringify(steps)).toContain('the key is ***');
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });
});
