/**
 * Time to append one suite run to a results branch that already holds 10,000 runs.
 * The branch is seeded with git fast-import (fast, one process), then appended through the
 * same GitBranchStore the Action uses, from a fresh scratch clone as a new CI job would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitBranchStore } from '../core/src/results/git-branch.js';
import type { SuiteManifest } from '../core/src/results/record.js';

const RUNS = Number(process.env.BENCH_BRANCH_RUNS ?? 10_000);
const PER_SUITE = 20;

function manifest(id: string, startedAt: string): SuiteManifest {
  return {
    schema_version: 1,
    id,
    suite: 'bench',
    started_at: startedAt,
    finished_at: startedAt,
    duration_ms: 1,
    trials: 1,
    counts: {
      runs: PER_SUITE,
      completed: PER_SUITE,
      failed: 0,
      pass: PER_SUITE,
      fail: 0,
      pending: 0,
      not_applicable: 0,
    },
    pass_rate: 1,
    pass_hat_k: 1,
    pass_at_k: 1,
    cost: { agent_usd: 0, judge_usd: 0, simulator_usd: 0, total_usd: 0 },
    latency: { p50_ms: 1, p95_ms: 1, max_ms: 1 },
    by_error_class: {},
    gates: [],
    gates_passed: true,
    runs: [],
    provenance: { gauntlet_version: '0', config_hash: 'x', host: 'bench' },
  };
}

async function main() {
  const remoteDir = await mkdtemp(join(tmpdir(), 'bench-remote-'));
  execFileSync('git', ['init', '-q', '--bare', remoteDir]);
  execFileSync('git', ['--git-dir', remoteDir, 'config', 'uploadpack.allowFilter', 'true']);
  const record = JSON.stringify({ schema_version: 1, padding: 'x'.repeat(4000) });
  const now = Date.now();
  const suites = RUNS / PER_SUITE;
  const index = {
    schema_version: 1,
    updated_at: new Date(now).toISOString(),
    suite_runs: [] as unknown[],
  };
  let stream = 'commit refs/heads/gauntlet-results\ncommitter bench <b@b> 0 +0000\ndata 4\nseed\n';
  for (let s = 0; s < suites; s++) {
    const id = `seed${String(s).padStart(6, '0')}`;
    const m = manifest(id, new Date(now - (suites - s) * 60_000).toISOString());
    index.suite_runs.push({
      id,
      suite: 'bench',
      started_at: m.started_at,
      pass_rate: 1,
      runs: PER_SUITE,
      failed: 0,
      cost_usd: 0,
      gates_passed: true,
      p95_ms: 1,
    });
    const mt = JSON.stringify(m);
    stream += `M 100644 inline runs/${id}/manifest.json\ndata ${Buffer.byteLength(mt)}\n${mt}\n`;
    for (let r = 0; r < PER_SUITE; r++)
      stream += `M 100644 inline runs/${id}/r${r}.json\ndata ${Buffer.byteLength(record)}\n${record}\n`;
  }
  const it = JSON.stringify(index);
  stream += `M 100644 inline index.json\ndata ${Buffer.byteLength(it)}\n${it}\n`;
  let t = Date.now();
  const fi = spawnSync('git', ['--git-dir', remoteDir, 'fast-import', '--quiet'], {
    input: stream,
    maxBuffer: 1 << 30,
  });
  if (fi.status !== 0) throw new Error(String(fi.stderr));
  console.log(
    `seeded ${RUNS} runs in ${suites} suite runs (${(stream.length / 1e6).toFixed(0)} MB) in ${Date.now() - t} ms`,
  );

  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-suite-'));
    const m = manifest(`new${i}`, new Date().toISOString());
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
    await writeFile(join(dir, 'r1.json'), record);
    const store = new GitBranchStore({
      remote: `file://${remoteDir}`,
      branch: 'gauntlet-results',
      workDir: join(await mkdtemp(join(tmpdir(), 'bench-scratch-')), 'git'),
      retention: { maxAgeDays: 3650, maxSuiteRuns: 100_000 },
    });
    t = Date.now();
    await store.append(m, dir, `bench ${i}`);
    times.push(Date.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(
    `append one suite run to a branch holding ${RUNS} runs, fresh scratch clone (median of 5): ${times[2]} ms (min ${times[0]}, max ${times[4]})`,
  );
}

await main();
