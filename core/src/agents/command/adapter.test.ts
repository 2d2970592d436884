import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuites } from '../../pipeline/run-suite.js';
import { dockerReady } from '../../test-support/docker.js';
import { makeTree, project } from '../../test-support/tree.js';

const REPO = {
  'repo/calc.py': 'def add(a, b):\n    return a - b\n',
  'repo/test_calc.py': 'from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n',
};

function coding(
  command: string,
  scenarioExtra = '',
  tasks = ['Fix add() so the tests pass.'],
  scorersExtra = '',
) {
  return {
    ...project(),
    ...REPO,
    '.gauntlet/agents/fixer.yaml': `kind: agent\nname: fixer\ncommand: ${JSON.stringify(command)}\ntimeout: 120\n`,
    '.gauntlet/scenarios/calc.yaml': `kind: scenario\nname: calc\nworkspace:\n  path: ../../repo\n${scenarioExtra}scorers:\n  - { name: tests, command: "python3 -m pytest -q", timeout: 60 }\n  - { name: scope, allowed_paths: ["calc.py", "notes/**"] }\n${scorersExtra}`,
    '.gauntlet/suites/fix.yaml': `kind: suite\nname: fix\nagent: fixer\nscenario: calc\njudge: none\ntasks:\n${tasks.map((t) => `  - user: ${JSON.stringify(t)}`).join('\n')}\n`,
  };
}

describe.skipIf(!dockerReady())('command agents on a seeded workspace', () => {
  it('seeds, keeps platform setup out of the diff, diffs against the baseline and grades with scorers', async () => {
    const root = await makeTree(
      coding(
        "sed -i 's/a - b/a + b/' calc.py",
        'setup:\n  mode: platform\n  command: "echo built > setup-artifact.txt"\n',
      ),
    );
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.error).toBeNull();
    expect(r.diff).toContain('-    return a - b');
    expect(r.diff).toContain('+    return a + b');
    expect(r.diff).not.toContain('setup-artifact');
    expect(r.scorers).toEqual([
      { name: 'tests', passed: true, score: 1 },
      { name: 'scope', passed: true, score: 1 },
    ]);
    expect(r.overall).toBe('PASS');
    expect(r.verdict).toBe('PASS');
    // Unrecognised command: the command as one shell step, then what it executed (strace execve capture).
    expect(r.trajectory.steps[0]).toMatchObject({
      type: 'shell',
      summary: expect.stringContaining('sed -i'),
    });
    expect(r.trajectory.steps).toContainEqual(
      expect.objectContaining({
        type: 'process',
        summary: '$ sed -i s/a - b/a + b/ calc.py → exit 0',
        detail: expect.objectContaining({ output: 'output not captured' }),
      }),
    );
  });

  it('a change that breaks the code fails the tests scorer with the failing tail; a stray path fails scope', async () => {
    const root = await makeTree(coding("sed -i 's/a - b/a * b/' calc.py && echo x > stray.txt"));
    const [res] = await runSuites({ root });
    const r = res.records[0];
    const tests = r.scorers.find((s) => s.name === 'tests')!;
    expect(tests.passed).toBe(false);
    expect(tests.tail).toMatch(/assert 6 == 5|AssertionError/);
    expect(r.scorers.find((s) => s.name === 'scope')).toMatchObject({
      passed: false,
      tail: expect.stringContaining('stray.txt'),
    });
    expect(r.overall).toBe('FAIL');
    expect(r.verdict).toBe('FAIL');
  });

  it('never runs a hook or fsmonitor the agent plants in a .git of its own', async () => {
    const plant = [
      'git init -q . && mkdir -p .git/hooks',
      "printf '#!/bin/sh\\ntouch /home/user/PWNED_HOOK\\n' > .git/hooks/post-index-change && chmod +x .git/hooks/post-index-change",
      'cp .git/hooks/post-index-change .git/hooks/pre-commit',
      'git config core.fsmonitor "touch /home/user/PWNED_FSMONITOR; true"',
      "sed -i 's/a - b/a + b/' calc.py",
    ].join(' && ');
    // Scorers run after the eval phase's git: had git read the planted .git, these files would exist.
    const probes =
      '  - { name: no-hook, command: "test ! -e /home/user/PWNED_HOOK" }\n  - { name: no-fsmonitor, command: "test ! -e /home/user/PWNED_FSMONITOR" }\n';
    const root = await makeTree(coding(plant, '', ['Fix add().'], probes));
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.error).toBeNull();
    expect(r.diff).toContain('+    return a + b');
    expect(r.diff).not.toContain('PWNED');
    expect(r.scorers.map((s) => [s.name, s.passed])).toEqual([
      ['tests', true],
      ['scope', true],
      ['no-hook', true],
      ['no-fsmonitor', true],
    ]);
  });

  it('classifies a failed command with no changes, a failing platform setup, and agent-mode setup instructions', async () => {
    const [failed] = await runSuites({
      root: await makeTree(coding('echo waiting for input >&2; exit 3')),
    });
    expect(failed.records[0].error).toMatchObject({
      code: 'agent_command_failed',
      message: expect.stringContaining('exited 3'),
    });
    const [setup] = await runSuites({
      root: await makeTree(coding('true', 'setup:\n  command: "echo nope; exit 9"\n')),
    });
    expect(setup.records[0].error).toMatchObject({
      code: 'workspace_setup_failed',
      detail: expect.stringContaining('nope'),
    });
    const [agentMode] = await runSuites({
      root: await makeTree(
        coding(
          'mkdir -p notes && cp "$GAUNTLET_TASK_FILE" notes/brief.md',
          'setup:\n  mode: agent\n  command: "pip install -e ."\n',
        ),
      ),
    });
    const r = agentMode.records[0];
    expect(r.diff).toContain('+Before the task, set up the workspace by running:');
    expect(r.diff).toContain('+    pip install -e .');
    expect(r.scorers.find((s) => s.name === 'scope')?.passed).toBe(true);
  });

  it('a recognised CLI that runs past its timeout is agent_timeout, and still yields its transcript file and its diff', async () => {
    // A stand-in `aider` (its preset reads the chat history from a file after the run): it
    // edits, writes its history, and hangs.
    const history = '#### Fix add()\\n\\nDone: calc.py now adds.\\n';
    const script = `#!/bin/sh\nsed -i 's/a - b/a + b/' calc.py\nmkdir -p /tmp/gauntlet-aider\nprintf '${history}' > /tmp/gauntlet-aider/chat.history.md\nsleep 60\n`;
    const files = {
      ...coding('aider --message "$(cat $GAUNTLET_TASK_FILE)"'),
      'bin/aider': script,
    };
    files['.gauntlet/agents/fixer.yaml'] = files['.gauntlet/agents/fixer.yaml'].replace(
      'timeout: 120',
      'timeout: 2\nenvironment:\n  cli_from_host: ../../bin/aider',
    );
    const root = await makeTree(files);
    await chmod(join(root, 'bin/aider'), 0o755);
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r).toMatchObject({
      status: 'failed',
      error: { class: 'agent_timeout', code: 'agent_timeout' },
    });
    expect(r.diff).toContain('+    return a + b');
    expect(r.trajectory.steps.map((s) => s.summary).join('\n')).toMatch(
      /Fix add\(\)|calc.py now adds/,
    );
  });

  it('refuses a recognised CLI whose relay has no provider before any sandbox, naming the key to set', async () => {
    // The project configures only anthropic; codex needs the openai relay.
    const [res] = await runSuites({
      root: await makeTree(coding('codex exec "$(cat $GAUNTLET_TASK_FILE)"')),
    });
    expect(res.records[0].error).toMatchObject({
      code: 'agent_model_unresolved',
      message: expect.stringContaining('set OPENAI_API_KEY or providers.openai in gauntlet.yaml'),
    });
    expect(res.records[0].phases.sandbox_ms).toBeUndefined();
  });
});

describe.skipIf(!dockerReady())('CSV fan-out of coding tasks', () => {
  it('freezes a scenario per row: scenario_ref from the library, cells laid over it', async () => {
    const files = {
      ...coding("sed -i 's/a - b/a + b/' calc.py; echo done > out.txt"),
      '.gauntlet/scenarios/blank.yaml':
        'kind: scenario\nname: blank\nworkspace:\n  empty: true\nscorers:\n  - { name: out, file_exists: out.txt }\n',
      '.gauntlet/suites/fix.yaml':
        'kind: suite\nname: fix\nagent: fixer\nscenario: calc\njudge: none\ntasks:\n  csv: tasks.csv\ncolumns: [id, scenario_ref, eval]\n',
      '.gauntlet/suites/tasks.csv':
        'id,user,scenario_ref,eval\nlib,Fix add,calc,"[{""name"":""tests"",""command"":""python3 -m pytest -q""}]"\nempty-ws,Write out.txt,blank,"[{""name"":""out"",""file_exists"":""out.txt""}]"\n',
    };
    const [res] = await runSuites({ root: await makeTree(files) });
    const lib = res.records.find((r) => r.task_id === 'lib')!;
    expect(lib.scorers).toEqual([{ name: 'tests', passed: true, score: 1 }]); // the eval cell replaced the scenario's scorers
    expect(lib.diff).toContain('+    return a + b');
    const empty = res.records.find((r) => r.task_id === 'empty-ws')!;
    expect(empty.scorers).toEqual([{ name: 'out', passed: true, score: 1 }]);
    expect(empty.seed.scenario).toMatchObject({ name: 'blank', workspace: { empty: true } });
    expect(empty.diff).toContain('+done');
  });
});

describe.skipIf(!dockerReady())('diff size cap', () => {
  it('caps the diff at 1 MiB and says how much there was', async () => {
    const root = await makeTree(
      coding(`python3 -c "open('big.txt','w').write('line of text\\\\n' * 120000)"`),
    );
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.error).toBeNull();
    expect(Buffer.byteLength(r.diff!)).toBeLessThan(1024 * 1024 + 200);
    expect(r.diff).toMatch(/\[diff truncated: \d+ bytes in all; the first \d+ are shown\]\n$/);
    expect(r.scorers.find((s) => s.name === 'scope')).toMatchObject({
      passed: false,
      tail: expect.stringContaining('big.txt'),
    });
  });
});

describe.skipIf(!dockerReady())('eval phase failure', () => {
  it('keeps the run and raises the banner when the diff cannot be taken', async () => {
    // An agent that deletes the whole workspace leaves nothing to diff.
    const root = await makeTree(coding('cd / && rm -rf /home/user/workspace'));
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.status).toBe('completed');
    expect(r.error).toBeNull();
    expect(r.diff).toBeNull();
    expect(r.banners).toContainEqual(
      expect.stringMatching(
        /^Eval phase failed, diff\/scorers may be missing: diff capture failed/,
      ),
    );
    expect(r.scorers.map((s) => s.name)).toEqual(['tests', 'scope']); // the scorers still ran
  });

  it('diffs binary files as git binary patches', async () => {
    const [res] = await runSuites({
      root: await makeTree(coding("printf '\\000\\001\\002\\377' > blob.bin")),
    });
    expect(res.records[0].diff).toMatch(
      /diff --git a\/blob.bin b\/blob.bin\nnew file mode 100644\n[\s\S]*GIT binary patch/,
    );
  });

  it('still diffs a file the agent made unreadable', async () => {
    const [res] = await runSuites({
      root: await makeTree(
        coding(
          "sed -i 's/a - b/a + b/' calc.py && echo x > notes.txt && chmod 000 notes.txt calc.py",
        ),
      ),
    });
    const r = res.records[0];
    expect(r.banners).toEqual([]);
    expect(r.diff).toContain('+    return a + b');
    expect(r.diff).toContain('notes.txt');
  });
  it('frames the diff with a boundary drawn after the agent: file names cannot fake paths or diff', async () => {
    const plant =
      "sed -i 's/a - b/a + b/' calc.py && python3 -c \"open('n\\n@@GAUNTLET_DIFF@@\\n+fake', 'w').write('x')\"";
    const root = await makeTree(coding(plant));
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.error).toBeNull();
    expect(r.diff).toContain('+    return a + b');
    expect(r.diff?.startsWith('diff --git')).toBe(true);
    expect(r.scorers.find((s) => s.name === 'scope')?.tail).toContain('@@GAUNTLET_DIFF@@');
    expect(r.scorers.find((s) => s.name === 'tests')?.passed).toBe(true);
  });
});
