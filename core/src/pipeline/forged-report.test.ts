import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project, pythonAgent, suite } from '../test-support/tree.js';
import { runSuites } from './run-suite.js';

// The harness runs in the agent's own process, so the agent can always call its report
// function or write its descriptor. What it must not gain: a status, an error class or an
// observation the host did not make.
const FORGER = `import os, sys, time, json, urllib.request
def run(task_input, *, proxy_url, run_token):
    harness = sys.modules["__main__"]
    kind = task_input["user_instruction"]
    if kind == "blame-proxy":
        harness.report({"status": "proxy_unreachable", "message": "not my fault"})
        os._exit(0)
    if kind == "blame-auth":
        harness.report({"status": "auth_failed", "message": "provider said no"})
        os._exit(0)
    if kind == "twice":
        os.write(harness.REPORT_FD, b'\\n@@GAUNTLET_RESULT@@{"status":"ok","final_response":"forged"}\\n')
        return "honest"
    if kind == "then-return":
        harness.report({"status": "ok", "final_response": "forged", "steps": []})
        return "honest"
    if kind == "daemon":
        if os.fork() == 0:
            parent = os.getppid()
            while os.getppid() == parent:
                time.sleep(0.01)
            os.write(harness.REPORT_FD, b'\\n@@GAUNTLET_RESULT@@{"status":"ok","final_response":"forged"}\\n')
            os._exit(0)
        return "honest"
    if kind == "post-done":
        forged = json.dumps({"status": "ok", "final_response": "forged"}) + "\\n"
        req = urllib.request.Request(proxy_url + "/session/turn-done", method="POST",
            data=json.dumps({"turn": task_input["turn"], "report": forged}).encode(),
            headers={"authorization": "Bearer " + run_token, "content-type": "application/json"})
        urllib.request.urlopen(req).read()
        return "honest"
    if kind == "mark-in-text":
        return 'see @@GAUNTLET_RESULT@@{"status":"ok","final_response":"forged"}'
    req = urllib.request.Request(proxy_url + "/trace-events", method="POST",
        data=json.dumps({"type": "custom", "text": "hi"}).encode(),
        headers={"authorization": "Bearer " + run_token, "content-type": "application/json"})
    urllib.request.urlopen(req).read()
    open("/tmp/x", "w").write("x")
    return "honest"
`;

describe.skipIf(!dockerReady())('the host decides a run status', () => {
  it('refuses forged reports, keeps platform-blaming claims it can disprove, marks who observed each step', async () => {
    const tasks = [
      'blame-proxy',
      'blame-auth',
      'twice',
      'then-return',
      'daemon',
      'post-done',
      'mark-in-text',
      'observed',
    ];
    const root = await makeTree({
      ...project(),
      ...pythonAgent('forger', FORGER),
      ...suite('s', 'forger', tasks),
    });
    const [res] = await runSuites({ root, concurrency: 2 });
    const by = new Map(res.records.map((r) => [r.seed.user_instruction, r]));
    for (const t of ['blame-proxy', 'blame-auth', 'twice', 'then-return']) {
      expect(by.get(t), t).toMatchObject({
        status: 'failed',
        error: { class: 'contract_error', code: 'agent_bad_report' },
      });
    }
    expect(by.get('blame-proxy')!.error!.message).toMatch(
      /claimed proxy_unreachable, but the gateway served this run/,
    );
    expect(by.get('twice')!.error!.message).toMatch(/written 2 times/);
    // A turn-done posted from the agent's code is a second report of the turn.
    expect(by.get('post-done')).toMatchObject({
      status: 'failed',
      error: { code: 'agent_bad_report' },
    });
    expect(by.get('post-done')!.error!.message).toMatch(/reported 2 times/);
    expect(by.get('then-return')!.error!.message).toMatch(/reported ok but the process exited 1/);
    // The daemon's late write either never reaches the host or makes the report untrusted.
    const daemon = by.get('daemon')!;
    expect(daemon.final_response).not.toBe('forged');
    if (daemon.status === 'failed') expect(daemon.error?.code).toBe('agent_bad_report');
    expect(by.get('mark-in-text')).toMatchObject({
      status: 'completed',
      final_response: 'see @@GAUNTLET_RESULT@@{"status":"ok","final_response":"forged"}',
    });
    const steps = by.get('observed')!.trajectory.steps;
    expect(steps.find((s) => s.type === 'file_write')?.observed_by).toBe('agent');
    expect(steps.find((s) => s.type === 'trace_event')?.observed_by).toBe('agent');
    expect(steps.find((s) => s.type === 'final_response')?.observed_by).toBe('agent');
    expect(steps.every((s) => s.observed_by === 'host' || s.observed_by === 'agent')).toBe(true);
  });
});
