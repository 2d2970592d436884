/**
 * Per-task overhead of gauntlet against a bare `docker run` of the same image, measured in
 * one run, plus the speed-up of concurrency 2 over serial. Prints figures; asserts nothing.
 *   npm run bench
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { runSuites } from '../core/src/pipeline/run-suite.js';

const N = Number(process.env.BENCH_N ?? 10);
const TASKS = Number(process.env.BENCH_TASKS ?? 20);

/** Busy and total jiffies of the whole machine, to tell CPU-bound from latency-bound. */
function cpu() {
  const f = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: f[0] + f[1] + f[2] + f[5] + f[6], total: f.reduce((a, b) => a + b, 0) };
}
const cores = (a: ReturnType<typeof cpu>, b: ReturnType<typeof cpu>, n: number) =>
  ((b.busy - a.busy) / (b.total - a.total)) * n;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const JUDGE = `rules:
  - when: { system: "judge of an AI agent" }
    reply:
      tool_use: { name: record_verdict, input: { task_completion: 5, instruction_adherence: null, efficiency: 5, verdict: PASS, failure_mode: null, reasoning: "ok" } }
`;

async function tree(tasks: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gauntlet-bench-'));
  const files: Record<string, string> = {
    '.gauntlet/agents/trivial.yaml':
      'kind: agent\nname: trivial\npython:\n  source:\n    inline: |\n      def run(task_input, *, proxy_url, run_token):\n          return "ok"\n',
    // A scripted judge on loopback: a suite must grade something, and this one costs ~ms.
    '.gauntlet/gauntlet.yaml':
      'judge_model: claude-haiku-4-5\nproviders:\n  anthropic:\n    script: models/judge.yaml\n',
    '.gauntlet/models/judge.yaml': JUDGE,
    '.gauntlet/suites/bench.yaml': `kind: suite\nname: bench\nagent: trivial\ntasks:\n${Array.from({ length: tasks }, (_, i) => `  - user: "task ${i}"`).join('\n')}\n`,
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  return root;
}

async function bare(): Promise<number> {
  const t = Date.now();
  await execa('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    'gauntlet-base:latest',
    'python3',
    '-c',
    'pass',
  ]);
  return Date.now() - t;
}

async function main() {
  await bare(); // warm the engine and the page cache
  const bareTimes: number[] = [];
  const ours: number[] = [];
  const root = await tree(1);
  await runSuites({ root, concurrency: 1 }); // warm: code hash, image lookups
  for (let i = 0; i < N; i++) {
    bareTimes.push(await bare());
    const [r] = await runSuites({ root, concurrency: 1 });
    ours.push(r.records[0].latency_ms);
  }
  const mb = median(bareTimes);
  const mo = median(ours);
  console.log(`trivial Python agent, container to record (median of ${N}): ${mo} ms`);
  console.log(`bare docker run --rm python3 -c pass   (median of ${N}): ${mb} ms`);
  console.log(`ratio: ${(mo / mb).toFixed(2)}x (target <= 1.5x)`);

  // A coding run of a small repository: seed, platform setup, baseline, a one-line edit, diff, one scorer.
  const coding = await mkdtemp(join(tmpdir(), 'gauntlet-bench-coding-'));
  const codingFiles: Record<string, string> = {
    'repo/calc.py': 'def add(a, b):\n    return a-b\n',
    'repo/README.md': '# calc\n',
    '.gauntlet/agents/editor.yaml':
      'kind: agent\nname: editor\ncommand: "sed -i s/a-b/a+b/ calc.py"\n',
    '.gauntlet/scenarios/small.yaml':
      'kind: scenario\nname: small\nworkspace:\n  path: ../../repo\nsetup:\n  command: "true"\nscorers:\n  - { name: compiles, command: "python3 -m py_compile calc.py" }\n',
    '.gauntlet/suites/coding.yaml':
      'kind: suite\nname: coding\nagent: editor\nscenario: small\njudge: none\ntasks:\n  - user: "fix add"\n',
  };
  for (const [rel, text] of Object.entries(codingFiles)) {
    await mkdir(dirname(join(coding, rel)), { recursive: true });
    await writeFile(join(coding, rel), text);
  }
  await runSuites({ root: coding, concurrency: 1 });
  const codingTimes: number[] = [];
  const phases: Record<string, number[]> = {};
  for (let i = 0; i < N; i++) {
    const [r] = await runSuites({ root: coding, concurrency: 1 });
    codingTimes.push(r.records[0].latency_ms);
    for (const [k, v] of Object.entries(r.records[0].phases)) (phases[k] ??= []).push(v);
  }
  console.log(
    `coding run of a small repo, container to record (median of ${N}): ${median(codingTimes)} ms (${Object.entries(
      phases,
    )
      .map(([k, v]) => `${k.replace('_ms', '')} ${median(v)} ms`)
      .join(', ')}; vs trivial agent ${mo} ms)`,
  );

  const many = await tree(TASKS);
  const n = availableParallelism();
  let c0 = cpu();
  let t = Date.now();
  await runSuites({ root: many, concurrency: 1 });
  const serial = Date.now() - t;
  const serialCores = cores(c0, cpu(), n);
  c0 = cpu();
  t = Date.now();
  await runSuites({ root: many, concurrency: 2 });
  const parallel = Date.now() - t;
  const parallelCores = cores(c0, cpu(), n);
  console.log(
    `${TASKS} tasks serial: ${serial} ms (machine busy ${serialCores.toFixed(2)} of ${n} cores); concurrency 2: ${parallel} ms (busy ${parallelCores.toFixed(2)} cores)`,
  );
  // Engine, shim and runc work for one sandbox runs beside the agent, so a serial run already
  // keeps more than one core busy; on n cores the best possible ratio is serialCores / n.
  console.log(
    `ratio ${(parallel / serial).toFixed(2)} (target < 0.5; CPU floor on this machine ${(serialCores / Math.min(2, n)).toFixed(2)})`,
  );
}

await main();
