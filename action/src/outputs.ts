import type { SuiteManifest } from '../../core/src/index.js';

/** Step outputs over every suite the step ran (or merged). */
export function outputsOf(manifests: SuiteManifest[]): Record<string, string> {
  const sum = (f: (m: SuiteManifest) => number) => manifests.reduce((n, m) => n + f(m), 0);
  const runs = sum((m) => m.counts.runs);
  const pass = sum((m) => m.counts.pass);
  const byVerdict: Record<string, number> = {
    PASS: pass,
    FAIL: sum((m) => m.counts.fail),
    PENDING: sum((m) => m.counts.pending),
    'NOT APPLICABLE': sum((m) => m.counts.not_applicable),
  };
  const byChip: Record<string, number> = {};
  for (const m of manifests)
    for (const [k, v] of Object.entries(m.by_error_class)) byChip[k] = (byChip[k] ?? 0) + v;
  return {
    'pass-rate': runs ? (pass / runs).toFixed(4) : '0',
    runs: String(runs),
    passed: String(pass),
    failed: String(byVerdict.FAIL),
    errored: String(sum((m) => m.counts.failed)),
    'by-verdict': JSON.stringify(byVerdict),
    'by-chip': JSON.stringify(byChip),
    'cost-usd': sum((m) => m.cost.total_usd).toFixed(4),
    'gates-passed': String(manifests.every((m) => m.gates_passed)),
    'suite-run-ids': manifests.map((m) => m.id).join(','),
  };
}
