import { describe, expect, it } from 'vitest';
import { configIssues } from '../test-support/config-issues.js';
import { loadConfig } from './load.js';
import { makeTree, project } from '../test-support/tree.js';

const issues = configIssues;

const agent = `kind: agent
name: a1
python:
  entrypoint: run
  source:
    inline: "def run(t, *, proxy_url, run_token): return 'x'"
`;
const suite = `kind: suite
name: s1
agent: a1
tasks:
  - user: hello
`;

describe('config loading', () => {
  it('accepts a valid tree', async () => {
    expect(
      await issues({ '.gauntlet/agents/a1.yaml': agent, '.gauntlet/suites/s1.yaml': suite }),
    ).toEqual([]);
  });

  it('reports an unknown key at its line and column with a did-you-mean', async () => {
    const bad = agent.replace('  entrypoint: run', '  entrypoint: run\n  entrypiont_file: main.py');
    const [i] = await issues({
      '.gauntlet/agents/a1.yaml': bad,
      '.gauntlet/suites/s1.yaml': suite,
    });
    expect(i).toMatchObject({
      code: 'unknown_key',
      field: 'python.entrypiont_file',
      line: 5,
      column: 3,
    });
    expect(i.file).toMatch(/agents\/a1\.yaml$/);
    expect(i.message).toContain('did you mean "entrypoint_file"');
  });

  it('rejects a dotted entrypoint', async () => {
    const [i] = await issues({
      '.gauntlet/agents/a1.yaml': agent.replace('entrypoint: run', 'entrypoint: pkg.run'),
      '.gauntlet/suites/s1.yaml': suite,
    });
    expect(i).toMatchObject({ field: 'python.entrypoint', line: 4, code: 'invalid_value' });
    expect(i.message).toContain('dotted paths are rejected');
  });

  it('points YAML syntax errors at the offending position', async () => {
    const [i] = await issues({ '.gauntlet/agents/a1.yaml': 'kind: agent\nname: [unclosed\n' });
    expect(i.code).toBe('yaml_syntax');
    expect(i.line).toBeGreaterThanOrEqual(2);
  });

  it('flags duplicate keys, a bad enum with a hint, and an unknown agent reference', async () => {
    const found = await issues({
      '.gauntlet/agents/a1.yaml': agent.replace('kind: agent', 'kind: agent\nstatus: publihsed'),
      '.gauntlet/suites/s1.yaml': suite.replace('agent: a1', 'agent: a2'),
    });
    expect(found.find((i) => i.field === 'status')?.message).toContain('did you mean "published"');
    const ref = found.find((i) => i.code === 'unknown_agent');
    expect(ref).toMatchObject({ line: 3, field: 'agent' });
  });

  it('takes judge.samples 1..15 and names the line and the fix of any other value', async () => {
    const withSamples = (v: string) =>
      issues({
        '.gauntlet/agents/a1.yaml': agent,
        '.gauntlet/suites/s1.yaml': suite.replace(
          'agent: a1',
          `agent: a1\njudge:\n  samples: ${v}`,
        ),
      });
    expect(await withSamples('3')).toEqual([]);
    for (const [v, message] of [
      ['16', '16: must be <= 15'],
      ['0', '0: must be >= 1'],
      ['2.5', '2.5: must be integer'],
      ['three', '"three": must be integer'],
    ]) {
      // One issue, at the value: not the anyOf's noise about `judge: none`.
      const found = await withSamples(v);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ field: 'judge.samples', line: 5, code: 'invalid_value' });
      expect(found[0].message).toBe(message);
      expect(found[0].fix).toContain('from 1 to 15');
    }
  });

  it('rejects Dockerfile bodies with instructions other than RUN/ENV/WORKDIR, at the body line', async () => {
    const bad = agent + 'environment:\n  dockerfile: |\n    RUN echo ok\n    COPY . /app\n';
    const [i] = await issues({
      '.gauntlet/agents/a1.yaml': bad,
      '.gauntlet/suites/s1.yaml': suite,
    });
    expect(i).toMatchObject({ code: 'dockerfile_invalid', line: 10 });
    expect(i.message).toContain('COPY');
  });

  it('caps system packages at 50', async () => {
    const pkgs = Array.from({ length: 51 }, (_, n) => `p${n}`).join(', ');
    const [i] = await issues({
      '.gauntlet/agents/a1.yaml': `${agent}environment:\n  system_packages: [${pkgs}]\n`,
      '.gauntlet/suites/s1.yaml': suite,
    });
    expect(i.field).toBe('environment.system_packages');
  });

  it('names the row of a blank wired CSV cell', async () => {
    const found = await issues({
      '.gauntlet/agents/a1.yaml': agent,
      '.gauntlet/suites/s1.yaml':
        'kind: suite\nname: s1\nagent: a1\ntasks: { csv: t.csv }\ncolumns: [expected_outcome]\n',
      '.gauntlet/suites/t.csv':
        'user,expected_outcome\n"ok",completion\n"second",\n"third",maybe\n',
    });
    expect(found.map((i) => [i.line, i.field])).toEqual([
      [3, 'expected_outcome'],
      [4, 'expected_outcome'],
    ]);
    expect(found[0].message).toContain('row 3');
  });

  it('requires the user column and refuses unwired columns', async () => {
    const found = await issues({
      '.gauntlet/agents/a1.yaml': agent,
      '.gauntlet/suites/s1.yaml': 'kind: suite\nname: s1\nagent: a1\ntasks: { csv: t.csv }\n',
      '.gauntlet/suites/t.csv': 'prompt,expected_outcome\nhi,completion\n',
    });
    expect(found.map((i) => i.code).sort()).toEqual([
      'csv_missing_column',
      'csv_unwired_column',
      'csv_unwired_column',
    ]);
  });

  it('keeps hostile CSV cells as inert data', async () => {
    const root = await makeTree({
      ...project(),
      '.gauntlet/agents/a1.yaml': agent,
      '.gauntlet/suites/s1.yaml': 'kind: suite\nname: s1\nagent: a1\ntasks: { csv: t.csv }\n',
      '.gauntlet/suites/t.csv': 'user\n"=cmd|\' /C calc\'!A0"\n"$(rm -rf /); `id`"\n',
    });
    const { loadTasks } = await import('./tasks.js');
    const tree = await loadConfig(root);
    const tasks = await loadTasks(tree.suites.get('s1')!);
    expect(tasks.map((t) => t.user)).toEqual(["=cmd|' /C calc'!A0", '$(rm -rf /); `id`']);
  });
});

describe('CSV scenario axes', () => {
  it('hard-errors blank or malformed axis cells naming the row, and unknown scenario_ref as ScenarioResolutionError', async () => {
    const { parseTaskCsv } = await import('./tasks.js');
    expect(() =>
      parseTaskCsv('user,workspace_seed\nfix it,ftp://nope\n', 't.csv', ['workspace_seed']),
    ).toThrow(/t\.csv:2:2.*row 2: workspace_seed is malformed/s);
    expect(() =>
      parseTaskCsv('user,eval\nfix it,"[{""name"":""x""}]"\n', 't.csv', ['eval']),
    ).toThrow(/row 2: eval is malformed \(scorer "x" needs exactly one of/);
    expect(() => parseTaskCsv('user,scenario_ref\nfix it,\n', 't.csv', ['scenario_ref'])).toThrow(
      /row 2: the wired "scenario_ref" cell is blank/,
    );
    const [t] = parseTaskCsv(
      'user,workspace_seed,setup_command\nfix it,https://example.com/r.git#v2,make deps\n',
      't.csv',
      ['workspace_seed', 'setup_command'],
    );
    expect(t.axes).toEqual({
      workspace_seed: { git: { url: 'https://example.com/r.git', ref: 'v2' } },
      setup_command: 'make deps',
    });
    const root = await makeTree({
      '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\ncommand: claude -p hi\n',
      '.gauntlet/scenarios/s.yaml': 'kind: scenario\nname: s\nworkspace: { empty: true }\n',
      '.gauntlet/suites/x.yaml':
        'kind: suite\nname: x\nagent: a\ntasks: { csv: t.csv }\ncolumns: [scenario_ref]\n',
      '.gauntlet/suites/t.csv': 'user,scenario_ref\ngo,s\ngo,missing\n',
    });
    await expect(loadConfig(root)).rejects.toThrow(
      /t\.csv:3:1: error \[ScenarioResolutionError\] scenario_ref: row 3: no scenario named "missing" \(scenarios: s\)/,
    );
  });
});
