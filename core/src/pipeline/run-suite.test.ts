import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project, pythonAgent, suite } from '../test-support/tree.js';
import { runSuites } from './run-suite.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) =>
    statSync(join(dir, f)).isDirectory() ? allFiles(join(dir, f)) : [join(dir, f)],
  );
}

async function runOne(files: Record<string, string>, env: Record<string, string> = {}) {
  const root = await makeTree(files);
  const [res] = await runSuites({ root, env: { ...process.env, ...env } });
  return { root, res, record: res.records[0] };
}

const SMALL = '\nsandbox:\n  memory_mb: 256\n  pids_limit: 64\n';

describe.skipIf(!dockerReady())('suite runs in real sandboxes', () => {
  it('grades a Python agent end to end and stores a schema-complete record', async () => {
    const { res, record } = await runOne({
      ...project(),
      ...pythonAgent(
        'a',
        'import subprocess\nfrom pathlib import Path\ndef run(task_input, *, proxy_url, run_token):\n    Path("/tmp/n.txt").write_text("x")\n    subprocess.run(["uname", "-s"], capture_output=True)\n    return "hello " + task_input["user_instruction"]',
      ),
      ...suite('s', 'a', ['world']),
    });
    expect(record).toMatchObject({
      status: 'completed',
      verdict: 'PASS',
      final_response: 'hello world',
      judge: { verdict: 'PASS', model: 'claude-sonnet-4-6' },
    });
    const kinds = record.trajectory.steps.map((s) => s.summary);
    expect(kinds).toContain('write /tmp/n.txt');
    expect(kinds).toContain('$ uname -s');
    expect(res.manifest.pass_rate).toBe(1);
    expect(readdirSync(res.dir).sort()).toEqual(
      [`${record.id}.json`, 'junit.xml', 'manifest.json', 'report.md'].sort(),
    );
  });

  it('keeps a secret the agent echoes out of every stored file, in every encoding', async () => {
    const secret = 'sup3r-secret-value-0042';
    const { root, record } = await runOne(
      {
        ...project(),
        ...pythonAgent(
          'leaky',
          'import os, base64\ndef run(task_input, *, proxy_url, run_token):\n    s = os.environ["MY_TOKEN"]\n    print("debug", s)\n    return {"final_response": f"raw={s} b64={base64.b64encode(s.encode()).decode()} token={run_token}"}',
          'env:\n  MY_TOKEN: { secret: LEAKY_SECRET }\n',
        ),
        ...suite('s', 'leaky', ['go']),
      },
      { LEAKY_SECRET: secret },
    );
    expect(record.final_response).toContain('raw=***');
    const b64 = Buffer.from(secret).toString('base64');
    for (const f of allFiles(join(root, '.gauntlet/results'))) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toContain(secret);
      expect(text, f).not.toContain(b64.slice(0, 16));
      expect(text, f).not.toMatch(/gt_[0-9a-f]{48}/);
    }
  });

  it('fails as agent_secret_unresolved before any sandbox when a secret is missing', async () => {
    const { record } = await runOne({
      ...project(),
      ...pythonAgent(
        'a',
        'def run(t, *, proxy_url, run_token): return "x"',
        'env:\n  K: { secret: DEFINITELY_NOT_SET_123 }\n',
      ),
      ...suite('s', 'a', ['go']),
    });
    expect(record).toMatchObject({
      status: 'failed',
      verdict: 'PENDING',
      error: { code: 'agent_secret_unresolved' },
      judge: { verdict: 'NOT APPLICABLE' },
    });
    expect(record.phases.open_ms).toBeUndefined();
  });

  it('fails as agent_model_unresolved when no judge model resolves', async () => {
    const files = {
      ...project(),
      ...pythonAgent('a', 'def run(t, *, proxy_url, run_token): return "x"'),
      ...suite('s', 'a', ['go']),
    };
    files['.gauntlet/gauntlet.yaml'] = 'providers:\n  anthropic:\n    script: models/judge.yaml\n';
    const { record } = await runOne(files);
    expect(record.error).toMatchObject({ code: 'agent_model_unresolved' });
  });

  it('captures an agent exception and grades it instead of calling it an infrastructure failure', async () => {
    const { record } = await runOne({
      ...project(),
      ...pythonAgent(
        'a',
        'def run(task_input, *, proxy_url, run_token):\n    raise ValueError("bad input")',
      ),
      ...suite('s', 'a', ['go']),
    });
    expect(record.status).toBe('completed');
    expect(record.final_response).toContain('ValueError: bad input');
    expect(record.debug.exception?.traceback).toContain('raise ValueError');
    expect(record.judge?.verdict).toBe('PASS'); // the scripted judge graded it
  });

  it('fails the entrypoint probe with contract_error when the file is wrong', async () => {
    const files = {
      ...project(),
      ...pythonAgent('a', 'def run(t, *, proxy_url, run_token): return "x"'),
      ...suite('s', 'a', ['go']),
    };
    // inline code lands in entrypoint_file, so point the probe elsewhere through a files source
    files['.gauntlet/agents/a.yaml'] =
      'kind: agent\nname: a\npython:\n  entrypoint_file: missing.py\n  source:\n    files:\n      main.py: "def run(t, *, proxy_url, run_token): return 1"\n';
    const { record } = await runOne(files);
    expect(record).toMatchObject({
      status: 'failed',
      error: { class: 'contract_error', code: 'entrypoint_probe_failed' },
    });
    expect(record.error?.message).toContain('main.py');
  });

  it('contains an infinite loop: agent_timeout, sandbox gone', async () => {
    const { record } = await runOne({
      ...project(SMALL),
      ...pythonAgent(
        'a',
        'def run(t, *, proxy_url, run_token):\n    while True:\n        pass',
        'timeout: 3\n',
      ),
      ...suite('s', 'a', ['go']),
    });
    expect(record).toMatchObject({ status: 'failed', error: { class: 'agent_timeout' } });
    expect(
      execFileSync('docker', ['ps', '-aq', '--filter', `label=gauntlet.run=${record.id}`])
        .toString()
        .trim(),
    ).toBe('');
  });

  it('contains a fork bomb at the pids limit', async () => {
    const code =
      'import os, time\ndef run(t, *, proxy_url, run_token):\n    n = 0\n    try:\n        while True:\n            if os.fork() == 0:\n                time.sleep(30)\n                os._exit(0)\n            n += 1\n    except OSError as e:\n        return f"stopped after {n} forks: {e.errno}"';
    const { record } = await runOne({
      ...project(SMALL),
      ...pythonAgent('a', code, 'timeout: 20\n'),
      ...suite('s', 'a', ['go']),
    });
    expect(record.status).toBe('completed');
    const n = Number(/stopped after (\d+) forks/.exec(record.final_response ?? '')?.[1]);
    expect(n).toBeGreaterThan(10);
    expect(n).toBeLessThan(64);
    expect(
      execFileSync('docker', ['ps', '-aq', '--filter', `label=gauntlet.run=${record.id}`])
        .toString()
        .trim(),
    ).toBe('');
  });

  it('contains a memory hog at the memory limit', async () => {
    const { record } = await runOne({
      ...project(SMALL),
      ...pythonAgent(
        'a',
        'def run(t, *, proxy_url, run_token):\n    blocks = []\n    while True:\n        blocks.append(bytearray(64 * 1024 * 1024))',
        'timeout: 30\n',
      ),
      ...suite('s', 'a', ['go']),
    });
    expect(record.status === 'failed' ? record.error?.code : record.final_response).toMatch(
      /agent_resource_limit|MemoryError/,
    );
  });

  it('refuses to dispatch a draft agent', async () => {
    const root = await makeTree({
      ...project(),
      ...pythonAgent('a', 'def run(t, *, proxy_url, run_token): return "x"', 'status: draft\n'),
      ...suite('s', 'a', ['go']),
    });
    await expect(runSuites({ root })).rejects.toThrow(/draft and cannot be dispatched/);
  });

  it('refuses a hostile ZIP before any sandbox (agent_code_fetch_failed)', async () => {
    const root = await makeTree({
      ...project(),
      ...suite('s', 'z', ['go']),
      '.gauntlet/agents/z.yaml': 'kind: agent\nname: z\npython:\n  source:\n    zip: evil.zip\n',
    });
    execFileSync('python3', [
      '-c',
      'import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],"w")\nz.writestr("main.py","x")\ni=zipfile.ZipInfo("l")\ni.external_attr=0o120777<<16\nz.writestr(i,"/etc/passwd")\nz.close()',
      join(root, '.gauntlet/agents/evil.zip'),
    ]);
    const [res] = await runSuites({ root });
    expect(res.records[0]).toMatchObject({
      status: 'failed',
      error: { code: 'agent_code_fetch_failed' },
    });
    expect(res.records[0].error?.message).toContain('symlink');
  });

  it('asks a sampled judge n times and records a split as UNCERTAIN, not a pass', async () => {
    const verdict = (v: 'PASS' | 'FAIL') =>
      `{ name: record_verdict, input: { task_completion: ${v === 'PASS' ? 5 : 2}, instruction_adherence: null, efficiency: 4, verdict: ${v}, failure_mode: ${v === 'PASS' ? 'null' : 'incomplete'}, reasoning: "${v} by the sample" } }`;
    const root = await makeTree({
      ...project(),
      // Sample 2 of the 'split' task fails; every other sample passes.
      '.gauntlet/models/judge.yaml': `rules:
  - when: { system: "judge of an AI agent", last_user: 'hello split.*<sample index="2" of="3"/>' }
    reply:
      tool_use: ${verdict('FAIL')}
  - when: { system: "judge of an AI agent" }
    reply:
      tool_use: ${verdict('PASS')}
`,
      ...pythonAgent(
        'a',
        'def run(t, *, proxy_url, run_token):\n    return "hello " + t["user_instruction"]',
      ),
      ...suite('s', 'a', ['split', 'agree'], 'judge:\n  samples: 3\n'),
    });
    const [res] = await runSuites({ root, env: process.env });
    const by = Object.fromEntries(res.records.map((r) => [r.final_response, r]));
    expect(by['hello split']).toMatchObject({
      verdict: 'UNCERTAIN',
      judge: { verdict: 'PASS', samples: { n: 3, pass: 2, fail: 1, uncertain: true } },
    });
    expect(by['hello agree']).toMatchObject({
      verdict: 'PASS',
      judge: { samples: { n: 3, pass: 3, fail: 0, agreement: 1, uncertain: false } },
    });
    expect(res.manifest.counts).toMatchObject({ pass: 1, uncertain: 1, fail: 0 });
    expect(res.manifest.pass_rate).toBe(0.5);
    expect(readFileSync(join(res.dir, 'report.md'), 'utf8')).toContain(
      '**Judge** PASS, 2 of 3 samples agree — uncertain',
    );
    // What was stored fits the published schemas.
    const ajv = new Ajv({ strict: false });
    const schema = (f: string) =>
      JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schemas', f), 'utf8'));
    const stored = (f: string) => JSON.parse(readFileSync(join(res.dir, f), 'utf8'));
    const record = ajv.compile(schema('run-record.schema.json'));
    for (const r of res.records) expect(record(stored(`${r.id}.json`)), r.id).toBe(true);
    const manifest = ajv.compile(schema('suite-manifest.schema.json'));
    expect(manifest(stored('manifest.json')), JSON.stringify(manifest.errors)).toBe(true);
  });
});
