import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project, pythonAgent, suite } from '../test-support/tree.js';
import { RECORD_MAX_BYTES } from '../results/record-size.js';
import { runSuites } from './run-suite.js';

// Every way an agent's output reaches the host, each oversized or overnested on purpose. The
// agent posts through the gateway with urllib (no SDK), so nothing in between cuts for us.
const HOSTILE = `import json, os, urllib.request
MB = 1024 * 1024
def post(proxy_url, run_token, path, body, ctype="application/json"):
    req = urllib.request.Request(proxy_url + path, data=body, method="POST",
        headers={"authorization": "Bearer " + run_token, "content-type": ctype})
    try:
        return urllib.request.urlopen(req, timeout=60).status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError as e:
        return repr(e)
def run(task_input, *, proxy_url, run_token):
    kind = task_input["user_instruction"]
    codes = []
    if kind == "deep":
        deep = "[" * 20000 + "]" * 20000
        body = '{"type": "custom", "payload": ' + deep + '}'
        codes.append(post(proxy_url, run_token, "/trace-events", body.encode()))
        codes.append(post(proxy_url, run_token, "/tools/lookup", ('{"q": ' + deep + '}').encode()))
    if kind == "huge":
        blob = "x" * (20 * MB)
        codes.append(post(proxy_url, run_token, "/tools/lookup", json.dumps({"q": blob}).encode()))
        for i in range(4):
            codes.append(post(proxy_url, run_token, "/tools/lookup",
                json.dumps({"q": "q" * (3 * MB)}).encode()))
        codes.append(post(proxy_url, run_token, "/trace-events",
            json.dumps({"type": "custom", "blob": blob}).encode()))
        ev = [{"type": "custom", "i": i, "pad": "y" * 2000} for i in range(1500)]
        codes.append(post(proxy_url, run_token, "/trace-events", json.dumps(ev).encode()))
        print("z" * (30 * MB))
        return {"final_response": "r" * (20 * MB), "codes": codes}
    return {"final_response": "done " + kind, "codes": codes}
`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe.skipIf(!dockerReady())('one run cannot abort the suite or bloat the record', () => {
  it('cuts oversized and overnested output to that run, names the cuts, and writes the suite', async () => {
    const root = await makeTree({
      ...project(),
      ...pythonAgent(
        'hostile',
        HOSTILE,
        // Passthrough to a closed loopback port: the calls are rows (transport_error) without
        // a simulator, and what they carry is what the budget bounds.
        'timeout: 240\ntools:\n  - name: lookup\n    description: look up\n    mode: passthrough\n' +
          '    endpoint: { url: "http://127.0.0.1:9/lookup", timeout: 5 }\n' +
          '    input_schema: { type: object }\n',
      ),
      ...suite('s', 'hostile', ['deep', 'huge', 'plain']),
    });
    const [res] = await runSuites({ root, concurrency: 1 });
    const names = readdirSync(res.dir).sort();
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'report.md', 'junit.xml']));
    const byTask = new Map(res.records.map((r) => [r.task_id, r]));
    expect(res.records).toHaveLength(3);
    const plain = [...byTask.values()].find((r) => r.final_response === 'done plain');
    expect(plain?.status).toBe('completed');
    for (const f of files(res.dir)) expect(statSync(f).size, f).toBeLessThan(RECORD_MAX_BYTES);
    const warnings = res.records.flatMap((r) => r.soft_warnings).join('\n');
    expect(warnings).toMatch(/nested deeper than 64/);
    expect(warnings).toMatch(/tool call.*cut|cut.*tool call/i);
    expect(warnings).toMatch(/trace event/i);
    expect(warnings).toMatch(/final response.*cut/i);
    expect(warnings).toMatch(/refused: body over/);
    const huge = [...byTask.values()].find((r) => r.final_response?.startsWith('rrrr'));
    expect(huge?.status).toBe('completed');
    expect(huge?.tool_calls.total).toBe(5);
    expect(huge?.trajectory.tool_calls[0].error).toMatch(/request_too_large/);
  });
});
