/**
 * The viewer bench's results directory (site layout of the viewer contract): one suite run of
 * `runs` rows with every explorer column filled with plausible, varied values, and one record
 * (row 0's) whose trajectory has `steps` steps of every kind the Agent Trace draws. Shapes come
 * from the committed fixture (tests/fixtures/viewer-results, real runs): its support tools
 * record and coding record are the templates, so the bench draws what gauntlet writes. Seeded:
 * the same arguments give the same files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ERROR_CLASSES,
  entryOf,
  type LedgerState,
  type ModelCall,
  type RunRecord,
  type SuiteManifest,
  type ToolCallRecord,
  type TraceEvent,
  type TrajectoryStep,
} from '../core/src/index.js';
import { mulberry32 } from '../core/src/util/seeded-random.js';

type Row = SuiteManifest['runs'][number];

/** The repository root: the first folder up with a package.json (from bench/ or build/bench/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const FIXTURE = join(repoRoot(), 'tests', 'fixtures', 'viewer-results');
const readJson = <T>(...p: string[]): T => JSON.parse(readFileSync(join(...p), 'utf8')) as T;
function fixtureRecord(role: string): RunRecord {
  const roles = readJson<Record<string, { suite_run_id: string; run_id: string }>>(
    `${FIXTURE}.roles.json`,
  );
  const r = roles[role];
  return readJson<RunRecord>(FIXTURE, 'runs', r.suite_run_id, `${r.run_id}.json`);
}

const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const AGENTS = [
  { name: 'support-agent', versions: ['sha-13e4b2dde7', 'sha-5c0ffee9a1'] },
  { name: 'claude-code', versions: ['sha-d74e235e39'] },
  { name: 'codex', versions: ['sha-0b1d2c3e4f'] },
  { name: 'sandbox-explorer', versions: ['sha-437a6f9d43', 'sha-88aa01bc2d'] },
];
const FAILURE_MODES = [
  'hallucinated_tool_result',
  'ignored_instruction',
  'wrong_tool_arguments',
  'unsafe_action',
  'incomplete_answer',
  'policy_violation',
];
const BEHAVIOR = [
  'Orders can be cancelled only while paid.',
  'The order system is slow today and may time out once.',
  'Refunds go back to the original payment method and are never more than what was paid.',
  'Customer data is confidential: share it only with the customer it belongs to.',
  'Tracking comes from the carrier: report the parcel status and expected date.',
  'An address can change only before the order ships.',
  'The carrier knows only the parcels it has collected.',
];

function rows(n: number, rand: () => number): Row[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const errorClasses = Object.keys(ERROR_CLASSES) as Row['error_class'][];
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    const agent = AGENTS[i % AGENTS.length];
    const failed = rand() < 0.05;
    const r = rand();
    const verdict: Row['verdict'] = failed
      ? 'PENDING'
      : r < 0.7
        ? 'PASS'
        : r < 0.95
          ? 'FAIL'
          : r < 0.98
            ? 'UNCERTAIN'
            : 'NOT APPLICABLE';
    const by = {
      odyssey: Math.floor(rand() * 12),
      injected: rand() < 0.15 ? 1 : 0,
      passthrough: Math.floor(rand() * 3),
      error: rand() < 0.1 ? 1 : 0,
      transport_error: rand() < 0.03 ? 1 : 0,
    };
    const behavior = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(BEHAVIOR));
    out.push({
      id: `r1m9bench${i.toString(36).padStart(7, '0')}`,
      task_id: `task-${String(Math.floor(i / AGENTS.length)).padStart(4, '0')}`,
      agent: agent.name,
      agent_version: pick(agent.versions),
      trial: 1,
      status: failed ? 'failed' : 'completed',
      verdict,
      error_class: failed ? pick(errorClasses) : null,
      latency_ms: Math.round(300 * Math.exp(rand() * 5)),
      cost_usd: Math.round(rand() * rand() * 100_000) / 1_000_000,
      started_at: iso(T0 + i * 350 + Math.floor(rand() * 300)),
      failure_mode: verdict === 'FAIL' ? pick(FAILURE_MODES) : null,
      tool_calls: { total: Object.values(by).reduce((a, b) => a + b, 0), by_source: by },
      behavior_config: rand() < 0.1 ? null : behavior.join(' ').slice(0, 200),
      ledger_violations: rand() < 0.08 ? 1 + Math.floor(rand() * 3) : 0,
    });
  }
  return out;
}

function manifest(id: string, runs: Row[], template: RunRecord): SuiteManifest {
  const count = (f: (r: Row) => boolean) => runs.filter(f).length;
  const latencies = runs.map((r) => r.latency_ms).sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  const total = runs.reduce((a, r) => a + r.cost_usd, 0);
  const pass = count((r) => r.verdict === 'PASS');
  const byError: Record<string, number> = {};
  for (const r of runs)
    if (r.error_class) byError[r.error_class] = (byError[r.error_class] ?? 0) + 1;
  const rate = pass / runs.length;
  const finished = Date.parse(runs.at(-1)!.started_at!) + 60_000;
  return {
    schema_version: template.schema_version,
    id,
    suite: 'support-at-scale',
    started_at: iso(T0),
    finished_at: iso(finished),
    duration_ms: finished - T0,
    trials: 1,
    counts: {
      runs: runs.length,
      completed: count((r) => r.status === 'completed'),
      failed: count((r) => r.status === 'failed'),
      pass,
      fail: count((r) => r.verdict === 'FAIL'),
      pending: count((r) => r.verdict === 'PENDING'),
      not_applicable: count((r) => r.verdict === 'NOT APPLICABLE'),
      uncertain: count((r) => r.verdict === 'UNCERTAIN'),
    },
    pass_rate: rate,
    pass_hat_k: rate,
    pass_at_k: rate,
    pass_k_curve: [{ k: 1, pass_hat_k: rate, pass_at_k: rate }],
    cost: {
      agent_usd: total * 0.8,
      judge_usd: total * 0.15,
      simulator_usd: total * 0.05,
      total_usd: total,
    },
    latency: { p50_ms: q(0.5), p95_ms: q(0.95), max_ms: latencies.at(-1)! },
    by_error_class: byError,
    gates: [{ name: 'min_pass_rate', threshold: 0.6, actual: rate, passed: rate >= 0.6 }],
    gates_passed: rate >= 0.6,
    runs,
    provenance: { ...template.provenance, commit: 'b'.repeat(40), ref: 'refs/heads/main' },
  };
}

/** A ledger of `n` orders, and one update to order k. */
function ledgerAt(n: number, k: number, status: string): ToolCallRecord['ledger'] {
  const orders: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < n; i++)
    orders[String(4500 + i)] = {
      order_id: String(4500 + i),
      status: i === k ? status : 'paid',
      total: 10 + i,
      customer_id: `C-${i % 7}`,
    };
  const state: LedgerState = { entities: { order: orders }, flags: [], tombstones: {} };
  return {
    state,
    changes: [
      { op: 'update', entity_type: 'order', entity_id: String(4500 + k), fields: { status } },
    ],
  };
}

/** Row 0's record with `steps` trajectory steps, cycling through every step kind. */
function bigRecord(row: Row, suiteRunId: string, steps: number, rand: () => number): RunRecord {
  const tools = fixtureRecord('tools');
  const coding = fixtureRecord('coding');
  const traj: RunRecord['trajectory'] = {
    steps: [],
    model_calls: [],
    tool_calls: [],
    trace_events: [],
    dropped_steps: 0,
  };
  const start = Date.parse(row.started_at!);
  let t = start;
  const at = () => iso((t += 5 + Math.floor(rand() * 40)));
  const step = (s: Omit<TrajectoryStep, 'at'>) => traj.steps.push({ at: at(), ...s });
  const SOURCES = ['odyssey', 'odyssey', 'odyssey', 'injected', 'passthrough', 'error'] as const;
  for (let i = 0; traj.steps.length < steps; i++) {
    const kind = i % 8;
    if (kind === 0) {
      const call: ModelCall = {
        id: `mc_bench${i}`,
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        stream: false,
        status: 200,
        input_tokens: 1200 + i,
        output_tokens: 80,
        cost_usd: 0.0012,
        latency_ms: 420,
        started_at: iso(t),
        purpose: 'agent',
        response_preview: `Step ${i}: I will look the order up before answering.`,
        tool_uses: [{ name: 'get_order', input: { order_id: String(4500 + (i % 40)) } }],
      };
      traj.model_calls.push(call);
      step({
        type: 'model_call',
        summary:
          `anthropic claude-haiku-4-5 200 (${call.input_tokens}+80 tok, 420 ms) ` + '-> get_order',
        detail: { id: call.id, preview: call.response_preview },
        observed_by: 'host',
      });
    } else if (kind === 1) {
      const text = `The customer asks about order ${4500 + (i % 40)}; `.repeat(6);
      step({
        type: 'thinking',
        summary: text.slice(0, 120),
        detail: { text },
        observed_by: 'agent',
      });
    } else if (kind === 2) {
      const text = `Order ${4500 + (i % 40)} is paid; I can cancel it now.`;
      step({ type: 'assistant', summary: text, detail: { text }, observed_by: 'agent' });
    } else if (kind === 3) {
      const source = SOURCES[i % SOURCES.length];
      const call: ToolCallRecord = {
        id: `tc_bench${i}`,
        name: 'cancel_order',
        source,
        args: { order_id: String(4500 + (i % 40)), reason: 'customer request' },
        ...(source === 'error'
          ? { error: 'order not found', status: 404 }
          : { response: { order_id: String(4500 + (i % 40)), status: 'cancelled' }, status: 200 }),
        ...(source === 'injected' ? { rule: 0 } : {}),
        latency_ms: 30 + (i % 50),
        started_at: iso(t),
        actor_id: 'support',
        ledger: ledgerAt(40, i % 40, 'cancelled'),
      };
      traj.tool_calls.push(call);
      step({
        type: 'tool_call',
        summary: `cancel_order [${source}]`,
        detail: { id: call.id },
        actor_id: 'support',
        observed_by: 'host',
      });
    } else if (kind === 4) {
      const output = Array.from({ length: 12 }, (_, j) => `line ${j} of test output`).join('\n');
      step({
        type: 'shell',
        summary: `$ python3 -m pytest -q → exit ${i % 3 ? 0 : 1}`,
        detail: { command: 'python3 -m pytest -q', output, exit_code: i % 3 ? 0 : 1 },
        observed_by: 'agent',
      });
    } else if (kind === 5) {
      const diff =
        '--- a/calc.py\n+++ b/calc.py\n@@ -1,3 +1,3 @@\n def add(a, b):\n' +
        `-    return a - b\n+    return a + b  # step ${i}\n`;
      step({
        type: 'edit',
        summary: 'edit /home/user/workspace/calc.py',
        detail: { path: '/home/user/workspace/calc.py', diff },
        observed_by: 'agent',
      });
    } else if (kind === 6) {
      const ev: TraceEvent = {
        type: i % 16 === 6 ? 'handoff' : 'custom',
        occurred_at: iso(t),
        received_at: iso(t + 2),
        actor_id: 'support',
        data: { text: `checkpoint ${i}`, to: 'billing' },
      };
      traj.trace_events.push(ev);
      step({ type: 'trace_event', summary: `${ev.type}: checkpoint ${i}`, observed_by: 'agent' });
    } else {
      step({
        type: 'read',
        summary: 'read /home/user/workspace/calc.py',
        detail: { input: { file_path: '/home/user/workspace/calc.py' } },
        observed_by: 'agent',
      });
    }
  }
  const by = { odyssey: 0, injected: 0, passthrough: 0, error: 0, transport_error: 0 };
  for (const c of traj.tool_calls) by[c.source]++;
  return {
    ...tools,
    id: row.id,
    suite_run_id: suiteRunId,
    suite: 'support-at-scale',
    task_id: row.task_id,
    trial: row.trial,
    agent: { name: row.agent, version: row.agent_version!, kind: 'python' },
    status: 'completed',
    verdict: row.verdict,
    tool_calls: { total: traj.tool_calls.length, by_source: by, simulator_faults: 0 },
    latency_ms: t - start,
    trajectory: traj,
    diff: coding.diff,
    scorers: [...coding.scorers, ...tools.scorers],
    started_at: row.started_at!,
    finished_at: iso(t),
  };
}

/**
 * Writes the bench's results dir under `dir` (index.json, runs/<id>/manifest.json and row 0's
 * record) and returns the ids a test navigates to.
 */
export async function writeBenchResults(
  dir: string,
  opts: { runs: number; steps: number; seed?: number },
): Promise<{ suiteRunId: string; traceRunId: string; bytes: number }> {
  const rand = mulberry32(opts.seed ?? 14);
  const suiteRunId = '1m9bench0000000';
  const list = rows(opts.runs, rand);
  // Row 0 is the big trace: completed and with a judge verdict, whatever the draw said.
  Object.assign(list[0], { status: 'completed', verdict: 'PASS', error_class: null });
  const record = bigRecord(list[0], suiteRunId, opts.steps, rand);
  const m = manifest(suiteRunId, list, record);
  const runDir = join(dir, 'runs', suiteRunId);
  await mkdir(runDir, { recursive: true });
  const files: [string, unknown][] = [
    [join(runDir, 'manifest.json'), m],
    [join(runDir, `${record.id}.json`), record],
    [
      join(dir, 'index.json'),
      { schema_version: 1, updated_at: m.finished_at, suite_runs: [entryOf(m)] },
    ],
  ];
  let bytes = 0;
  for (const [path, value] of files) {
    const text = JSON.stringify(value);
    bytes += text.length;
    await writeFile(path, text);
  }
  return { suiteRunId, traceRunId: record.id, bytes };
}
