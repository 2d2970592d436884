/**
 * The gateway's own overhead per tool call, measured from inside a sandbox through the
 * in-sandbox forwarder: a Python agent calls a passthrough tool bound to a loopback endpoint
 * that answers at once, so no simulator model time is in the figure. Prints figures; asserts
 * nothing.
 *   npm run bench
 */
import { createServer } from 'node:http';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runSuites } from '../core/src/pipeline/run-suite.js';

const CALLS = Number(process.env.BENCH_TOOL_CALLS ?? 400);

const AGENT = `import http.client, json, time, urllib.parse

def timed(conn, path, body):
    t = time.perf_counter()
    conn.request("POST", path, body=body, headers=HEADERS)
    r = conn.getresponse()
    r.read()
    assert r.status == 200, r.status
    return (time.perf_counter() - t) * 1000

def run(task_input, *, proxy_url, run_token):
    global HEADERS
    HEADERS = {"authorization": "Bearer " + run_token, "content-type": "application/json"}
    u = urllib.parse.urlparse(proxy_url)
    out = {"keepalive": [], "fresh": []}
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    for i in range(${CALLS}):
        out["keepalive"].append(timed(conn, "/tools/ping", json.dumps({"n": i})))
    for i in range(${CALLS} // 4):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        out["fresh"].append(timed(c, "/tools/ping", json.dumps({"n": i})))
        c.close()
    return json.dumps(out)
`;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

async function main() {
  const endpoint = createServer((req, res) => {
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"pong":true}');
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/ping`;
  const root = await mkdtemp(join(tmpdir(), 'gauntlet-bench-tools-'));
  const files: Record<string, string> = {
    '.gauntlet/agents/caller.yaml': [
      'kind: agent',
      'name: caller',
      'python:',
      '  source:',
      '    inline: |',
      ...AGENT.split('\n').map((l) => `      ${l}`),
      'tools:',
      '  - name: ping',
      '    mode: passthrough',
      `    endpoint: { url: "${url}" }`,
      '    input_schema: { type: object, properties: { n: { type: integer } } }',
      '',
    ].join('\n'),
    '.gauntlet/gauntlet.yaml':
      'judge_model: claude-haiku-4-5\nproviders:\n  anthropic:\n    script: models/judge.yaml\n',
    '.gauntlet/models/judge.yaml':
      'rules:\n  - when: { system: "judge of an AI agent" }\n    reply:\n      tool_use: { name: record_verdict, input: { task_completion: 5, instruction_adherence: null, efficiency: 5, verdict: PASS, failure_mode: null, reasoning: "ok" } }\n',
    '.gauntlet/suites/bench.yaml':
      'kind: suite\nname: bench\nagent: caller\ntasks:\n  - user: go\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  await runSuites({ root, concurrency: 1 }); // warm: image, code hash
  const [r] = await runSuites({ root, concurrency: 1 });
  endpoint.close();
  const rec = r.records[0];
  if (rec.status !== 'completed' || !rec.final_response)
    throw new Error(`the bench run failed: ${JSON.stringify(rec.error)}`);
  const lat = JSON.parse(rec.final_response) as { keepalive: number[]; fresh: number[] };
  const row = (name: string, xs: number[]) =>
    `${name}: p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms (n=${xs.length})`;
  console.log('tool call round trip from inside the sandbox (forwarder, gateway, desk, endpoint):');
  console.log(
    `  ${row('kept-alive connection', lat.keepalive)}  (target p50 <= 2 ms, p99 <= 10 ms)`,
  );
  console.log(`  ${row('new connection each call', lat.fresh)}`);
  const rows = rec.trajectory.tool_calls.filter((c) => c.source === 'passthrough');
  console.log(
    `  rows recorded: ${rows.length} passthrough, by source ${JSON.stringify(rec.tool_calls.by_source)}`,
  );
}

await main();
