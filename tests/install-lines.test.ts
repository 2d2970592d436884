import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuites } from '../core/src/pipeline/run-suite.js';
import { BUILD_CA_ENV } from '../core/src/sandbox/images.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { packageRoot } from '../core/src/util/paths.js';

/**
 * The documented install lines, for real: examples/coding with Claude Code and Gemini CLI agents
 * that bring no binary, so each preset's install line (apt nodejs npm, then npm install -g) is
 * built as an environment layer from Debian's archive and the npm registry, and the installed
 * CLI runs in the sandbox against the scripted model through the gateway.
 */
describe.skipIf(!dockerReady())('documented CLI install lines as environment layers', () => {
  const saved = process.env[BUILD_CA_ENV];
  beforeAll(() => {
    // A runner behind a TLS-intercepting proxy trusts its CA through the opt-in variable; pass
    // this machine's bundle when it names one (plain runners need nothing).
    const bundle = process.env.NODE_EXTRA_CA_CERTS ?? process.env.SSL_CERT_FILE;
    if (bundle && !saved) process.env[BUILD_CA_ENV] = bundle;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env[BUILD_CA_ENV];
    else process.env[BUILD_CA_ENV] = saved;
  });

  it('installs Claude Code and Gemini CLI the documented way, then runs both through the gateway', async () => {
    const root = await mkdtemp(join(tmpdir(), 'install-lines-'));
    const example = join(packageRoot(), 'examples/coding');
    await cp(join(example, 'repo'), join(root, 'repo'), { recursive: true });
    for (const dir of ['models', 'scenarios'])
      await cp(join(example, '.gauntlet', dir), join(root, '.gauntlet', dir), { recursive: true });
    const files: Record<string, string> = {
      'gauntlet.yaml':
        'judge_model: claude-sonnet-4-6\nproviders:\n  anthropic: { script: models/scripted.yaml }\n  gemini: { script: models/scripted.yaml }\n',
      'agents/claude-code.yaml':
        'kind: agent\nname: claude-code\ncommand: claude -p "$(cat $GAUNTLET_TASK_FILE)"\n',
      'agents/gemini.yaml':
        'kind: agent\nname: gemini\ncommand: gemini -m gemini-2.5-pro -p "$(cat $GAUNTLET_TASK_FILE)"\n',
      'suites/coding.yaml':
        'kind: suite\nname: coding\nagents: [claude-code, gemini]\nscenario: calc\ntasks:\n  - id: fix-add\n    user: Fix add() in calc.py so the test suite passes.\n  - id: refactor-add\n    user: Refactor add() in calc.py to use operator functions, keeping behaviour.\n',
    };
    for (const dir of ['agents', 'suites'])
      await mkdir(join(root, '.gauntlet', dir), { recursive: true });
    for (const [name, text] of Object.entries(files))
      await writeFile(join(root, '.gauntlet', name), text);
    const [res] = await runSuites({
      root,
      resultsDir: await mkdtemp(join(tmpdir(), 'install-results-')),
    });
    expect(res.records).toHaveLength(4);
    for (const r of res.records)
      expect(r.error, `${r.agent.name} ${r.task_id}: ${JSON.stringify(r.error)}`).toBeNull();
    const by = (agent: string, task: string) =>
      res.records.find((r) => r.agent.name === agent && r.task_id === task)!;

    expect(by('claude-code', 'fix-add').verdict).toBe('PASS');
    const gemini = by('gemini', 'fix-add');
    expect(
      gemini.trajectory.model_calls.every(
        (c) => c.provider === 'gemini' && c.model === 'gemini-2.5-pro' && c.status === 200,
      ),
    ).toBe(true);
    expect(
      gemini.trajectory.steps.filter((s) => s.type !== 'model_call').map((s) => s.type),
    ).toEqual(['read', 'assistant', 'edit', 'shell', 'assistant']);
    expect(gemini.trajectory.steps.find((s) => s.type === 'shell')).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 0',
    });
    expect(gemini.diff).toContain('+    return a + b');
    expect(gemini.verdict).toBe('PASS');
    // The exit code reached only the model; the gateway's record of it gives the step its code.
    const broken = by('gemini', 'refactor-add');
    expect(broken.trajectory.steps.find((s) => s.type === 'shell')).toMatchObject({
      summary: '$ python3 -m pytest -q → exit 1',
      detail: { exit_code: 1 },
    });
    expect(broken.scorers.find((s) => s.name === 'tests')).toMatchObject({
      passed: false,
      tail: expect.stringMatching(/assert 6 == 5/),
    });
  }, 600_000);
});
