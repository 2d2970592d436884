/**
 * A CI job's time from its start to its first task, with a cold image build and with the
 * image cache restored, side by side: the built Action (build/action/src/index.js) runs twice
 * on `gauntlet init` scaffolds (python, claude-code) against a loopback GitHub Actions cache
 * service. The first job builds the base image (from Debian's packages, as a hosted runner does
 * from debian:trixie-slim) and the agent's layer, then saves both; the second starts on an
 * engine without them, as a new runner would, and restores them. Prints figures; asserts
 * nothing. Needs Debian's archive and the npm registry.
 *   npm run bench
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../core/src/util/paths.js';
import { startCacheServer } from './actions-cache-server.js';
import { runnerFiles } from '../tests/support/runner-files.js';

const TARGET_S = 15;

const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const present = (tag: string) => docker('image', 'inspect', tag).status === 0;

interface Job {
  firstTaskS: number;
  wallS: number;
  code: number | null;
  cacheLines: string[];
  log: string;
}

/** One job: the Action's main step, as a runner starts it (env, command files, a workspace). */
async function job(workspace: string, env: Record<string, string>): Promise<Job> {
  const { files } = runnerFiles({}, 'bench-runner-');
  const started = Date.now();
  const child = spawn(process.execPath, [join(packageRoot(), 'build/action/src/index.js')], {
    cwd: workspace,
    env: {
      ...process.env,
      ...files,
      ...env,
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REPOSITORY: 'octo/bench',
      GITHUB_RUN_ID: '1',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_ACTIONS: 'true',
      'INPUT_RESULTS-BRANCH': '',
      'INPUT_IMAGE-CACHE': 'true',
    },
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const firstTask = /first task started ([\d.]+) s after the step began/.exec(log);
  return {
    firstTaskS: firstTask ? Number(firstTask[1]) : NaN,
    wallS: (Date.now() - started) / 1000,
    code,
    cacheLines: log.split('\n').filter((l) => l.startsWith('image cache: ')),
    log,
  };
}

/** The scaffolds measured, with the environment layer each one's agent brings. */
const SCAFFOLDS = [
  // A Python agent with a small system package: the base image dominates.
  {
    kind: 'python',
    layer: ['.gauntlet/agents/assistant.yaml', 'environment:\n  system_packages: [sqlite3]\n'],
  },
  // Claude Code's documented install line (apt nodejs npm, npm install -g): a 1.4 GB layer.
  { kind: 'claude-code', layer: undefined },
] as const;

interface Pair {
  kind: string;
  cold: Job;
  warm: Job;
}

/** One scaffold: a cold job (build, save), then a job on an engine without the images. */
async function measure(
  kind: string,
  layer: readonly [string, string] | undefined,
  from: string,
): Promise<Pair> {
  const nonce = `${process.pid}-${Date.now()}`;
  // A base tag of its own, built from packages: a cold build even on an engine that has
  // gauntlet-base:latest (the bench never touches that one).
  const base = `gauntlet-base:bench-${nonce}`;
  const ws = mkdtempSync(join(tmpdir(), 'bench-repo-'));
  spawnSync('git', ['init', '-q', '-b', 'main', ws]);
  const cli = join(packageRoot(), 'bin/gauntlet.js');
  const args = [cli, 'init', ws, '--agent', kind];
  const init = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`gauntlet init failed: ${init.stderr}`);
  await appendFile(join(ws, '.gauntlet/gauntlet.yaml'), `image: ${base}\n`);
  if (layer) await appendFile(join(ws, layer[0]), layer[1]);

  const service = mkdtempSync(join(tmpdir(), 'bench-cache-service-'));
  const server = await startCacheServer(service);
  const env: Record<string, string> = {
    ...server.env,
    RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'bench-runner-temp-')),
    GAUNTLET_BASE_FROM: from,
    GAUNTLET_CACHE_DIR: mkdtempSync(join(tmpdir(), 'bench-gauntlet-cache-')),
  };
  // Behind a TLS-intercepting proxy npm needs the proxy's CA (README: GAUNTLET_BUILD_CA_CERTS).
  const ca = process.env.GAUNTLET_BUILD_CA_CERTS ?? process.env.NODE_EXTRA_CA_CERTS;
  if (ca) env.GAUNTLET_BUILD_CA_CERTS = ca;
  console.log(`${kind} scaffold, base ${base} from ${from} ...`);
  const cold = await job(ws, env);
  let warm: Job | undefined;
  const envTags = () =>
    [...cold.cacheLines, ...(warm?.cacheLines ?? [])]
      .map((l) => /^image cache: (gauntlet-env:\w+)/.exec(l)?.[1])
      .filter((t): t is string => !!t);
  const drop = () => [...new Set(envTags()), base].forEach((t) => docker('rmi', t));
  try {
    if (cold.code !== 0) throw new Error(`the cold job failed:\n${cold.log.slice(-3000)}`);
    // A new runner: the images are gone from the engine; the cache service keeps its entries.
    drop();
    warm = await job(ws, env);
    if (warm.code !== 0) throw new Error(`the cached job failed:\n${warm.log.slice(-3000)}`);
  } finally {
    await server.close();
    drop();
    // The cache entries are GBs: nothing of them stays behind.
    for (const dir of [service, env.RUNNER_TEMP]) rmSync(dir, { recursive: true, force: true });
  }
  return { kind, cold, warm };
}

async function main() {
  const from =
    process.env.BENCH_BASE_FROM ??
    (present('gauntlet-rootfs:trixie-v2') ? 'gauntlet-rootfs:trixie-v2' : 'debian:trixie-slim');
  console.log('image cache: a job from its start to its first task, cold and with the cache');
  // The debootstrapped rootfs has the base's packages installed already: the cold base here
  // is apt-get update plus the user setup; from debian:trixie-slim a runner also installs them.
  const pairs: Pair[] = [];
  for (const s of SCAFFOLDS) pairs.push(await measure(s.kind, s.layer, from));
  const row = (a: string, b: string, c: string, d: string) =>
    console.log(`${a.padEnd(14)}${b.padEnd(26)}${c.padStart(12)}${d.padStart(16)}`);
  const s = (n: number) => `${n.toFixed(1)} s`;
  console.log('');
  row('scaffold', '', 'cold build', 'restored cache');
  for (const p of pairs) {
    row(p.kind, 'job start -> first task', s(p.cold.firstTaskS), s(p.warm.firstTaskS));
    row('', 'whole job (with saving)', s(p.cold.wallS), s(p.warm.wallS));
  }
  console.log('');
  for (const p of pairs) {
    const met = p.warm.firstTaskS <= TARGET_S ? 'met' : 'MISSED';
    console.log(`${p.kind}: target <= ${TARGET_S} s to the first task with the cache: ${met}`);
    for (const [name, j] of [
      ['cold', p.cold],
      ['cached', p.warm],
    ] as const) {
      for (const l of j.cacheLines) console.log(`  ${name.padEnd(6)} ${l.slice(13)}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
