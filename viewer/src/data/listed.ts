import type { BranchIndex, IndexEntry, SuiteManifest } from '../../../core/src/index.js';
import { isObj, num, obj, str } from './safe.js';

/**
 * What the pages read of index.json's lines and a manifest's run rows, as typed copies: index.json
 * and manifests come from a results branch anyone with push access writes, so each field is kept
 * only when it has its type. A line or row without the fields a page groups and links by (ids,
 * suite, task, agent, trial) is left out; any other field of the wrong type is absent (a number
 * the type requires reads NaN, which every figure shows as "—"). Pages then never meet an object
 * where they draw, sort or format a string.
 */

export type ManifestRun = SuiteManifest['runs'][number];

const figure = (v: unknown) => num(v) ?? NaN;

/** Optional fields copied when of their type: the text fields, then the number fields. */
function optional(from: Record<string, unknown>, texts: string[], numbers: string[]) {
  const out: Record<string, string | number> = {};
  for (const k of texts) if (str(from[k]) !== null) out[k] = str(from[k])!;
  for (const k of numbers) if (num(from[k]) !== null) out[k] = num(from[k])!;
  return out;
}

export function listedEntry(v: unknown): IndexEntry | null {
  if (!isObj(v)) return null;
  const [id, suite, started_at] = [str(v.id), str(v.suite), str(v.started_at)];
  if (id === null || suite === null || started_at === null) return null;
  return {
    id,
    suite,
    started_at,
    pass_rate: figure(v.pass_rate),
    runs: figure(v.runs),
    failed: figure(v.failed),
    cost_usd: figure(v.cost_usd),
    p95_ms: figure(v.p95_ms),
    gates_passed: v.gates_passed === true,
    ...optional(
      v,
      ['commit', 'ref', 'event', 'base_sha', 'workflow_run', 'shard'],
      ['pass_hat_k', 'pr', 'run_attempt'],
    ),
  } as IndexEntry;
}

/** Index lines the pages can sort and link: a results file from elsewhere may hold anything. */
export const listedSuiteRuns = (index: BranchIndex): IndexEntry[] =>
  (Array.isArray(index?.suite_runs) ? index.suite_runs : [])
    .map(listedEntry)
    .filter((e): e is IndexEntry => e !== null);

export function listedRun(v: unknown): ManifestRun | null {
  if (!isObj(v)) return null;
  const [id, task_id, agent, trial] = [str(v.id), str(v.task_id), str(v.agent), num(v.trial)];
  if (id === null || task_id === null || agent === null || trial === null) return null;
  const tools = obj(v.tool_calls);
  const bySource: Record<string, number> = {};
  for (const [source, n] of Object.entries(obj(tools.by_source)))
    if (num(n) !== null)
      Object.defineProperty(bySource, source, { value: n, enumerable: true, writable: true });
  return {
    id,
    task_id,
    agent,
    trial,
    // A status or verdict this version does not know is drawn as it was written.
    status: (str(v.status) ?? 'unknown') as ManifestRun['status'],
    verdict: (str(v.verdict) ?? 'PENDING') as ManifestRun['verdict'],
    error_class: str(v.error_class) as ManifestRun['error_class'],
    latency_ms: figure(v.latency_ms),
    cost_usd: figure(v.cost_usd),
    failure_mode: str(v.failure_mode),
    behavior_config: str(v.behavior_config),
    ...(optional(v, ['agent_version', 'started_at'], ['ledger_violations']) as Pick<
      ManifestRun,
      'agent_version' | 'started_at' | 'ledger_violations'
    >),
    ...(num(tools.total) !== null
      ? { tool_calls: { total: num(tools.total)!, by_source: bySource as never } }
      : {}),
    ...(v.confirmation === true ? { confirmation: true as const } : {}),
  };
}

/** Run rows a page can group and draw; a malformed row is left out, never fatal. */
export const listedRuns = (m: SuiteManifest): ManifestRun[] =>
  (Array.isArray(m?.runs) ? m.runs : []).map(listedRun).filter((r): r is ManifestRun => r !== null);
