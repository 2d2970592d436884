import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configIssues } from '../test-support/config-issues.js';
import { makeTree, project } from '../test-support/tree.js';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import { loadTasks } from './tasks.js';

const RUNBOOK = '# Mission\n\nRead the CSV and write /app/results/report.md.\n';
const suite = (body: string) => `kind: suite
name: s
agent: claude-code
${body}
tasks:
  - id: t1
    user: Do it.
`;

async function load(files: Record<string, string>) {
  const root = await makeTree({ ...project(), ...files });
  const tree = await loadConfig(root);
  return { root, tree, tasks: await loadTasks(tree.suites.get('s')!, tree.scenarios, root) };
}

describe('runbook tasks in config', () => {
  it('reads the runbook at load, resolves uploads, and synthesises the short-named agent', async () => {
    const { tree, tasks } = await load({
      '.gauntlet/gauntlet.yaml':
        project()['.gauntlet/gauntlet.yaml'] +
        'clis:\n  claude-code:\n    cli_from_host: bin/claude\n',
      '.gauntlet/s.yaml': suite('runbook: runbooks/m.md\nfiles: [data/a.csv]'),
      '.gauntlet/runbooks/m.md': RUNBOOK,
      '.gauntlet/data/a.csv': 'x,y\n1,2\n',
    });
    expect(tasks[0].mission).toEqual({ name: '.gauntlet/runbooks/m.md', text: RUNBOOK });
    expect(tasks[0].uploads).toEqual([
      expect.objectContaining({ name: 'a.csv', path: '.gauntlet/data/a.csv', size: 8 }),
    ]);
    const agent = tree.agents.get('claude-code')!;
    expect(agent.value).toMatchObject({
      command: 'claude -p "$(cat $GAUNTLET_TASK_FILE)"',
      environment: { cli_from_host: 'bin/claude' },
    });
    // cli_from_host resolves from gauntlet.yaml's folder, like any path in that file.
    expect(agent.dir).toBe(tree.configDir);
  });

  it('a task runbook replaces the suite one; task files add to the suite ones', async () => {
    const { tasks } = await load({
      '.gauntlet/s.yaml': `kind: suite
name: s
agent: codex
runbook: a.md
files: [one.txt]
tasks:
  - id: t1
    user: Do it.
  - id: t2
    user: Do it differently.
    runbook: b.md
    files: [two.txt]
`,
      '.gauntlet/a.md': '# A\n',
      '.gauntlet/b.md': '# B\n',
      '.gauntlet/one.txt': '1',
      '.gauntlet/two.txt': '2',
    });
    expect(tasks.map((t) => [t.mission?.text, t.uploads?.map((u) => u.name)])).toEqual([
      ['# A\n', ['one.txt']],
      ['# B\n', ['one.txt', 'two.txt']],
    ]);
  });

  it('a declared agent wins over the short name', async () => {
    const { tree } = await load({
      '.gauntlet/agents/cc.yaml': 'kind: agent\nname: claude-code\ncommand: claude -p hi\n',
      '.gauntlet/s.yaml': suite('runbook: m.md'),
      '.gauntlet/m.md': RUNBOOK,
    });
    expect(tree.agents.get('claude-code')!.value.command).toBe('claude -p hi');
  });

  it('names file, line, field and fix for a missing or non-markdown runbook', async () => {
    const [missing] = await configIssues({
      '.gauntlet/s.yaml': suite('runbook: nope.md'),
    });
    expect(missing).toMatchObject({
      code: 'runbook_not_found',
      field: 'runbook',
      line: 4,
      fix: expect.stringContaining('relative to the suite file'),
    });
    expect(missing.file).toMatch(/s\.yaml$/);
    const [notMd] = await configIssues({
      '.gauntlet/s.yaml': suite('runbook: m.txt'),
      '.gauntlet/m.txt': RUNBOOK,
    });
    expect(notMd).toMatchObject({ code: 'runbook_not_markdown', field: 'runbook', line: 4 });
    const [binary] = await configIssues({
      '.gauntlet/s.yaml': suite('runbook: m.md'),
      '.gauntlet/m.md': '# x\n\u0000\u0001',
    });
    expect(binary).toMatchObject({ code: 'runbook_not_markdown' });
  });

  it('refuses uploads that are missing, outside the repository, or collide by base name', async () => {
    const issues = await configIssues({
      '.gauntlet/s.yaml': suite(
        'runbook: m.md\nfiles:\n  - gone.csv\n  - ../../../../../../etc/hostname\n  - a/x.csv\n  - b/x.csv',
      ),
      '.gauntlet/m.md': RUNBOOK,
      '.gauntlet/a/x.csv': '1',
      '.gauntlet/b/x.csv': '2',
    });
    expect(issues.map((i) => [i.code, i.field, i.line])).toEqual([
      ['file_not_found', 'files.0', 6],
      ['file_outside_root', 'files.1', 7],
      ['file_duplicate_name', 'files.3', 9],
    ]);
  });

  it('does not follow a symlink out of the repository', async () => {
    const root = await makeTree({
      ...project(),
      '.gauntlet/s.yaml': suite('runbook: m.md\nfiles: [link.csv]'),
      '.gauntlet/m.md': RUNBOOK,
    });
    await symlink('/etc/hostname', join(root, '.gauntlet/link.csv'));
    const err = await loadConfig(root).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues[0]).toMatchObject({ code: 'file_outside_root', field: 'files.0' });
  });

  it('refuses files without a runbook, and a runbook for a python agent', async () => {
    const noRunbook = await configIssues({
      '.gauntlet/s.yaml': suite('files: [m.md]'),
      '.gauntlet/m.md': RUNBOOK,
    });
    expect(noRunbook[0]).toMatchObject({ code: 'files_without_runbook', field: 'files.0' });
    const python = await configIssues({
      '.gauntlet/agents/p.yaml':
        'kind: agent\nname: p\npython:\n  source:\n    inline: "def run(t, *, proxy_url, run_token): return 1"\n',
      '.gauntlet/s.yaml': suite('runbook: m.md').replace('agent: claude-code', 'agent: p'),
      '.gauntlet/m.md': RUNBOOK,
    });
    expect(python[0]).toMatchObject({ code: 'runbook_needs_command_agent', field: 'agent' });
  });

  it('an unknown agent offers the short names; clis accepts only them', async () => {
    const [unknown] = await configIssues({
      '.gauntlet/s.yaml': suite('runbook: m.md').replace('claude-code', 'claude-cod'),
      '.gauntlet/m.md': RUNBOOK,
    });
    expect(unknown).toMatchObject({ code: 'unknown_agent', field: 'agent' });
    expect(unknown.message).toContain('did you mean "claude-code"');
    const [clis] = await configIssues({
      '.gauntlet/gauntlet.yaml': 'clis:\n  claude:\n    cli_from_host: x\n',
    });
    expect(clis).toMatchObject({ code: 'unknown_key', field: 'clis.claude' });
  });
});
