import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project } from '../test-support/tree.js';
import { Runner } from './runner.js';

const agent = (name: string, command: string) => ({
  [`.gauntlet/agents/${name}.yaml`]: `kind: agent\nname: ${name}\ncommand: ${JSON.stringify(command)}\ntimeout: 60\n`,
});

// Plain shell agents: the runner API is about sandboxes, turns and files, not any one CLI.
const FILES = {
  ...project(),
  'repo/calc.py': 'def add(a, b):\n    return a - b\n',
  'repo/test_calc.py': 'from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n',
  '.gauntlet/scenarios/calc.yaml': 'kind: scenario\nname: calc\nworkspace:\n  path: ../../repo\n',
  ...agent('reviewer', 'grep -n "a - b" calc.py && echo "add() subtracts"'),
  ...agent(
    'fixer',
    'cat "$GAUNTLET_TASK_FILE" > /dev/null; sed -i "s/a - b/a + b/" calc.py && echo fixed',
  ),
  ...agent('verifier', 'sh -c "$(cat $GAUNTLET_TASK_FILE)"'),
  ...agent('producer', 'mkdir -p artifacts && echo "report of $(date +%Y)" > artifacts/report.txt'),
};

describe.skipIf(!dockerReady())('the runner API', () => {
  it('reviewer -> fixer -> verifier in one sandbox: turns share the workspace and one cumulative diff', async () => {
    const root = await makeTree(FILES);
    const runner = await Runner.load({ root });
    try {
      const sb = await runner.openSandbox({
        agents: ['reviewer', 'fixer', 'verifier'],
        scenario: 'calc',
      });
      const review = await runner.run('reviewer', { sandbox: sb, prompt: 'Review risk.' });
      expect(review.output).toContain('add() subtracts');
      expect(review.diff).toBeNull();
      const fix = await runner.run('fixer', {
        sandbox: sb,
        prompt: `Use this review and fix it:\n\n${review.output}`,
      });
      expect(fix.diff).toContain('+    return a + b');
      const verify = await runner.run('verifier', { sandbox: sb, prompt: 'python3 -m pytest -q' });
      expect([verify.status, verify.turn]).toEqual(['completed', 3]);
      expect(verify.output).toMatch(/1 passed/);
      expect(await sb.diff()).toContain('+    return a + b');
      expect(review.trajectory[0]).toMatchObject({ type: 'shell' });
    } finally {
      await runner.close();
    }
  });

  it('one agent across two sandboxes, handing a file over with getFile / putFile', async () => {
    const root = await makeTree(FILES);
    const runner = await Runner.load({ root });
    try {
      const producer = await runner.openSandbox({ agents: ['producer'], scenario: 'calc' });
      const consumer = await runner.openSandbox({ agents: ['verifier'], scenario: 'calc' });
      await runner.run('producer', { sandbox: producer, prompt: 'Create artifacts/report.txt' });
      const report = await producer.getFile('artifacts/report.txt');
      await consumer.putFile('incoming/report.txt', report);
      const v = await runner.run('verifier', {
        sandbox: consumer,
        prompt: 'cat incoming/report.txt',
      });
      expect(v.output).toMatch(/^report of \d{4}$/);
      await expect(producer.getFile('no/such/file')).rejects.toThrow(/no file/);
    } finally {
      await runner.close();
    }
  });

  it('a branch per agent: each sandbox commits its own diff, the work tree untouched', async () => {
    const root = await makeTree(FILES);
    const g = (...a: string[]) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8' });
    g('init', '-q');
    g('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '-A');
    g('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base');
    const runner = await Runner.load({ root });
    try {
      const fix = await runner.openSandbox({
        agents: ['fixer'],
        scenario: 'calc',
        branch: 'agent/fix',
      });
      const other = await runner.openSandbox({
        agents: ['producer'],
        scenario: 'calc',
        branch: 'agent/report',
      });
      await runner.run('fixer', { sandbox: fix, prompt: 'fix' });
      await runner.run('producer', { sandbox: other, prompt: 'report' });
      await fix.commitBranch();
      await other.commitBranch();
      expect(g('show', 'agent/fix:repo/calc.py')).toContain('a + b');
      expect(g('show', 'agent/report:repo/calc.py')).toContain('a - b');
      expect(g('show', 'agent/report:repo/artifacts/report.txt')).toMatch(/report of/);
      expect(g('status', '--porcelain')).toBe('');
      await expect(
        runner
          .openSandbox({ agents: ['fixer'], scenario: 'calc', branch: 'bad..name' })
          .then((s) => s.commitBranch()),
      ).rejects.toThrow(/not a valid branch name/);
    } finally {
      await runner.close();
    }
  });
});
