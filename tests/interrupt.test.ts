import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuites } from '../core/src/pipeline/run-suite.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { makeTree, project, pythonAgent, suite } from '../core/src/test-support/tree.js';

const BIN = join(__dirname, '..', 'bin', 'gauntlet.js');
// Only this test's child: other test files run sandboxes at the same time.
const containersOf = (pid: number) =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=gauntlet.owner=${hostname()}:${pid}`])
    .toString()
    .trim();
const tempDirsOf = (pid: number) =>
  readdirSync(tmpdir()).filter((n) => new RegExp(`^gauntlet-\\w+-${pid}-`).test(n));

// The first task answers at once; the second sleeps until it is interrupted.
const AGENT =
  'import time\ndef run(task_input, *, proxy_url, run_token):\n    if task_input["user_instruction"] == "slow":\n        time.sleep(600)\n    return "done"';

/** Starts `gauntlet run` and resolves once the slow run's sandbox exists. */
async function startRun(root: string) {
  const child = spawn('node', [BIN, 'run', root, '--concurrency', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Condition, not a guess: the slow run is in flight once the fast one is done and a sandbox is up.
  while (!/✓ \[1\/3\]/.test(output) || !containersOf(child.pid!)) {
    if (child.exitCode !== null) throw new Error(`gauntlet exited early:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exited, output: () => output };
}

describe.skipIf(!dockerReady())('Ctrl-C and kill leave nothing behind', () => {
  it('SIGINT cancels the run in flight, writes what finished, removes sandboxes and temp dirs, exits 130', async () => {
    const root = await makeTree({
      ...project(),
      ...pythonAgent('a', AGENT),
      ...suite('s', 'a', ['fast', 'slow', 'never']),
    });
    const run = await startRun(root);
    run.child.kill('SIGINT');
    expect(await run.exited, run.output()).toBe(130);
    const runs = join(root, '.gauntlet/results/runs');
    const [dir] = readdirSync(runs);
    expect(readdirSync(join(runs, dir))).toEqual(
      expect.arrayContaining(['manifest.json', 'report.md', 'junit.xml']),
    );
    const manifest = JSON.parse(readFileSync(join(runs, dir, 'manifest.json'), 'utf8'));
    expect(manifest.counts).toMatchObject({ runs: 2, completed: 1, cancelled: 1, not_run: 1 });
    expect(manifest.runs.map((r: { status: string }) => r.status).sort()).toEqual([
      'cancelled',
      'completed',
    ]);
    expect(containersOf(run.child.pid!)).toBe('');
    expect(tempDirsOf(run.child.pid!)).toEqual([]);
  }, 120_000);

  it('after a kill -9 the next start sweeps the leftover containers, temp dirs and sockets', async () => {
    const root = await makeTree({
      ...project(),
      ...pythonAgent('a', AGENT),
      ...suite('s', 'a', ['fast', 'slow', 'never']),
    });
    const run = await startRun(root);
    const pid = run.child.pid!;
    run.child.kill('SIGKILL');
    await run.exited;
    const left = tempDirsOf(pid);
    expect(left.length).toBeGreaterThan(0);
    expect(left.some((d) => existsSync(join(tmpdir(), d, 'gw.sock')))).toBe(true);
    expect(containersOf(pid)).not.toBe('');
    const next = await makeTree({
      ...project(),
      ...pythonAgent('b', 'def run(t, *, proxy_url, run_token): return "ok"'),
      ...suite('s', 'b', ['go']),
    });
    await runSuites({ root: next });
    expect(tempDirsOf(pid)).toEqual([]);
    expect(containersOf(pid)).toBe('');
  }, 120_000);
});
