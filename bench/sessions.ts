/**
 * What a session costs per turn, and what sessions save over one-shot runs. Prints figures;
 * asserts nothing.
 *   npm run bench
 * 1. Per-turn overhead: a trivial Python agent (it returns at once, no model) in a stateful
 *    session; each turn's host time from input to outcome is the overhead (target: median
 *    <= 100 ms).
 * 2. A 10-turn session of that agent against 10 one-shot runs of it, serially, container to
 *    record (target: <= 0.3x the time).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PythonAdapter } from '../core/src/agents/python/adapter.js';
import { packCode } from '../core/src/agents/python/source.js';
import { PriceTable } from '../core/src/models/prices.js';
import { ModelRelay } from '../core/src/models/relay.js';
import { runSuites } from '../core/src/pipeline/run-suite.js';
import { DockerDriver } from '../core/src/sandbox/docker.js';
import { ImageManager } from '../core/src/sandbox/images.js';
import { Session } from '../core/src/session/session.js';

const TURNS = Number(process.env.BENCH_TURNS ?? 30);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const AGENT = 'def run(task_input, *, proxy_url, run_token):\n    return "ok"\n';

async function perTurn() {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-bench-turns-'));
  await writeFile(join(dir, 'main.py'), AGENT);
  await packCode(dir, join(dir, 'pack'));
  const image = await new ImageManager().ensureBase();
  const agent = new PythonAdapter({
    name: 'trivial',
    image,
    code: {
      root: dir,
      dir,
      packDir: join(dir, 'pack'),
      entrypoint: 'run',
      entrypointFile: 'main.py',
      hash: 'h',
      provenance: {},
    },
    env: {},
    timeoutMs: 30_000,
    memoryMb: 256,
  });
  const s = await Session.open({
    runId: `bench-turns-${process.pid}`,
    token: 'gt_bench_turns_token',
    relay: new ModelRelay({}, new PriceTable()),
    sandbox: {
      driver: new DockerDriver(),
      image,
      limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
      mounts: Session.mountsFor([agent]),
    },
  });
  const stateful: number[] = [];
  const replay: number[] = [];
  try {
    for (let n = 1; n <= TURNS; n++) {
      const t = await s.turn(agent, {
        turn: n,
        message: `m${n}`,
        messages: [{ role: 'user', content: `m${n}` }],
        memory: 'stateful',
        task: { id: 't', behavior_instructions: null, initial_state: null },
      });
      if (t.outcome.error) throw new Error(t.outcome.error.message);
      if (n > 1) stateful.push(t.latency_ms); // turn 1 starts the process
    }
    await agent.close();
    for (let n = TURNS + 1; n <= TURNS + 10; n++) {
      const t = await s.turn(agent, {
        turn: n,
        message: `m${n}`,
        messages: [{ role: 'user', content: `m${n}` }],
        memory: 'replay',
        task: { id: 't', behavior_instructions: null, initial_state: null },
      });
      if (t.outcome.error) throw new Error(t.outcome.error.message);
      replay.push(t.latency_ms);
    }
  } finally {
    await s.close([agent]);
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `per-turn overhead, trivial agent, stateful session (median of ${stateful.length}): ${median(stateful)} ms (target <= 100 ms); replay turns (a process each): ${median(replay)} ms`,
  );
}

const JUDGE = `rules:
  - when: { system: "judge of an AI agent" }
    reply:
      tool_use: { name: record_verdict, input: { task_completion: 5, instruction_adherence: null, efficiency: 5, verdict: PASS, failure_mode: null, reasoning: "ok" } }
`;

async function tree(suite: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gauntlet-bench-sessions-'));
  const files: Record<string, string> = {
    '.gauntlet/agents/trivial.yaml': `kind: agent\nname: trivial\npython:\n  source:\n    inline: |\n${AGENT.split(
      '\n',
    )
      .map((l) => `      ${l}`)
      .join('\n')}\n`,
    '.gauntlet/gauntlet.yaml':
      'judge_model: claude-haiku-4-5\nproviders:\n  anthropic:\n    script: models/judge.yaml\n',
    '.gauntlet/models/judge.yaml': JUDGE,
    '.gauntlet/suites/bench.yaml': suite,
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  return root;
}

async function sessionVsOneShot() {
  const lines = Array.from({ length: 9 }, (_, i) => `"turn ${i + 2}"`).join(', ');
  const session = await tree(
    `kind: suite\nname: bench\nagent: trivial\nmulti_turn:\n  simulator_mode: scripted\n  scripted_user_turns: [${lines}]\n  max_turns: 10\n  memory_mode: stateful\ntasks:\n  - user: "turn 1"\n`,
  );
  const oneShot = await tree(
    `kind: suite\nname: bench\nagent: trivial\ntasks:\n${Array.from({ length: 10 }, (_, i) => `  - user: "task ${i}"`).join('\n')}\n`,
  );
  await runSuites({ root: session, concurrency: 1 }); // warm: code hash, image lookups
  await runSuites({ root: oneShot, concurrency: 1 });
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t = Date.now();
    const [s] = await runSuites({ root: session, concurrency: 1 });
    if (s.records[0].multi_turn?.turns_used !== 10)
      throw new Error('the session did not take 10 turns');
    a.push(Date.now() - t);
    t = Date.now();
    await runSuites({ root: oneShot, concurrency: 1 });
    b.push(Date.now() - t);
  }
  console.log(
    `10-turn session: ${median(a)} ms; 10 one-shot runs (serial): ${median(b)} ms; ratio ${(median(a) / median(b)).toFixed(2)}x (target <= 0.3x)`,
  );
}

await perTurn();
await sessionVsOneShot();
