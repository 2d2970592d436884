import type { SuiteManifest } from '../../../../core/src/index.js';
import { isObj, num, text } from '../../data/safe.js';

type ConfirmationRun = NonNullable<SuiteManifest['confirmation']>;

/** What head's manifests say their confirmation did, read defensively (manifests are untrusted). */
export interface ConfirmationSummary {
  extra_trials: number | null;
  base_suite_runs: string[];
  rerun: { task_id: string; agent: string; change: string }[];
  not_rerun: { task_id: string; agent: string; reason: string }[];
  cost_usd: number | null;
  max_cost_usd: number | null;
}

/** A field as text: absent is empty, anything else as written (never String(): it can throw). */
const str = (v: unknown) => (v == null ? '' : text(v));
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObj) : []);

/**
 * The confirmations of a suite at a commit, merged (each shard confirms its own flips): null
 * when no manifest carries one.
 */
export function readConfirmation(manifests: readonly SuiteManifest[]): ConfirmationSummary | null {
  const found = manifests
    .map((m) => (m as { confirmation?: unknown } | null)?.confirmation)
    .filter((c): c is ConfirmationRun => isObj(c));
  if (!found.length) return null;
  const sum = (f: (c: ConfirmationRun) => unknown) => {
    const vs = found.map((c) => num(f(c)));
    return vs.every((v) => v === null) ? null : vs.reduce<number>((s, v) => s + (v ?? 0), 0);
  };
  const caps = found.map((c) => num(c.max_cost_usd));
  return {
    extra_trials: found.map((c) => num(c.extra_trials)).find((v) => v !== null) ?? null,
    base_suite_runs: [
      ...new Set(
        found.flatMap((c) => (Array.isArray(c.base_suite_runs) ? c.base_suite_runs.map(str) : [])),
      ),
    ],
    rerun: found.flatMap((c) =>
      list(c.tasks).map((t) => ({
        task_id: str(t.task_id),
        agent: str(t.agent),
        change: str(t.change),
      })),
    ),
    not_rerun: found.flatMap((c) =>
      list(c.not_rerun).map((t) => ({
        task_id: str(t.task_id),
        agent: str(t.agent),
        reason: str(t.reason),
      })),
    ),
    cost_usd: sum((c) => c.cost_usd),
    max_cost_usd: caps.every((v) => v === null)
      ? null
      : caps.reduce<number>((s, v) => s + (v ?? 0), 0),
  };
}
